"""The ``rental`` kind (see ``kind.py``)."""
