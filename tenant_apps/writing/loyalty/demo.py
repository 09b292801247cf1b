"""Demo loyalty data of a writing site (``seed(people)``, wired into ``tenant_apps/writing/demo.py``).

* **Tiers**: Bronze (from 0, no bonus), Silver (from 100.00 spent, +10 %), Gold (from 500.00,
  +25 %).
* **Points**: the demo's completed orders earn their clients' points (the ``order_completed``
  receiver did it when they were completed; ``points_earn_for_order`` again is a no-op, and fills
  in orders completed before the app existed); both clients get 500 welcome points
  (``points_award``); ``client@`` turns 150 points into 1.50 of wallet credit and an admin adds 25
  to ``client2@`` as an apology (``points_adjust``).

Idempotent: references and existence checks make a second call add nothing. Run it after the
orders (so their points are earned) and before ``discounts.demo.seed`` (whose order redeems
points).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

#: ``(slug, name, minimum spend, bonus percent)``.
TIERS = (
    ("bronze", "Bronze", Decimal("0.00"), Decimal("0.00")),
    ("silver", "Silver", Decimal("100.00"), Decimal("10.00")),
    ("gold", "Gold", Decimal("500.00"), Decimal("25.00")),
)
#: The welcome points each demo client gets.
WELCOME_POINTS = 500


def welcome(client: Any) -> None:
    """``client``'s welcome points (reference ``demo:welcome:<user id>``: once)."""
    from tenant_apps.writing.loyalty.services import points_award

    points_award(
        user=client, points=WELCOME_POINTS, reason="Welcome to the demo", reference=f"demo:welcome:{client.pk}"
    )


def seed(people: dict[str, Any]) -> None:
    """Create (or find) the loyalty demo data in the current writing schema (see the module)."""
    from tenant_apps.writing.loyalty.models import LoyaltyTier, PointsEntry, PointsKind
    from tenant_apps.writing.loyalty.services import (
        account_open,
        points_adjust,
        points_earn_for_order,
        points_redeem_for_wallet,
        tier_create,
    )
    from tenant_apps.writing.orders.models import Order, OrderStatus

    admin = people["admin"]
    for slug, name, spend, bonus in TIERS:
        if not LoyaltyTier.objects.filter(slug=slug).exists():
            tier_create(actor=admin, name=name, slug=slug, minimum_spend=spend, bonus_percent=bonus)
    for order in Order.objects.filter(status=OrderStatus.COMPLETED).select_related("client").order_by("pk"):
        points_earn_for_order(order=order)
    for key in ("client", "client2"):
        welcome(people[key])
    client, client2 = people["client"], people["client2"]
    if not PointsEntry.objects.filter(account__user=client, kind=PointsKind.REDEEM, order=None).exists():
        points_redeem_for_wallet(user=client, points=150)
    if not PointsEntry.objects.filter(account__user=client2, kind=PointsKind.ADJUST).exists():
        points_adjust(account=account_open(user=client2), points=25, reason="Sorry for the late delivery.", actor=admin)
