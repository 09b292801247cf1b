"""The loyalty and discounts demo seeds (``loyalty.demo.seed``, then ``discounts.demo.seed``) run
twice in golf with people from the writing fixture: tiers, points earned on a completed order,
welcome points, a redemption and an adjustment; codes active, expired and used once, a campaign,
and an order with a code and points; the second run adds nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django_tenants.utils import tenant_context

from tenant_apps.writing.discounts import demo as discounts_demo
from tenant_apps.writing.discounts.models import Discount, DiscountUse
from tenant_apps.writing.loyalty import demo as loyalty_demo
from tenant_apps.writing.loyalty.models import LoyaltyAccount, LoyaltyTier, PointsEntry, PointsKind
from tenant_apps.writing.orders.models import Order
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import make_order


def _counts() -> tuple[int, ...]:
    return (
        LoyaltyTier.objects.count(),
        PointsEntry.objects.count(),
        Discount.objects.count(),
        DiscountUse.objects.count(),
        Order.objects.count(),
    )


def test_the_incentives_demo_seeds_once(writing: Writing) -> None:
    # given: a completed order of cleo's (the kind's demo has two)
    make_order(writing, "completed")
    people: dict[str, Any] = {
        "admin": writing.admin,
        "client": writing.cleo,
        "client2": writing.carl,
        "writer": writing.wren,
        "writer2": writing.will,
        "writer3": writing.will,
        "editor": writing.eddie,
        "support": writing.sue,
    }
    with tenant_context(writing.tenant):
        # when: it runs twice
        loyalty_demo.seed(people)
        discounts_demo.seed(people)
        counts = _counts()
        loyalty_demo.seed(people)
        discounts_demo.seed(people)
        # then: the second run added nothing
        assert _counts() == counts
        assert list(LoyaltyTier.objects.values_list("slug", flat=True)) == ["bronze", "silver", "gold"]
        kinds = set(PointsEntry.objects.values_list("kind", flat=True))
        assert {PointsKind.EARN, PointsKind.AWARD, PointsKind.REDEEM, PointsKind.ADJUST} <= kinds
        # cleo: 24 earned + 500 welcome - 150 to her wallet - 200 on the FIRST5 order
        assert LoyaltyAccount.objects.get(user=writing.cleo).balance == 174
        assert LoyaltyAccount.objects.get(user=writing.carl).balance == 525
        assert set(Discount.objects.exclude(code=None).values_list("code", flat=True)) == {
            "WELCOME10",
            "SUMMER25",
            "FIRST5",
        }
        assert Discount.objects.filter(code=None).count() == 1
        used = DiscountUse.objects.get(discount__code="FIRST5")
        assert (used.order.discount_total, used.order.loyalty_total, used.order.total) == (
            Decimal("5.00"),
            Decimal("2.00"),
            Decimal("17.00"),
        )
        assert Discount.objects.get(code="FIRST5").uses_count == 1
