"""Writes on properties: amenities, properties, photos, blocked dates and the calendar.

Rules: ``models.py`` (seed 003); who may call what: ``access.py`` (the views check roles, and every
service checks again). Every function is keyword-only, atomic, audits each change inside its
transaction and locks a property only through ``locks.property_lock`` (after a user, before
invoices and wallets: docs/architecture.md, "Locks in one order").
"""

from tenant_apps.rental.properties.services.amenities import amenity_create, amenity_delete, amenity_update
from tenant_apps.rental.properties.services.blocks import blocked_period_create, blocked_period_delete
from tenant_apps.rental.properties.services.calendar import (
    property_calendar_import,
    property_calendar_import_request,
)
from tenant_apps.rental.properties.services.photos import (
    MAX_PHOTOS,
    property_photo_add,
    property_photo_remove,
    property_photo_update,
)
from tenant_apps.rental.properties.services.properties import (
    PROPERTY_FIELDS,
    check_import_url,
    property_calendar_token_rotate,
    property_create,
    property_set_status,
    property_update,
)

__all__ = [
    "MAX_PHOTOS",
    "PROPERTY_FIELDS",
    "amenity_create",
    "amenity_delete",
    "amenity_update",
    "blocked_period_create",
    "blocked_period_delete",
    "check_import_url",
    "property_calendar_import",
    "property_calendar_import_request",
    "property_calendar_token_rotate",
    "property_create",
    "property_photo_add",
    "property_photo_remove",
    "property_photo_update",
    "property_set_status",
    "property_update",
]
