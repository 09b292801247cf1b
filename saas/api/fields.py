"""Serializer fields shared by every app's API."""

from __future__ import annotations

import re
from typing import Any

from rest_framework import serializers

#: A plain decimal number in ASCII: optional sign, digits, optional fraction (``"-12.50"``, ``".5"``).
_ASCII_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


class AsciiDecimalField(serializers.DecimalField):
    """DRF's ``DecimalField`` that reads only ASCII digits: every money or decimal input uses it.

    Python's ``Decimal()`` (and so DRF's field) accepts any Unicode decimal digit: Arabic-Indic
    (U+0660-U+0669) or fullwidth (U+FF10-U+FF19) "150" reads as ``150``, so a value that looks
    different to people, logs and other systems is stored as a number. Exponents (``"1e3"``)
    and other spellings are refused too. A string must match ``[+-]?digits[.digits]`` (surrounding spaces
    allowed); JSON numbers are taken as they are. Anything else fails DRF's ``invalid`` check:
    400 ``validation_error`` with ``{"<field>": ["A valid number is required."]}``. Limits
    (``max_digits``, ``decimal_places``, ``min_value``...) are DRF's.
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or (isinstance(data, str) and not _ASCII_DECIMAL.fullmatch(data.strip())):
            self.fail("invalid")
        return super().to_internal_value(data)


def refuse_numbers_for_strings() -> None:
    """Make DRF's ``CharField`` (and every subclass: e-mail, regex, slug, URL...) take strings only.

    DRF turns a JSON number into a string (``{"subject": 0}`` is stored as ``"0"``), while the
    OpenAPI schema, generated from the same serializers, says ``type: string``: a request the
    schema forbids was accepted, and the schema fuzzing (``tests/security``) fails on exactly that.
    DRF has no setting for it, and the fields live in our serializers, dj-rest-auth's and every
    ``ModelSerializer``'s generated ones, so the one place that reaches them all is the class.
    A non-string now fails DRF's own ``invalid`` check: 400 ``validation_error`` with
    ``{"<field>": ["Not a valid string."]}``. Called once from ``saas.api.apps.ApiConfig.ready``.
    """
    drf_to_internal_value = serializers.CharField.to_internal_value
    if getattr(drf_to_internal_value, "strings_only", False):
        return

    def to_internal_value(self: serializers.CharField, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return drf_to_internal_value(self, data)  # type: ignore[no-any-return]

    to_internal_value.strings_only = True  # type: ignore[attr-defined]
    serializers.CharField.to_internal_value = to_internal_value  # type: ignore[method-assign,assignment]
