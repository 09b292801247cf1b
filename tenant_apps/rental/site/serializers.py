"""Request and response shapes of the rental site-settings API."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from saas.api.fields import AsciiDecimalField
from tenant_apps.rental.site.models import RentalSettings


class RentalSettingsSerializer(serializers.ModelSerializer):
    """The rental site's settings: ``{commission_percent: "15.00", report_hour: 7, time_zone:
    "Europe/Paris", updated_at}``."""

    commission_percent = AsciiDecimalField(max_digits=5, decimal_places=2, read_only=True)

    class Meta:
        model = RentalSettings
        fields = ("commission_percent", "report_hour", "time_zone", "updated_at")
        read_only_fields = fields


class RentalSettingsUpdateSerializer(serializers.Serializer):
    """Input of ``PATCH /api/v1/rental/settings/`` (admin): any of ``commission_percent`` (0-100,
    percent of a stay's total kept by the site), ``report_hour`` (0-23, site time), ``time_zone``
    (an IANA name such as ``Europe/Paris``; 400 ``validation_error`` for an unknown one)."""

    commission_percent = AsciiDecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("100"), required=False
    )
    report_hour = serializers.IntegerField(min_value=0, max_value=23, required=False)
    time_zone = serializers.CharField(max_length=64, required=False)
