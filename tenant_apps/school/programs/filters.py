"""Query filters of the program and enrolment lists (django-filter); invalid values answer 400.

One ``FilterSet`` serves both program types: every filter is declared on a field of the abstract
``Program`` (or ``Enrolment``), so no model is named here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django_filters import rest_framework as filters

from saas.api.filters import ColumnChoicesFilter
from tenant_apps.school.programs.models import EnrolmentStatus, ProgramStatus

_MAX_ID = 2**63 - 1


class _IdFilter(filters.NumberFilter):
    """A whole, positive database id (``NumberFilter`` would take decimals)."""

    field_class = forms.IntegerField


class ProgramFilter(filters.FilterSet):
    """``status`` (repeat for several), ``teacher`` (user id), ``start_after`` / ``start_before``
    (start date on or after / on or before, ``YYYY-MM-DD``), ``min_price`` / ``max_price``
    (inclusive, in the program's currency), ``currency`` (ISO 4217)."""

    status = ColumnChoicesFilter(choices=ProgramStatus.choices)
    teacher = _IdFilter(
        method="filter_teacher", min_value=1, max_value=_MAX_ID, help_text="Programs this user (id) teaches."
    )
    start_after = filters.DateFilter(
        field_name="start_date", lookup_expr="gte", help_text="Starts on or after this date."
    )
    start_before = filters.DateFilter(
        field_name="start_date", lookup_expr="lte", help_text="Starts on or before this date."
    )
    min_price = filters.NumberFilter(field_name="price", lookup_expr="gte", min_value=0)
    max_price = filters.NumberFilter(field_name="price", lookup_expr="lte", min_value=0)
    currency = filters.CharFilter(field_name="currency", method="filter_currency", max_length=3)

    def filter_teacher(self, queryset: QuerySet[Any], name: str, value: int) -> QuerySet[Any]:
        # a subquery, not a join on teachers: the list's seat counts stay one row per program
        return queryset.filter(pk__in=queryset.model._default_manager.filter(teachers=value).values("pk"))

    def filter_currency(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(currency=value.strip().upper())


class EnrolmentFilter(filters.FilterSet):
    """``status`` (repeat for several), ``program`` (id), ``student`` (user id)."""

    status = ColumnChoicesFilter(choices=EnrolmentStatus.choices)
    program = _IdFilter(field_name="program_id", min_value=1, max_value=_MAX_ID)
    student = _IdFilter(field_name="student_id", min_value=1, max_value=_MAX_ID)
