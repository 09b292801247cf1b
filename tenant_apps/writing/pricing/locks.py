"""Row locks of the writing pricing app: the pricing settings row, taken alone (an admin's edit
of the page limits and factor, checked against each other under it).

Options, rates and extras need none: each edit changes one row, and the unique indexes
(``(group, slug)``, ``(academic_level, deadline_hours_max)``, the extra's ``slug``) decide races.
"""

from __future__ import annotations

from tenant_apps.writing.pricing.models import PricingSettings


def pricing_settings_lock() -> PricingSettings:
    """The settings row (``pk=1``), locked until the transaction ends; ``services`` creates it first."""
    return PricingSettings.objects.select_for_update().get(pk=1)
