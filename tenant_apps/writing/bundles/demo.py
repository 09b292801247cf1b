"""Demo data of the bundles app, seeded through its services (the writing demo calls ``seed``).

* **Two bundles**: "Starter: 10 pages" (90.00, 60 days) and "Five assignments" (200.00, 90 days).
* ``client@`` bought the Starter from the wallet and paid a 3-page order from it: 7 pages left.
* ``client2@`` bought the Five assignments 100 days ago, never used it: ``expired``.
* **An express class**, "Overnight essay" (25.00 a page, due in 6 to 24 hours, undergraduate and
  master's), with one order of ``client@``'s paid from the wallet.

Idempotent: each part is made once, when what it makes is missing; a second call adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from unittest import mock

from django.utils import timezone

STARTER = "Starter: 10 pages"
ASSIGNMENTS = "Five assignments"
EXPRESS_SLUG = "overnight-essay"


@contextmanager
def _as_of(moment: datetime) -> Iterator[None]:
    """Run the services as if it were ``moment`` (how the demo makes a purchase that has expired)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _fund(client: Any, amount: Decimal, reference: str) -> None:
    from tenant_apps.wallet.models import LedgerEntry
    from tenant_apps.wallet.services import wallet_open, wallet_top_up

    if not LedgerEntry.objects.filter(reference=reference).exists():
        wallet_top_up(wallet=wallet_open(user=client), amount=amount, reference=reference, memo="Demo funds")


def _bundle(admin: Any, **fields: Any) -> Any:
    from tenant_apps.writing.bundles.models import Bundle
    from tenant_apps.writing.bundles.services import bundle_create

    return Bundle.objects.filter(name=fields["name"]).first() or bundle_create(actor=admin, **fields)


def _starter_drawn(client: Any, bundle: Any) -> None:
    from tenant_apps.writing.bundles.models import BundlePurchase
    from tenant_apps.writing.bundles.services import bundle_buy, order_pay_bundle
    from tenant_apps.writing.orders.services import order_place

    if BundlePurchase.objects.filter(client=client, bundle=bundle).exists():
        return
    _fund(client, bundle.price, "demo:bundle:starter:funds")
    purchase = bundle_buy(client=client, bundle=bundle, method="wallet").purchase
    order = order_place(
        client=client,
        topic="Reflective essay on a clinical placement",
        academic_level="undergraduate",
        deadline=timezone.now() + timedelta(days=10),
        pages=3,
        spacing="double",
        instructions="Gibbs' reflective cycle; first person.",
    )
    order_pay_bundle(order=order, purchase=purchase, payer=client)


def _expired(client: Any, bundle: Any) -> None:
    from tenant_apps.writing.bundles.models import BundlePurchase
    from tenant_apps.writing.bundles.services import bundle_buy, purchases_expire

    if BundlePurchase.objects.filter(client=client, bundle=bundle).exists():
        return
    _fund(client, bundle.price, "demo:bundle:assignments:funds")
    with _as_of(timezone.now() - timedelta(days=100)):
        bought = bundle_buy(client=client, bundle=bundle, method="wallet").purchase
    purchases_expire(now=bought.expires_at)


def _express(admin: Any, client: Any) -> None:
    from tenant_apps.writing.bundles.models import ExpressClass, ExpressOrder
    from tenant_apps.writing.bundles.services import express_class_create, express_order_place
    from tenant_apps.writing.orders.services import order_pay_wallet

    express = ExpressClass.objects.filter(slug=EXPRESS_SLUG).first() or express_class_create(
        actor=admin,
        name="Overnight essay",
        slug=EXPRESS_SLUG,
        description="Up to 5 pages, written overnight.",
        unit="pages",
        price=Decimal("25.00"),
        min_hours=6,
        max_hours=24,
        academic_levels=["undergraduate", "masters"],
    )
    if ExpressOrder.objects.filter(express_class=express).exists():
        return
    order = express_order_place(
        client=client,
        express_class=express,
        topic="Porter's five forces applied to budget airlines",
        academic_level="undergraduate",
        deadline=timezone.now() + timedelta(hours=20),
        pages=2,
        spacing="double",
    )
    _fund(client, order.total, "demo:express:funds")
    order_pay_wallet(order=order, payer=client)


def seed(people: dict[str, Any]) -> None:
    """Seed the current writing site's bundles and express classes (the module's list) with
    ``people`` (keys ``admin``, ``client``, ``client2``, ...), through the services; idempotent."""
    admin = people["admin"]
    starter = _bundle(admin, name=STARTER, unit="pages", quantity=10, price=Decimal("90.00"), validity_days=60)
    assignments = _bundle(
        admin, name=ASSIGNMENTS, unit="assignments", quantity=5, price=Decimal("200.00"), validity_days=90
    )
    _starter_drawn(people["client"], starter)
    _expired(people["client2"], assignments)
    _express(admin, people["client"])
