"""Money helpers: ISO 4217 codes, half-up rounding to the currency's step, Stripe's minor units."""

from __future__ import annotations

from decimal import Decimal

import pytest

from saas.api.errors import ApplicationError
from saas.money import check_amount, from_minor_units, normalize_currency, round_money, to_minor_units


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        (Decimal("49.99"), "USD", 4999),
        (Decimal("1502.00"), "JPY", 1502),
        (Decimal("12.35"), "KWD", 12350),
        (Decimal("0.01"), "EUR", 1),
    ],
)
def test_minor_units_follow_stripes_currency_rules(amount: Decimal, currency: str, minor: int) -> None:
    assert to_minor_units(amount, currency) == minor
    assert from_minor_units(minor, currency) == amount


@pytest.mark.parametrize(
    ("value", "currency", "rounded"),
    [
        ("0.005", "USD", Decimal("0.01")),
        ("0.004", "USD", Decimal("0.00")),
        ("2.675", "EUR", Decimal("2.68")),
        ("1501.5", "JPY", Decimal("1502.00")),
        ("1501.49", "JPY", Decimal("1501.00")),
    ],
)
def test_rounding_is_half_up_to_the_currencys_step(value: str, currency: str, rounded: Decimal) -> None:
    assert round_money(value, currency) == rounded


@pytest.mark.parametrize(
    ("value", "currency"),
    [
        ("10.005", "USD"),
        ("10.5", "JPY"),
        ("0", "USD"),
        ("-1", "USD"),
        ("10000000000", "USD"),
        ("NaN", "USD"),
        ("ten", "USD"),
    ],
)
def test_given_amounts_are_never_rounded_silently(value: str, currency: str) -> None:
    with pytest.raises(ApplicationError) as refused:
        check_amount(value, currency)
    assert refused.value.code == "invalid_amount"


def test_currency_codes_are_iso_4217_in_upper_case() -> None:
    assert normalize_currency(" eur ") == "EUR"
    for bad in ("EURO", "XXX", "", "US"):
        with pytest.raises(ApplicationError):
            normalize_currency(bad)
