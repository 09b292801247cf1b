"""Class bundles, purchases and express classes, made by ``writing.bundles.services``.

``BundleFactory()``: an active bundle of 10 pages for 90.00 valid 30 days, created by the site's
admin (``bundle_create``); trait ``assignments`` (5 assignments for 150.00), ``inactive``.

``BundlePurchaseFactory()``: a new client buys ``bundle`` (default: a new ``BundleFactory``) from
their wallet, topped up with its price first (``bundle_buy``: ``active`` at once). Traits:
``expired`` (then expired by the beat task's service, run at its ``expires_at``), ``pending``
(bought by card, Stripe stubbed: the purchase waits for ``invoice_paid``).

``ExpressClassFactory()``: an active express class of 20.00 a page for deadlines from 3 to 48 hours,
every academic level (``express_class_create``); trait ``per_assignment`` (45.00 an assignment).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from unittest import mock

import factory

from tenant_apps.payments import stripe_gateway
from tenant_apps.wallet.services import wallet_open, wallet_top_up
from tenant_apps.writing.bundles import services
from tenant_apps.writing.bundles.models import Bundle, BundlePurchase, BundleUnit, ExpressClass, PurchaseStatus
from tests.factories.accounts import UserFactory
from tests.factories.base import ServiceFactory, site_admin


class BundleFactory(ServiceFactory[Bundle]):
    """A bundle made by the site's admin (``bundle_create``)."""

    class Meta:
        model = Bundle

    class Params:
        assignments = factory.Trait(unit=BundleUnit.ASSIGNMENTS, quantity=5, price="150.00")
        inactive = factory.Trait(is_active=False)

    name = factory.Sequence(lambda n: f"Bundle {n}")
    unit = BundleUnit.PAGES
    quantity = 10
    price: Decimal | str = "90.00"
    validity_days = 30
    is_active = True

    @classmethod
    def _create(cls, model_class: type[Bundle], *args: Any, **kwargs: Any) -> Bundle:
        return services.bundle_create(actor=site_admin(), **kwargs)


def stripe_on(intent_id: str) -> Any:
    """A context in which Stripe is stood in for (as ``StripePaymentFactory`` does): a card
    payment gets PaymentIntent ``intent_id`` without a network call, as if online payments were on."""

    def intent(**_: Any) -> stripe_gateway.Intent:
        return stripe_gateway.Intent(
            id=intent_id, client_secret=f"{intent_id}_secret", status="requires_payment_method", data={}
        )

    return mock.patch.multiple(
        stripe_gateway,
        require_payments_enabled=lambda: None,
        payment_intent_create=intent,
        payment_intent_retrieve=lambda intent_id: intent(),
        customer_create=lambda **_: "cus_factory_bundle",
    )


class BundlePurchaseFactory(ServiceFactory[BundlePurchase]):
    """``client`` (default: a new client) buys ``bundle`` (default: a new bundle) through
    ``bundle_buy`` (see the module)."""

    class Meta:
        model = BundlePurchase

    class Params:
        expired = factory.Trait(status=PurchaseStatus.EXPIRED)
        pending = factory.Trait(status=PurchaseStatus.PENDING)

    client = factory.SubFactory(UserFactory, roles=["client"])
    bundle = factory.SubFactory(BundleFactory)
    status = PurchaseStatus.ACTIVE

    @classmethod
    def _create(cls, model_class: type[BundlePurchase], *args: Any, **kwargs: Any) -> BundlePurchase:
        client, bundle, status = kwargs["client"], kwargs["bundle"], kwargs["status"]
        if status == PurchaseStatus.PENDING:
            with stripe_on(f"pi_bundle_{client.pk}_{bundle.pk}"):
                return services.bundle_buy(client=client, bundle=bundle, method="card").purchase
        wallet_top_up(wallet=wallet_open(user=client), amount=bundle.price, memo="test funds")
        purchase = services.bundle_buy(client=client, bundle=bundle, method="wallet").purchase
        if status == PurchaseStatus.EXPIRED:
            services.purchases_expire(now=purchase.expires_at)
        return BundlePurchase.objects.get(pk=purchase.pk)


class ExpressClassFactory(ServiceFactory[ExpressClass]):
    """An express class made by the site's admin (``express_class_create``)."""

    class Meta:
        model = ExpressClass

    class Params:
        per_assignment = factory.Trait(unit=BundleUnit.ASSIGNMENTS, price="45.00")

    name = factory.Sequence(lambda n: f"Express {n}")
    unit = BundleUnit.PAGES
    price: Decimal | str = "20.00"
    min_hours = 3
    max_hours = 48
    academic_levels: list[str] = []
    is_active = True

    @classmethod
    def _create(cls, model_class: type[ExpressClass], *args: Any, **kwargs: Any) -> ExpressClass:
        return services.express_class_create(actor=site_admin(), **kwargs)
