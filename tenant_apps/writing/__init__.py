"""The ``writing`` kind (see ``kind.py``)."""
