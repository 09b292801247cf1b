"""Attacks on class bundles and express classes (site ``golf``, the people of ``make_writing``).

* IDOR: cleo pays her order from carl's purchase, reads carl's purchase, pays carl's order from
  her own purchase; an admin spends cleo's purchase on cleo's order. All 404, nothing drawn.
* Mass assignment: a purchase bought with ``remaining``, ``status``, ``expires_at``, ``price`` and
  ``client`` in the body; a bundle created and changed with ``currency`` and ``id``; an express
  order with ``total``, ``price_per_page``, ``status`` and ``extras``: the stored rows keep what the
  services decided.
* Units: a pay-bundle body naming a purchase id of another site (hotel): 404.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.bundles.models import Bundle, BundleDraw, BundlePurchase
from tenant_apps.writing.orders.models import Order
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.writing.bundles.conftest import (
    BUNDLES,
    bundle_url,
    err,
    express_url,
    make_bundle,
    make_express,
    make_purchase,
    pay_bundle_url,
    purchase_url,
)
from tests.tenant_apps.writing.conftest import Writing, make_writing, reload
from tests.tenant_apps.writing.orders.conftest import fund, make_order


@pytest.fixture
def writing(golf: Tenant, client_for: ClientFor, login: Login) -> Writing:
    return make_writing(golf, client_for, login)


def test_nobody_spends_or_reads_another_clients_bundle(writing: Writing) -> None:
    # given: a purchase and an unpaid order each
    carls_purchase, cleos_purchase = make_purchase(writing, "carl"), make_purchase(writing, "cleo")
    cleos_order, carls_order = make_order(writing), make_order(writing, client=writing.carl)
    cleo = writing.client("cleo")
    # when / then
    assert err(cleo.post(pay_bundle_url(cleos_order.pk), {"purchase": carls_purchase.pk}, format="json")) == (
        404,
        "not_found",
    )
    assert err(cleo.get(purchase_url(carls_purchase.pk))) == (404, "not_found")
    assert err(cleo.post(pay_bundle_url(carls_order.pk), {"purchase": cleos_purchase.pk}, format="json")) == (
        404,
        "not_found",
    )
    admin = writing.client("admin")
    assert admin.post(pay_bundle_url(cleos_order.pk), {"purchase": cleos_purchase.pk}, format="json").status_code == 404
    # and nothing was drawn
    with tenant_context(writing.tenant):
        assert not BundleDraw.objects.exists()
        assert set(Order.objects.filter(pk__in=[cleos_order.pk, carls_order.pk]).values_list("status", flat=True)) == {
            "unpaid"
        }


def test_a_purchase_body_cannot_set_its_units_status_expiry_or_owner(writing: Writing) -> None:
    # given
    bundle = make_bundle(writing)
    fund(writing, "cleo", "90.00")
    # when
    body = {
        "method": "wallet",
        "remaining": 1000,
        "quantity": 1000,
        "status": "active",
        "expires_at": (timezone.now() + timedelta(days=9999)).isoformat(),
        "price": "0.01",
        "client": writing.carl.pk,
        "validity_days": 9999,
    }
    response = writing.client("cleo").post(bundle_url(bundle.pk, "buy/"), body, format="json")
    # then: the bundle's terms, cleo's, 30 days
    assert response.status_code == 201, response.content
    with tenant_context(writing.tenant):
        stored = BundlePurchase.objects.get(pk=response.json()["purchase"]["id"])
        assert (stored.remaining, stored.quantity, stored.price, stored.client_id) == (
            10,
            10,
            Decimal("90.00"),
            writing.cleo.pk,
        )
        assert stored.expires_at is not None and stored.activated_at is not None
        assert stored.expires_at - stored.activated_at == timedelta(days=30)


def test_a_bundle_body_cannot_set_its_currency_or_id(writing: Writing) -> None:
    admin = writing.client("admin")
    body = {"name": "X", "unit": "pages", "quantity": 2, "price": "10.00", "validity_days": 5}
    created = admin.post(BUNDLES, {**body, "currency": "EUR", "id": 999999}, format="json").json()
    forged = {"currency": "JPY", "created_at": "2000-01-01T00:00:00Z"}
    changed = admin.patch(bundle_url(created["id"]), forged, format="json")
    assert changed.status_code == 200
    with tenant_context(writing.tenant):
        stored = Bundle.objects.get(pk=created["id"])
        assert stored.currency == "USD" and created["id"] != 999999
        assert stored.created_at.year > 2000


def test_an_express_order_body_cannot_set_its_price_or_status(writing: Writing) -> None:
    express = make_express(writing)
    body = {
        "topic": "Attack",
        "academic_level": "undergraduate",
        "deadline": (timezone.now() + timedelta(hours=12)).isoformat(),
        "pages": 2,
        "spacing": "double",
        "total": "0.01",
        "subtotal": "0.01",
        "price_per_page": "0.01",
        "status": "available",
        "client": writing.carl.pk,
    }
    response = writing.client("cleo").post(express_url(express.slug, "orders/"), body, format="json")
    assert response.status_code == 201, response.content
    with tenant_context(writing.tenant):
        stored = Order.objects.get(pk=response.json()["id"])
        assert (stored.total, stored.status, stored.client_id) == (Decimal("40.00"), "unpaid", writing.cleo.pk)


def test_a_purchase_of_another_site_pays_nothing(
    writing: Writing, hotel: Tenant, client_for: ClientFor, login: Login
) -> None:
    other = make_writing(hotel, client_for, login)
    hotel_purchase = make_purchase(other)
    order = make_order(writing)
    paid = writing.client("cleo").post(pay_bundle_url(order.pk), {"purchase": hotel_purchase.pk}, format="json")
    # golf's cleo has no purchase: whatever the id, it is not hers on golf
    assert err(paid) == (404, "not_found")
    assert reload(writing, order).status == "unpaid"
