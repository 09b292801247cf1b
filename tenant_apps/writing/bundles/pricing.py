"""The one place an express-class order is priced: ``express_quote``, and ``express_pricer``, the
same bound to a class, which ``orders.services.order_place(pricer=...)`` calls instead of the
page-rate table (``writing_pricing.pricing.quote``).

**Rule** (issue 14 point 6, "express classes carry their own pricing and deadline rules"):

* the deadline must be from ``min_hours`` to ``max_hours`` from now (a deadline up to
  ``DEADLINE_GRACE`` short of ``min_hours`` is accepted, as ``quote`` does for its bands);
* the academic level must be one the class takes (``academic_levels``; none listed: every active
  level); the other options (paper type, subject, style, language) are checked as ``quote`` checks
  them; pages within the site's ``minimum_pages``..``maximum_pages``; spacing ``double``/``single``;
* **unit ``pages``**: ``total = price x pages x (single_spacing_factor if single-spaced)``;
  **unit ``assignments``**: ``total = price``, whatever the pages (``price_per_page`` on the order is
  then the total spread over its pages, rounded: informative only);
* no extra services (an express class's price is all-in); every amount rounded half up to the
  currency's step (``saas.money.round_money``). The class's ``currency`` must still be the site's
  pricing currency (409 ``currency_mismatch`` otherwise: an admin changed the currency and must
  re-price the class).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.utils import timezone

from saas.errors import ApplicationError, Conflict, ErrorCode
from saas.money import round_money
from tenant_apps.writing.bundles.models import BundleUnit, ExpressClass
from tenant_apps.writing.pricing.models import OptionGroup, OrderOption
from tenant_apps.writing.pricing.pricing import DEADLINE_GRACE, Quote, QuoteLine, Spacing
from tenant_apps.writing.pricing.services import pricing_settings


def _check_option(details: dict[str, list[str]], group: str, slug: Any, *, required: bool) -> OrderOption | None:
    if slug is None or slug == "":
        if required:
            details.setdefault(group, []).append("This field is required.")
        return None
    found = None
    if isinstance(slug, str):
        found = OrderOption.objects.filter(group=group, slug=slug, is_active=True).first()
    if found is None:
        details.setdefault(group, []).append(f"Not an offered {OptionGroup(group).label.lower()}.")
    return found


def express_quote(
    express_class: ExpressClass,
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
) -> Quote:
    """Price an order of ``express_class`` by its rule (the module docstring); the arguments are
    ``pricing.quote``'s. Returns a ``Quote`` with one ``pages`` line (``deadline_band_hours`` is the
    class's ``max_hours``), amounts ``Decimal`` with 2 places in the class's currency.

    Raises ``ApplicationError`` 400 ``validation_error`` (``details`` naming every field in error,
    ``extras`` among them when any is given), ``Conflict`` 409 ``currency_mismatch``.
    """
    now = now or timezone.now()
    settings = pricing_settings()
    details: dict[str, list[str]] = {}
    level = _check_option(details, OptionGroup.ACADEMIC_LEVEL, academic_level, required=True)
    if level is not None:
        allowed = list(express_class.academic_levels.all())
        if allowed and level.pk not in {option.pk for option in allowed}:
            names = ", ".join(option.slug for option in allowed)
            details.setdefault("academic_level", []).append(f"This class takes: {names}"[:300] + ".")
    for group, slug in (
        (OptionGroup.PAPER_TYPE, paper_type),
        (OptionGroup.SUBJECT, subject),
        (OptionGroup.FORMATTING_STYLE, formatting_style),
        (OptionGroup.LANGUAGE, language),
    ):
        _check_option(details, group, slug, required=False)
    if isinstance(pages, bool) or not isinstance(pages, int):
        details.setdefault("pages", []).append("A whole number of pages.")
    elif not settings.minimum_pages <= pages <= settings.maximum_pages:
        details.setdefault("pages", []).append(f"From {settings.minimum_pages} to {settings.maximum_pages} pages.")
    if spacing not in Spacing.values:
        details.setdefault("spacing", []).append("double or single.")
    if extras:
        details.setdefault("extras", []).append("An express class takes no extra services.")
    if not isinstance(deadline, datetime) or timezone.is_naive(deadline):
        details.setdefault("deadline", []).append("A date and time with a time zone, e.g. 2030-01-31T17:00:00Z.")
    else:
        ahead = deadline - now
        if ahead + DEADLINE_GRACE < timedelta(hours=express_class.min_hours) or ahead > timedelta(
            hours=express_class.max_hours
        ):
            details.setdefault("deadline", []).append(
                f"This class's deadline is from {express_class.min_hours} to {express_class.max_hours} hours from now."
            )
    if details:
        first = next(iter(details.values()))[0]
        raise ApplicationError(first, code=ErrorCode.VALIDATION_ERROR, details=details)
    currency = express_class.currency
    if currency != settings.currency:
        raise Conflict(
            f"This class is priced in {currency}; the site's prices are in {settings.currency}.",
            code=ErrorCode.CURRENCY_MISMATCH,
            details={"class_currency": currency, "currency": settings.currency},
        )
    assert level is not None
    factor = settings.single_spacing_factor if spacing == Spacing.SINGLE else Decimal("1")
    spaced = Spacing(spacing).label.lower()
    plural = "s" if pages != 1 else ""
    if express_class.unit == BundleUnit.PAGES:
        total = round_money(express_class.price * pages * factor, currency)
        per_page = express_class.price
        description = f"{express_class.name}: {pages} page{plural}, {spaced}, {level.name}, at {per_page} a page"
    else:
        total = round_money(express_class.price, currency)
        per_page = round_money(total / pages, currency)
        description = f"{express_class.name}: one assignment of {pages} page{plural}, {spaced}, {level.name}"
    return Quote(
        lines=(QuoteLine(kind="pages", slug="", description=description, amount=total),),
        academic_level=level.slug,
        extras=(),
        price_per_page=per_page,
        pages=pages,
        spacing=spacing,
        spacing_factor=factor.quantize(Decimal("0.01")),
        deadline=deadline,
        deadline_band_hours=express_class.max_hours,
        subtotal=total,
        extras_total=Decimal("0.00"),
        total=total,
        currency=currency,
    )


def express_pricer(express_class: ExpressClass) -> Callable[..., Quote]:
    """``express_quote`` bound to ``express_class``: ``order_place(pricer=...)``'s argument."""
    return partial(express_quote, express_class)
