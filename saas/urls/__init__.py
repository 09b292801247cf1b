"""URL confs: ``public`` for the platform host, one per tenant kind (``TENANT_TYPES[kind]['URLCONF']``)."""
