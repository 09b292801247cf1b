"""Serializer fields shared by every app's API."""

from __future__ import annotations

import re
from typing import Any

from rest_framework import serializers

#: A plain decimal number in ASCII: optional sign, digits, optional fraction (``"-12.50"``, ``".5"``).
_ASCII_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


class AsciiDecimalField(serializers.DecimalField):  # noqa: TID251 -- the one place it is allowed
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
