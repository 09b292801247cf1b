"""Reads of the rental site-settings app: the one settings row is read through
``services.rental_settings()`` (which creates it with the defaults on first use), so there is no
queryset to select from here; this module exists so the app has the usual modules."""
