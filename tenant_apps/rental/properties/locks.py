"""Row locks of the properties app (see ``docs/architecture.md``, "Locks in one order").

A property is locked before its bookings are checked or written (booking, cancelling, blocking
dates, importing a calendar): it comes after a user and before invoices and wallets.
"""

from __future__ import annotations

from saas.errors import NotFound
from tenant_apps.rental.properties.models import Property


def property_lock(pk: int) -> Property:
    """``SELECT ... FOR NO KEY UPDATE`` the property ``pk``; raises ``NotFound`` when it does not exist."""
    found = Property.objects.select_for_update(no_key=True).filter(pk=pk).first()
    if found is None:
        raise NotFound("Property not found.")
    return found
