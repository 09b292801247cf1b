"""The one place a discount is checked and computed: ``discount_for``, called by
``pricing.quote`` (the quote and the placement alike).

**Which discount** (one per order):

* a **code** typed by the client: that discount (case-insensitive). An unknown, inactive,
  campaign, not-yet-started or ended code, one below its minimum order, not for the order's
  options, or first-order-only for a client with an earlier order is refused: 400
  ``invalid_discount_code`` (``details.discount_code`` says why). A code used up (in total, or by
  this client) is refused: 409 ``discount_limit_reached``. A code that does not combine with
  loyalty points, with points redeemed: 400 ``validation_error`` (``details.redeem_points``).
* no code: the eligible **campaign** (no code, active, in its window, its rules met, not used up;
  combinable with points when points are redeemed) worth the most to this order; none: no discount.
  A campaign never refuses an order: it applies or it does not.

Client rules (first order, per-client limit) are checked when the client is known: the anonymous
quote shows a code's discount as if they are met; placement always checks them.

**How much**: ``percent``: ``value`` percent of the price before discounts (pages and extras);
``fixed``: ``value``; rounded half up to the currency's step (``saas.money.round_money``) and
never more than that price.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from saas.errors import ApplicationError, Conflict, ErrorCode
from saas.money import round_money
from tenant_apps.writing.discounts.models import Discount, DiscountKind, DiscountUse

HUNDRED = Decimal("100")
#: The longest code, in characters.
MAX_CODE = 40


@dataclass(frozen=True)
class AppliedDiscount:
    """A discount applied to an order's price: ``amount`` (> 0) in the quote's currency."""

    discount: Discount
    amount: Decimal
    description: str


def normalize_code(code: Any) -> str:
    """``code`` as stored: stripped, upper-case (``""`` for anything not a string)."""
    return code.strip().upper() if isinstance(code, str) else ""


def _refuse(message: str) -> ApplicationError:
    return ApplicationError(message, code=ErrorCode.INVALID_DISCOUNT_CODE, details={"discount_code": [message]})


def _in_window(now: datetime) -> Q:
    return (Q(starts_at__isnull=True) | Q(starts_at__lte=now)) & (Q(ends_at__isnull=True) | Q(ends_at__gt=now))


def _options_match(discount: Discount, chosen: dict[str, Any]) -> bool:
    """Whether the order's options meet ``discount``'s: for each group it lists, the order's option
    of that group is one listed."""
    listed: dict[str, set[int]] = {}
    for option in discount.options.all():
        listed.setdefault(option.group, set()).add(option.pk)
    for group, allowed in listed.items():
        picked = chosen.get(group)
        if picked is None or picked.pk not in allowed:
            return False
    return True


def _amount(discount: Discount, gross: Decimal, currency: str) -> Decimal:
    if discount.kind == DiscountKind.PERCENT:
        amount = round_money(gross * discount.value / HUNDRED, currency)
    else:
        amount = round_money(discount.value, currency)
    return min(amount, gross)


def _describe(discount: Discount) -> str:
    what = f"{discount.value.normalize():f} %" if discount.kind == DiscountKind.PERCENT else f"{discount.value}"
    label = f"Discount {discount.code}" if discount.code else discount.name
    return f"{label} ({what} off)"[:200]


def _is_first_order(client: Any) -> bool:
    from tenant_apps.writing.orders.models import Order, OrderStatus

    return not Order.objects.filter(client_id=client.pk).exclude(status=OrderStatus.CANCELLED).exists()


def _client_uses(discount: Discount, client: Any) -> int:
    return DiscountUse.objects.filter(discount=discount, client_id=client.pk, released_at__isnull=True).count()


def _problem(discount: Discount, *, client: Any, gross: Decimal, chosen: dict[str, Any]) -> str | None:
    """Why ``discount`` does not apply (a 400 reason), or ``None``."""
    if gross < discount.minimum_order:
        return f"This code needs an order of at least {discount.minimum_order}."
    if not _options_match(discount, chosen):
        return "This code is not for these order options."
    if client is not None and discount.first_order_only and not _is_first_order(client):
        return "This code is for a first order only."
    return None


def _used_up(discount: Discount, *, client: Any) -> str | None:
    """Why ``discount`` is used up (a 409 reason), or ``None``."""
    if discount.max_uses is not None and discount.uses_count >= discount.max_uses:
        return "This code has been used up."
    per_client = discount.max_uses_per_client
    if client is not None and per_client is not None and _client_uses(discount, client) >= per_client:
        return "You have used this code as many times as it allows."
    return None


def running_campaigns(now: datetime) -> QuerySet[Discount]:
    """The campaigns (no code) active and in their window at ``now``, with their options."""
    return (
        Discount.objects.filter(_in_window(now), code__isnull=True, is_active=True)
        .prefetch_related("options")
        .order_by("id")
    )


def discount_for(
    *,
    code: Any,
    client: Any,
    gross: Decimal,
    chosen: dict[str, Any],
    currency: str,
    now: datetime,
    with_points: bool,
) -> AppliedDiscount | None:
    """The discount an order gets (the rule in the module docstring): ``code`` the client typed
    (``None`` or ``""``: campaigns), ``client`` the user (``None``: anonymous quote), ``gross``
    the price before discounts (pages and extras), ``chosen`` the order's ``OrderOption`` per
    group (``None`` where not given), ``with_points`` whether loyalty points are redeemed too.

    Raises ``ApplicationError`` 400 ``invalid_discount_code`` / ``validation_error`` and
    ``Conflict`` 409 ``discount_limit_reached``. Reads only: placement records the use under the
    discount's lock (``services.discount_use_record``)."""
    if code is not None and code != "":
        wanted = normalize_code(code)
        if not wanted or len(wanted) > MAX_CODE:
            raise _refuse("Not a valid discount code.")
        found = Discount.objects.filter(code=wanted, is_active=True).prefetch_related("options").first()
        if found is None:
            raise _refuse("Not a valid discount code.")
        if found.starts_at is not None and found.starts_at > now:
            raise _refuse("This code is not valid yet.")
        if found.ends_at is not None and found.ends_at <= now:
            raise _refuse("This code has expired.")
        problem = _problem(found, client=client, gross=gross, chosen=chosen)
        if problem:
            raise _refuse(problem)
        used_up = _used_up(found, client=client)
        if used_up:
            raise Conflict(used_up, code=ErrorCode.DISCOUNT_LIMIT_REACHED, details={"discount_code": [used_up]})
        if with_points and not found.stacks_with_loyalty:
            message = f"The code {found.code} does not combine with loyalty points."
            raise ApplicationError(message, code=ErrorCode.VALIDATION_ERROR, details={"redeem_points": [message]})
        return AppliedDiscount(discount=found, amount=_amount(found, gross, currency), description=_describe(found))
    best: AppliedDiscount | None = None
    for campaign in running_campaigns(now):
        if with_points and not campaign.stacks_with_loyalty:
            continue
        if _problem(campaign, client=client, gross=gross, chosen=chosen) or _used_up(campaign, client=client):
            continue
        amount = _amount(campaign, gross, currency)
        if amount > 0 and (best is None or amount > best.amount):
            best = AppliedDiscount(discount=campaign, amount=amount, description=_describe(campaign))
    return best
