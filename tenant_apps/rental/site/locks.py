"""Row locks of the rental site-settings app: the settings row, taken alone (an admin's edit)."""

from __future__ import annotations

from tenant_apps.rental.site.models import RentalSettings


def rental_settings_lock() -> RentalSettings:
    """The settings row (``pk=1``), locked until the transaction ends; ``services`` creates it first."""
    return RentalSettings.objects.select_for_update(no_key=True).get(pk=1)
