"""Demo discounts of a writing site (``seed(people)``, wired into ``tenant_apps/writing/demo.py``).

* ``WELCOME10``: 10 % off, active, one use per client.
* ``SUMMER25``: 25 % off, expired (its window ended a month ago).
* ``FIRST5``: 5.00 off, one use in total, used: ``client@``'s unpaid order of 2 undergraduate
  pages, which also redeems 200 loyalty points (the issue's walk-through: a code AND points on one
  order; 24.00 - 5.00 - 2.00 = 17.00).
* **Autumn campaign**: 5 % off every order of 50.00 or more, running for 30 days from the first
  seeding, applied by itself (no code); it does not combine with points.

Idempotent: each discount is made once (by its code, or the campaign by name) and the order once
(when ``FIRST5`` has no use). Run it after ``loyalty.demo.seed`` (it makes sure ``client@`` has
the welcome points it redeems).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

CAMPAIGN = "Autumn campaign"


def seed(people: dict[str, Any]) -> None:
    """Create (or find) the discounts demo data in the current writing schema (see the module)."""
    from tenant_apps.writing.discounts.models import Discount, DiscountKind, DiscountUse
    from tenant_apps.writing.discounts.services import discount_create
    from tenant_apps.writing.loyalty.demo import welcome
    from tenant_apps.writing.orders.services import order_place

    admin, now = people["admin"], timezone.now()
    wanted: list[dict[str, Any]] = [
        {
            "name": "Welcome ten",
            "code": "WELCOME10",
            "kind": DiscountKind.PERCENT,
            "value": Decimal("10.00"),
            "max_uses_per_client": 1,
        },
        {
            "name": "Summer sale",
            "code": "SUMMER25",
            "kind": DiscountKind.PERCENT,
            "value": Decimal("25.00"),
            "starts_at": now - timedelta(days=120),
            "ends_at": now - timedelta(days=30),
        },
        {"name": "First five", "code": "FIRST5", "kind": DiscountKind.FIXED, "value": Decimal("5.00"), "max_uses": 1},
    ]
    for values in wanted:
        if not Discount.objects.filter(code=values["code"]).exists():
            discount_create(actor=admin, **values)
    if not Discount.objects.filter(code__isnull=True, name=CAMPAIGN).exists():
        discount_create(
            actor=admin,
            name=CAMPAIGN,
            code=None,
            kind=DiscountKind.PERCENT,
            value=Decimal("5.00"),
            minimum_order=Decimal("50.00"),
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=30),
            stacks_with_loyalty=False,
        )
    if not DiscountUse.objects.filter(discount__code="FIRST5").exists():
        welcome(people["client"])
        order_place(
            client=people["client"],
            topic="Renewable subsidies and energy prices",
            academic_level="undergraduate",
            deadline=now + timedelta(days=10),
            pages=2,
            spacing="double",
            sources=4,
            instructions="A short policy brief with four sources.",
            discount_code="FIRST5",
            redeem_points=200,
        )
