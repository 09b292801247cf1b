"""The one place an order of a writing site is priced: ``quote``.

The quote endpoint (``POST /api/v1/quote/``) calls it before an order is placed, and the orders
app calls it again when the order is placed and copies the ``Quote`` onto the order (lines,
per-page price, total, currency): an order's price is what it was quoted at placement, so a
later change of the table never changes an order already placed.

**Price** (issue "writing part 1", item 1):

* the page rate of the academic level for the *shortest deadline band covering the deadline*:
  a band ``deadline_hours_max = 24`` covers deadlines up to 24 hours from now; a deadline
  beyond every band uses the longest band; one shorter than the shortest band (less
  ``DEADLINE_GRACE``), or in the past, is refused (400);
* ``subtotal = price_per_page x pages x (single_spacing_factor if spacing is single else 1)``;
* each extra service: ``fixed``, its amount; ``percent``, that percentage of the subtotal;
* ``total = subtotal + extras_total``, less the order's discount and loyalty redemption:

**Discounts and loyalty points** (issue 14), for a known ``client`` or anonymously:

* a ``discount`` line (negative): the discount code the client typed, or else the campaign
  running now worth most to the order (``discounts.rules.discount_for``: its rules, errors and
  amount), on ``subtotal + extras_total``;
* a ``loyalty`` line (negative): ``redeem_points`` of the client's points, each worth the
  loyalty settings' ``point_value`` (``loyalty.services.loyalty_redemption_value``: at least
  the minimum, at most the balance), never more than what is left to pay after the discount
  (400 ``validation_error``, ``details.redeem_points`` says how many points fit);
* ``total = subtotal + extras_total - discount_total - loyalty_total``, never below zero (the
  orders app refuses to place an order of 0: there would be nothing to invoice).

Every line is rounded half up to the currency's step (cents; whole units for JPY and the like)
by ``saas.money.round_money`` ("Rounding is half up (``ROUND_HALF_UP``)", ``saas/money.py``),
then summed, so the lines always add up to the total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.db.models import TextChoices
from django.utils import timezone

from saas.errors import ApplicationError, ErrorCode
from saas.money import round_money
from tenant_apps.writing.discounts.rules import discount_for
from tenant_apps.writing.loyalty.services import loyalty_redemption_value, loyalty_settings
from tenant_apps.writing.pricing.models import ExtraPricing, ExtraService, OptionGroup, OrderOption, PageRate
from tenant_apps.writing.pricing.services import pricing_settings

HUNDRED = Decimal("100")
#: A deadline this much shorter than the shortest band is still priced in it: the client's form
#: computed "6 hours from now" a moment before the request reached us.
DEADLINE_GRACE = timedelta(minutes=5)
#: The most extra services one order may take.
MAX_EXTRAS = 20


class Spacing(TextChoices):
    """How the pages are spaced: a single-spaced page holds about twice the words."""

    DOUBLE = "double", "Double-spaced"
    SINGLE = "single", "Single-spaced"


@dataclass(frozen=True)
class QuoteLine:
    """One line of a quote: ``kind`` ``pages``, ``extra``, ``discount`` or ``loyalty``; ``slug`` the
    extra's or the discount code (``""`` otherwise); ``amount`` in the quote's currency, rounded
    (negative for ``discount`` and ``loyalty``)."""

    kind: str
    slug: str
    description: str
    amount: Decimal


@dataclass(frozen=True)
class Quote:
    """An order's price in ``currency``: ``total = subtotal + extras_total - discount_total -
    loyalty_total`` (>= 0), ``subtotal`` the pages (``price_per_page x pages``, times the
    single-spacing factor when single-spaced), ``lines`` the pages' line, one per extra service,
    then the discount's and the loyalty redemption's (negative). ``deadline_band_hours`` is the
    band whose rate applied; ``academic_level`` and ``extras`` are the slugs priced.
    ``discount_code`` (``""``: none, or a campaign) and ``discount_id`` name the discount applied;
    ``points_redeemed`` the loyalty points it spends."""

    lines: tuple[QuoteLine, ...]
    academic_level: str
    extras: tuple[str, ...]
    price_per_page: Decimal
    pages: int
    spacing: str
    spacing_factor: Decimal
    deadline: datetime
    deadline_band_hours: int
    subtotal: Decimal
    extras_total: Decimal
    total: Decimal
    currency: str
    discount_total: Decimal = Decimal("0.00")
    discount_code: str = ""
    discount_id: int | None = None
    points_redeemed: int = 0
    loyalty_total: Decimal = Decimal("0.00")


class _Errors:
    def __init__(self) -> None:
        self.details: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.details.setdefault(field, []).append(message)

    def raise_any(self) -> None:
        if self.details:
            first = next(iter(self.details.values()))[0]
            raise ApplicationError(first, code=ErrorCode.VALIDATION_ERROR, details=self.details)


def _option(errors: _Errors, field: str, slug: Any, *, required: bool) -> OrderOption | None:
    if slug is None or slug == "":
        if required:
            errors.add(field, "This field is required.")
        return None
    found = (
        OrderOption.objects.filter(group=field, slug=slug, is_active=True).first() if isinstance(slug, str) else None
    )
    if found is None:
        errors.add(field, f"Not an offered {OptionGroup(field).label.lower()}.")
    return found


def _extras(errors: _Errors, slugs: Any) -> list[ExtraService]:
    if slugs is None:
        return []
    if not isinstance(slugs, list | tuple) or not all(isinstance(s, str) for s in slugs):
        errors.add("extras", "A list of extra service slugs.")
        return []
    if len(slugs) > MAX_EXTRAS or len(set(slugs)) != len(slugs):
        errors.add("extras", f"At most {MAX_EXTRAS} extra services, each once.")
        return []
    found = {extra.slug: extra for extra in ExtraService.objects.filter(slug__in=slugs, is_active=True)}
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        errors.add("extras", f"Not offered: {', '.join(sorted(missing))[:200]}.")
        return []
    return [found[slug] for slug in slugs]


def _band(errors: _Errors, level: OrderOption | None, deadline: Any, now: datetime) -> PageRate | None:
    if not isinstance(deadline, datetime) or timezone.is_naive(deadline):
        errors.add("deadline", "A date and time with a time zone, e.g. 2030-01-31T17:00:00Z.")
        return None
    if deadline <= now:
        errors.add("deadline", "The deadline must be in the future.")
        return None
    if level is None:
        return None
    rates = list(PageRate.objects.filter(academic_level=level).order_by("deadline_hours_max"))
    if not rates:
        errors.add("academic_level", "This level has no prices yet.")
        return None
    shortest = rates[0].deadline_hours_max
    if deadline - now + DEADLINE_GRACE < timedelta(hours=shortest):
        errors.add("deadline", f"The shortest deadline is {shortest} hours from now.")
        return None
    return next((r for r in rates if deadline - now <= timedelta(hours=r.deadline_hours_max)), rates[-1])


def quote(
    *,
    academic_level: str,
    deadline: datetime,
    pages: int,
    spacing: str,
    extras: list[str] | tuple[str, ...] = (),
    paper_type: str | None = None,
    subject: str | None = None,
    formatting_style: str | None = None,
    language: str | None = None,
    now: datetime | None = None,
    client: Any = None,
    discount_code: str | None = None,
    redeem_points: int = 0,
) -> Quote:
    """Price an order of the current site (see the module docstring for the rule).

    ``academic_level``, ``paper_type``, ``subject``, ``formatting_style``, ``language``: slugs of
    active options of those groups (only the level is required; the others are checked when
    given and do not change the price); ``deadline``: an aware datetime after ``now`` (default:
    the current time) and not shorter than the level's shortest band; ``pages``: a whole number
    within the settings' ``minimum_pages``..``maximum_pages``; ``spacing``: ``double`` or
    ``single``; ``extras``: slugs of active extra services, each at most once.

    Returns a ``Quote`` (amounts ``Decimal`` with 2 places in the site's pricing currency).
    Raises ``ApplicationError`` ``validation_error`` (400) with ``details`` naming every field
    in error. Reads only: the orders app calls it at placement and stores the result.

    ``client``: the user ordering (``None``: anonymous; client rules of discounts are then not
    checked, and points cannot be redeemed). ``discount_code``: a code typed by the client
    (``None``/``""``: the best running campaign applies, if any). ``redeem_points``: loyalty points
    to spend (0: none). Their errors: 400 ``invalid_discount_code``, 409
    ``discount_limit_reached``, 409 ``insufficient_points``, 400 ``validation_error``
    (``details.redeem_points``); see the module docstring.
    """
    now = now or timezone.now()
    settings = pricing_settings()
    errors = _Errors()
    level = _option(errors, OptionGroup.ACADEMIC_LEVEL, academic_level, required=True)
    picked: dict[str, OrderOption | None] = {OptionGroup.ACADEMIC_LEVEL: level}
    for field, slug in (
        (OptionGroup.PAPER_TYPE, paper_type),
        (OptionGroup.SUBJECT, subject),
        (OptionGroup.FORMATTING_STYLE, formatting_style),
        (OptionGroup.LANGUAGE, language),
    ):
        picked[field] = _option(errors, field, slug, required=False)
    if isinstance(redeem_points, bool) or not isinstance(redeem_points, int) or redeem_points < 0:
        errors.add("redeem_points", "A whole number of points, 0 or more.")
    if isinstance(pages, bool) or not isinstance(pages, int):
        errors.add("pages", "A whole number of pages.")
    elif not settings.minimum_pages <= pages <= settings.maximum_pages:
        errors.add("pages", f"From {settings.minimum_pages} to {settings.maximum_pages} pages.")
    if spacing not in Spacing.values:
        errors.add("spacing", "double or single.")
    chosen = _extras(errors, extras)
    rate = _band(errors, level, deadline, now)
    errors.raise_any()
    assert level is not None and rate is not None  # raise_any raised otherwise

    currency = settings.currency
    factor = settings.single_spacing_factor if spacing == Spacing.SINGLE else Decimal("1")
    subtotal = round_money(rate.price_per_page * pages * factor, currency)
    spaced = Spacing(spacing).label.lower()
    lines = [
        QuoteLine(
            kind="pages",
            slug="",
            description=f"{pages} page{'s' if pages != 1 else ''}, {spaced}, {level.name}, "
            f"due within {rate.deadline_hours_max} h, at {rate.price_per_page} a page",
            amount=subtotal,
        )
    ]
    for extra in chosen:
        if extra.pricing == ExtraPricing.PERCENT:
            amount = round_money(subtotal * extra.amount / HUNDRED, currency)
            description = f"{extra.name} ({extra.amount.normalize():f} %)"
        else:
            amount = round_money(extra.amount, currency)
            description = extra.name
        lines.append(QuoteLine(kind="extra", slug=extra.slug, description=description, amount=amount))
    extras_total = sum((line.amount for line in lines[1:]), Decimal("0.00")).quantize(Decimal("0.01"))
    gross = subtotal + extras_total
    applied = discount_for(
        code=discount_code,
        client=client,
        gross=gross,
        chosen=picked,
        currency=currency,
        now=now,
        with_points=redeem_points > 0,
    )
    discount_total = applied.amount if applied is not None else Decimal("0.00")
    if applied is not None and discount_total > 0:
        lines.append(
            QuoteLine(
                kind="discount",
                slug=applied.discount.code or "",
                description=applied.description,
                amount=-discount_total,
            )
        )
    loyalty_total = Decimal("0.00")
    if redeem_points > 0:
        loyalty_total = loyalty_redemption_value(user=client, points=redeem_points, currency=currency)
        left = gross - discount_total
        if loyalty_total > left:
            fit = int((left / loyalty_settings().point_value).to_integral_value(rounding=ROUND_FLOOR))
            raise ApplicationError(
                f"At most {fit} points can be redeemed on this order.",
                code=ErrorCode.VALIDATION_ERROR,
                details={"redeem_points": [f"At most {fit} points on this order."]},
            )
        lines.append(
            QuoteLine(kind="loyalty", slug="", description=f"{redeem_points} loyalty points", amount=-loyalty_total)
        )
    return Quote(
        lines=tuple(lines),
        academic_level=level.slug,
        extras=tuple(extra.slug for extra in chosen),
        price_per_page=rate.price_per_page,
        pages=pages,
        spacing=spacing,
        spacing_factor=factor.quantize(Decimal("0.01")),
        deadline=deadline,
        deadline_band_hours=rate.deadline_hours_max,
        subtotal=subtotal,
        extras_total=extras_total.quantize(Decimal("0.01")),
        total=max(gross - discount_total - loyalty_total, Decimal("0.00")).quantize(Decimal("0.01")),
        currency=currency,
        discount_total=discount_total,
        discount_code=(applied.discount.code or "") if applied is not None else "",
        discount_id=applied.discount.pk if applied is not None else None,
        points_redeemed=redeem_points,
        loyalty_total=loyalty_total,
    )
