"""What the writing apps' admin forms share beyond ``saas.admin.extras``: an amount field that
reads amounts as the API does."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms

__all__ = ["AmountField"]

#: A plain decimal number in ASCII, as the API's amounts (``saas/api/fields.py``).
_ASCII_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?")


class AmountField(forms.DecimalField):
    """An amount typed in an admin form: ASCII digits only, at most 2 decimals, greater than zero
    (Arabic-Indic digits, ``"1e3"``, ``"NaN"`` are refused as the API refuses them); the service
    still checks it against the currency (``saas.money.check_amount``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0.01"))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        """Refuse anything but ``123`` or ``123.45`` before Django's decimal parsing."""
        if value not in self.empty_values and not _ASCII_DECIMAL.fullmatch(str(value).strip()):
            raise forms.ValidationError("Enter an amount in digits, like 12.50.", code="invalid")
        result: Decimal | None = super().to_python(value)
        return result
