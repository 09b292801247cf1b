"""Currencies and amounts: ISO 4217 codes, rounding, Stripe's minor units, and the one validator of
an amount someone gives (``check_amount``), used by invoices, payments, the wallet and the kinds.

Amounts are ``Decimal`` in a currency's major unit (``Decimal("12.50")`` USD), stored with two
decimal places. Rounding is half up (``ROUND_HALF_UP``) to the currency's smallest stored unit:
cents for most currencies, whole units for currencies without a minor unit (JPY, KRW, ...).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from saas.errors import ApplicationError


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Active ISO 4217 currency codes (funds and precious metals excluded).
ISO_4217 = _codes("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP
GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD
KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK
NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS
SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF
XCD XCG XOF XPF YER ZAR ZMW ZWG
""")

#: Currencies stored in whole units (ISO 4217 exponent 0, and those Stripe treats as zero-decimal).
WHOLE_UNIT = _codes("BIF CLP DJF GNF ISK JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF")
#: Stripe's zero-decimal currencies: its amount is the major unit (https://docs.stripe.com/currencies).
STRIPE_ZERO_DECIMAL = _codes("BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF")
#: Stripe's three-decimal currencies: its amount is thousandths (the last digit must be 0).
STRIPE_THREE_DECIMAL = _codes("BHD JOD KWD OMR TND")

CENT = Decimal("0.01")
UNIT = Decimal("1")
#: Largest amount a ``DecimalField(max_digits=12, decimal_places=2)`` holds.
MAX_AMOUNT = Decimal("9999999999.99")


def normalize_currency(code: str) -> str:
    """``code`` as an upper-case ISO 4217 code; raises ``ApplicationError`` ``invalid_currency`` (400)."""
    value = (code or "").strip().upper()
    if value not in ISO_4217:
        raise ApplicationError(
            f"{code!r} is not an ISO 4217 currency code.",
            code="invalid_currency",
            details={"currency": ["Use an ISO 4217 code such as USD or EUR."]},
        )
    return value


def quantum(currency: str) -> Decimal:
    """The smallest stored step of ``currency``: ``0.01``, or ``1`` for whole-unit currencies."""
    return UNIT if currency in WHOLE_UNIT else CENT


def round_money(value: Decimal | int | str, currency: str) -> Decimal:
    """``value`` rounded half up to ``currency``'s step, with two decimal places (``Decimal("1501.00")``)."""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ApplicationError("Not an amount.", code="invalid_amount") from None
    if not amount.is_finite():
        raise ApplicationError("Not an amount.", code="invalid_amount")
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP).quantize(CENT)


def check_amount(
    value: Decimal | int | str, currency: str, *, field: str = "amount", allow_negative: bool = False
) -> Decimal:
    """An amount given by someone: exact in ``currency``'s step (no rounding: ``"10.005"`` and
    ``"10.5"`` JPY are refused), greater than zero (or, with ``allow_negative``, not zero: a
    correction either way) and at most ``MAX_AMOUNT`` in size.

    Raises ``ApplicationError`` ``invalid_amount`` (400, ``details[field]``) otherwise.
    """
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise ApplicationError("Not an amount.", code="invalid_amount", details={field: ["Not an amount."]})
    if isinstance(value, str):
        value = value.strip()
    amount = round_money(value, currency)
    if amount != Decimal(value):
        places = 0 if quantum(currency) == UNIT else 2
        raise ApplicationError(
            f"{currency} amounts have at most {places} decimals.",
            code="invalid_amount",
            details={field: [f"At most {places} decimals."]},
        )
    if (amount == 0 if allow_negative else amount <= 0) or abs(amount) > MAX_AMOUNT:
        raise ApplicationError(
            f"The {field} must be {'not zero' if allow_negative else 'greater than zero'} and at most "
            f"{MAX_AMOUNT} in size.",
            code="invalid_amount",
            details={field: ["Out of range."]},
        )
    return amount


def _minor_per_major(currency: str) -> int:
    """Stripe's integer units in one major unit of ``currency``: 1 (zero-decimal: yen), 1000
    (three-decimal: fils), else 100 (cents). Source: https://docs.stripe.com/currencies"""
    if currency in STRIPE_ZERO_DECIMAL:
        return 1
    if currency in STRIPE_THREE_DECIMAL:
        return 1000
    return 100


def to_minor_units(amount: Decimal, currency: str) -> int:
    """``amount`` in Stripe's integer unit for ``currency`` (cents; yen; fils x1000), half up."""
    return int((amount * _minor_per_major(currency)).to_integral_value(rounding=ROUND_HALF_UP))


def from_minor_units(amount: int, currency: str) -> Decimal:
    """Stripe's integer ``amount`` of ``currency`` (upper case) as a ``Decimal`` in its major unit."""
    return round_money(Decimal(int(amount)) / _minor_per_major(currency), currency)
