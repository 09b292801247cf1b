"""A rental site's settings (one row, ``pk=1``), edited by the site's admin.

* ``commission_percent``: the site's share of a stay's total; the host is credited the rest
  (``bookings.pricing.host_share``) when the stay ends.
* ``report_hour`` and ``time_zone``: the daily report is sent once a day, at the first beat tick at
  or after that hour in that IANA time zone (``reports``).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

DEFAULT_COMMISSION_PERCENT = Decimal("15.00")
DEFAULT_REPORT_HOUR = 7
DEFAULT_TIME_ZONE = "UTC"


class RentalSettings(models.Model):
    """The rental site's settings (one row, ``pk=1``); ``commission_percent`` is ``Decimal`` 0-100."""

    commission_percent = models.DecimalField(max_digits=5, decimal_places=2, default=DEFAULT_COMMISSION_PERCENT)
    report_hour = models.PositiveSmallIntegerField(
        default=DEFAULT_REPORT_HOUR, help_text="Hour of the day (0-23, site time) the daily report is sent."
    )
    time_zone = models.CharField(max_length=64, default=DEFAULT_TIME_ZONE, help_text="IANA name, e.g. Europe/Paris.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "rental settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="rental_site_settings_single_row"),
            models.CheckConstraint(
                condition=Q(commission_percent__gte=0) & Q(commission_percent__lte=100),
                name="rental_site_settings_commission_range",
            ),
            models.CheckConstraint(condition=Q(report_hour__lte=23), name="rental_site_settings_report_hour_range"),
        ]

    def __str__(self) -> str:
        return "rental settings"
