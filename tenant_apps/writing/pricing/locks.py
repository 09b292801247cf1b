"""Row locks of the writing pricing app: the pricing settings row, taken alone. Under it an
admin's edit of the settings checks the page limits against each other and a new currency against
the stored prices, and a new or changed price (page rate, fixed extra) is checked in the currency.

Options, rates and extras need no lock of their own: each edit changes one row, and the unique
indexes (``(group, slug)``, ``(academic_level, deadline_hours_max)``, the extra's ``slug``) decide
races.
"""

from __future__ import annotations

from tenant_apps.writing.pricing.models import PricingSettings


def pricing_settings_lock() -> PricingSettings:
    """The settings row (``pk=1``), locked until the transaction ends; ``services`` creates it first."""
    return PricingSettings.objects.select_for_update(no_key=True).get(pk=1)
