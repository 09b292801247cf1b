"""Query filters of the option and extra-service lists (django-filter, strict fields: a bad value
answers 400 ``validation_error`` naming the parameter)."""

from __future__ import annotations

from django_filters import rest_framework as filters

from saas.api.filters import StrictBooleanFilter
from tenant_apps.writing.pricing.models import OptionGroup, OrderOption


class OrderOptionFilter(filters.FilterSet):
    """``?group=subject`` (one of the dropdowns); ``?is_active=false`` (admins, who also see the
    retired ones; anyone else sees the active ones only)."""

    group = filters.ChoiceFilter(choices=OptionGroup.choices)
    is_active = StrictBooleanFilter()

    class Meta:
        model = OrderOption
        fields = ("group", "is_active")
