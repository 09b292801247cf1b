"""The ``store`` kind (see ``kind.py``)."""
