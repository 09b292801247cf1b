"""Strict query-filter building blocks (django-filter) shared by the apps' FilterSets.

django-filter validates query parameters with Django form fields and answers a bad value with
a 400 ``validation_error`` naming the parameter (through ``saas.api.errors.exception_handler``).
Django's stock fields are lenient where a client would not expect it: ``IntegerField`` takes
``"1.0"``, ``BooleanFilter`` turns ``"maybe"`` into "no filter", and a date-time without a zone
is read in the server's. The fields here accept exactly what the OpenAPI schema documents.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.dateparse import parse_datetime
from django_filters import rest_framework as filters

#: The largest value of a ``bigint`` primary key.
MAX_ID = 2**63 - 1
_INTEGER = re.compile(r"-?[0-9]+")


class StrictIntegerField(forms.IntegerField):
    """An integer written with ASCII digits only (``"7"``, ``"-3"``): not ``"7.0"``, ``" 7"`` or ``"²"``.

    Raises ``ValidationError`` (code ``invalid``) for anything else; ``min_value``/``max_value`` apply.
    """

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        text = str(value)
        if len(text) > 30 or not _INTEGER.fullmatch(text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text)


class IdFilter(filters.NumberFilter):
    """A database id: a whole number from 1 to ``MAX_ID`` (documented as ``integer``)."""

    field_class = StrictIntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class StrictBooleanField(forms.Field):
    """``true``/``false`` (or ``1``/``0``); anything else is an error, not "no filter"."""

    widget = forms.TextInput

    def to_python(self, value: object) -> bool | None:
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in {"true", "1"}:
            return True
        if text in {"false", "0"}:
            return False
        raise forms.ValidationError("Use true or false.", code="invalid")


class StrictBooleanFilter(filters.BooleanFilter):
    """A ``BooleanFilter`` that rejects values other than ``true``/``false``/``1``/``0`` (documented as ``boolean``)."""

    field_class = StrictBooleanField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # django-filter's DRF BooleanFilter defaults to a widget that turns unknown values into None.
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class AwareDateTimeField(forms.DateTimeField):
    """An ISO 8601 date-time **with** a zone (``2024-05-01T12:00:00Z``, ``...+02:00``).

    Raises ``ValidationError`` (code ``invalid``) for a date-time without a zone, an impossible
    date (``2024-02-30``) or offset (``+99:00``), or anything that is not a date-time.
    """

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        try:
            parsed = parse_datetime(str(value).strip())
        except ValueError:  # well-formed but impossible: day 30 of February, offset +99:00
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            raise forms.ValidationError(
                "An ISO 8601 date-time with a time zone, e.g. 2024-05-01T12:00:00Z.", code="invalid"
            )
        return parsed


class AwareDateTimeFilter(filters.IsoDateTimeFilter):
    """A date-time filter taking only zone-aware ISO 8601 values (documented as ``date-time``)."""

    field_class = AwareDateTimeField


class ColumnChoicesFilter(filters.MultipleChoiceFilter):
    """Several choices of one column of the listed table (``?status=open&status=answered``).

    Filters with one ``IN`` and no ``DISTINCT``, where django-filter's ``MultipleChoiceFilter``
    ORs equalities and adds ``DISTINCT`` (meant for to-many joins, where rows repeat): the
    ``DISTINCT`` sorts every matching row before a page can be read from the list's index, and an
    ``IN`` is one index condition, so the list's count reads the index alone. For a column of the
    listed model only (no ``__`` into a to-many relation).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["distinct"] = False
        super().__init__(*args, **kwargs)

    def filter(self, qs: Any, value: Any) -> Any:
        if not value or self.is_noop(qs, value):
            return qs
        values = sorted({None if v == self.null_value else v for v in value}, key=str)
        return self.get_method(qs)(**{f"{self.field_name}__in": values})
