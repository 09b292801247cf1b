"""Query filters of the payouts list (django-filter, strict fields: a bad value answers 400)."""

from __future__ import annotations

from django_filters import rest_framework as filters

from saas.api.filters import ColumnChoicesFilter
from tenant_apps.writing.wallets.models import PayoutRequest, PayoutStatus


class PayoutFilter(filters.FilterSet):
    """``GET /api/v1/payouts/`` filters: ``status`` (repeatable: ``requested``, ``approved``,
    ``paid``, ``rejected``)."""

    status = ColumnChoicesFilter(field_name="status", choices=PayoutStatus.choices)

    class Meta:
        model = PayoutRequest
        fields = ("status",)
