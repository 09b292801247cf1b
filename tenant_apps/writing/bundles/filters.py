"""Query filters of the bundle purchases list (django-filter, strict fields: a bad value answers 400)."""

from __future__ import annotations

from django_filters import rest_framework as filters

from saas.api.filters import ColumnChoicesFilter
from tenant_apps.writing.bundles.models import BundlePurchase, PurchaseStatus


class PurchaseFilter(filters.FilterSet):
    """``GET /api/v1/bundle-purchases/`` filters: ``status`` (repeatable: ``pending``, ``active``,
    ``used_up``, ``expired``)."""

    status = ColumnChoicesFilter(field_name="status", choices=PurchaseStatus.choices)

    class Meta:
        model = BundlePurchase
        fields = ("status",)
