"""The bundles demo (``bundles/demo.py``): two bundles, a partly drawn purchase, an expired one, an
express class with an order; a second run adds nothing."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import tenant_context

from tenant_apps.wallet.models import LedgerEntry
from tenant_apps.writing.bundles.demo import seed
from tenant_apps.writing.bundles.models import Bundle, BundleDraw, BundlePurchase, ExpressClass, ExpressOrder
from tenant_apps.writing.orders.models import Order
from tests.factories import UserFactory
from tests.tenant_apps.writing.conftest import Writing


def _counts() -> dict[str, int]:
    return {
        "bundles": Bundle.objects.count(),
        "purchases": BundlePurchase.objects.count(),
        "draws": BundleDraw.objects.count(),
        "classes": ExpressClass.objects.count(),
        "express_orders": ExpressOrder.objects.count(),
        "orders": Order.objects.count(),
        "ledger": LedgerEntry.objects.count(),
    }


def test_the_bundles_demo_seeds_each_state_once(writing: Writing) -> None:
    with tenant_context(writing.tenant):
        people: dict[str, Any] = {
            "admin": writing.admin,
            "client": writing.cleo,
            "client2": writing.carl,
            "writer": writing.wren,
            "writer2": writing.will,
            "writer3": UserFactory(roles=["writer"]),
            "editor": writing.eddie,
            "support": writing.sue,
        }
        # when it runs twice
        seed(people)
        counts = _counts()
        seed(people)
        # then the second run added nothing
        assert _counts() == counts
        assert counts["bundles"] == 2 and counts["classes"] == 1 and counts["express_orders"] == 1
        # cleo's Starter is active and partly drawn by a paid order
        starter = BundlePurchase.objects.get(client=writing.cleo)
        assert (starter.status, starter.remaining, starter.quantity) == ("active", 7, 10)
        assert BundleDraw.objects.get(purchase=starter).order.status == "available"
        # carl's assignments expired unused
        expired = BundlePurchase.objects.get(client=writing.carl)
        assert (expired.status, expired.remaining) == ("expired", 5)
        # the express order was priced by its class and paid
        express_order = ExpressOrder.objects.select_related("order").get()
        assert (express_order.order.total, express_order.order.status) == (50, "available")
