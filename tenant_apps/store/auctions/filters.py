"""Query filters of the auction list (django-filter); invalid values answer 400."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters import rest_framework as filters

from saas.api.filters import ColumnChoicesFilter, IdFilter
from tenant_apps.store.auctions.models import AuctionStatus
from tenant_apps.store.auctions.selectors import PHASES, phase_filter


class AuctionFilter(filters.FilterSet):
    """``phase`` (``live``, ``upcoming``, ``ended``: now, UTC), ``status`` (repeat for several),
    ``seller`` (user id), ``product`` (id)."""

    phase = filters.ChoiceFilter(choices=[(p, p.title()) for p in PHASES], method="filter_phase")
    status = ColumnChoicesFilter(choices=AuctionStatus.choices)
    seller = IdFilter(field_name="seller_id")
    product = IdFilter(field_name="product_id")

    def filter_phase(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(phase_filter(value))
