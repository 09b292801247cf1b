"""Class bundles: admins sell them, clients buy them (wallet or card), unpaid orders are paid from
their units, cancelled orders give the units back, and purchases expire (issue 14 point 6)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.payments.models import Invoice
from tenant_apps.payments.signals import invoice_paid
from tenant_apps.wallet.models import LedgerEntry
from tenant_apps.wallet.selectors import wallet_of
from tenant_apps.writing.bundles.models import BundleDraw, BundlePurchase
from tenant_apps.writing.bundles.tasks import purchases_expire_task
from tests.factories.writing_bundles import stripe_on
from tests.tenant_apps.writing.bundles.conftest import (
    BUNDLES,
    PURCHASES,
    bundle_url,
    err,
    make_bundle,
    make_purchase,
    pay_bundle_url,
    purchase_url,
)
from tests.tenant_apps.writing.conftest import Writing, reload
from tests.tenant_apps.writing.orders.conftest import fund, make_order, order_url

BODY = {"name": "Ten pages", "unit": "pages", "quantity": 10, "price": "90.00", "validity_days": 30}


# --- The catalogue ----------------------------------------------------------------------------------


def test_an_admin_adds_a_bundle_in_the_sites_currency_and_clients_see_it(writing: Writing) -> None:
    # when
    response = writing.client("admin").post(BUNDLES, BODY, format="json")
    # then
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["price"], created["currency"], created["is_active"]) == ("90.00", "USD", True)
    listed = writing.client("cleo").get(BUNDLES).json()["results"]
    assert [row["id"] for row in listed] == [created["id"]]
    assert writing.client(None).get(bundle_url(created["id"])).status_code == 200


def test_an_inactive_bundle_is_hidden_from_clients_but_not_from_admins(writing: Writing) -> None:
    # given
    bundle = make_bundle(writing)
    # when
    response = writing.client("admin").patch(bundle_url(bundle.pk), {"is_active": False}, format="json")
    # then
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert err(writing.client("cleo").get(bundle_url(bundle.pk))) == (404, "not_found")
    assert writing.client("cleo").get(BUNDLES).json()["results"] == []
    assert [row["id"] for row in writing.client("admin").get(BUNDLES).json()["results"]] == [bundle.pk]


def test_a_bundle_refuses_bad_terms(writing: Writing) -> None:
    admin = writing.client("admin")
    assert err(admin.post(BUNDLES, {**BODY, "quantity": 0}, format="json"))[0] == 400
    assert err(admin.post(BUNDLES, {**BODY, "price": "-1.00"}, format="json"))[0] == 400
    assert err(admin.post(BUNDLES, {**BODY, "price": "10.005"}, format="json"))[0] == 400
    assert err(admin.post(BUNDLES, {**BODY, "unit": "words"}, format="json"))[0] == 400
    assert err(admin.post(BUNDLES, {**BODY, "validity_days": 0}, format="json"))[0] == 400


def test_a_bought_bundle_is_not_deleted_but_an_unsold_one_is(writing: Writing) -> None:
    # given
    sold = make_purchase(writing).bundle_id
    unsold = make_bundle(writing)
    admin = writing.client("admin")
    # when / then
    assert err(admin.delete(bundle_url(sold))) == (409, "product_has_purchases")
    assert admin.delete(bundle_url(unsold.pk)).status_code == 204
    assert admin.get(bundle_url(unsold.pk)).status_code == 404


# --- Buying -----------------------------------------------------------------------------------------


def test_a_client_buys_a_bundle_from_the_wallet_and_it_is_active_at_once(writing: Writing) -> None:
    # given
    bundle = make_bundle(writing)
    fund(writing, "cleo", "100.00")
    # when
    response = writing.client("cleo").post(bundle_url(bundle.pk, "buy/"), {"method": "wallet"}, format="json")
    # then: active for 30 days, 10 pages, the invoice paid, 90.00 out of the wallet
    assert response.status_code == 201, response.content
    body = response.json()
    purchase = body["purchase"]
    assert (purchase["status"], purchase["remaining"], purchase["quantity"]) == ("active", 10, 10)
    assert purchase["invoice"]["status"] == "paid" and body["client_secret"] is None
    with tenant_context(writing.tenant):
        stored = BundlePurchase.objects.get(pk=purchase["id"])
        assert stored.expires_at is not None and stored.activated_at is not None
        assert stored.expires_at - stored.activated_at == timedelta(days=30)
        assert wallet_of(user=writing.cleo).balance == Decimal("10.00")
        assert LedgerEntry.objects.filter(reference=f"writing_bundle:{stored.pk}:payment").count() == 1
    assert [row["id"] for row in writing.client("cleo").get(PURCHASES).json()["results"]] == [purchase["id"]]


def test_a_client_without_the_money_is_refused_and_nothing_is_left(writing: Writing) -> None:
    # given
    bundle = make_bundle(writing)
    fund(writing, "cleo", "50.00")
    # when
    response = writing.client("cleo").post(bundle_url(bundle.pk, "buy/"), {"method": "wallet"}, format="json")
    # then
    assert err(response) == (402, "insufficient_funds")
    with tenant_context(writing.tenant):
        assert not BundlePurchase.objects.filter(client=writing.cleo).exists()
        assert not Invoice.objects.filter(customer=writing.cleo).exists()


def test_a_card_purchase_waits_for_the_payment_and_is_activated_by_it(writing: Writing) -> None:
    # given: a card payment started (Stripe stood in for)
    bundle = make_bundle(writing)
    with stripe_on("pi_bundle_card"):
        response = writing.client("cleo").post(bundle_url(bundle.pk, "buy/"), {"method": "card"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["purchase"]["status"] == "pending" and body["client_secret"] == "pi_bundle_card_secret"
    purchase_id = body["purchase"]["id"]
    # a pending purchase pays nothing
    order = make_order(writing)
    refused = writing.client("cleo").post(pay_bundle_url(order.pk), {"purchase": purchase_id}, format="json")
    assert err(refused) == (409, "bundle_not_active")
    # when: the payment's invoice_paid (what the webhook sends when Stripe reports it)
    with tenant_context(writing.tenant):
        invoice = Invoice.objects.get(writing_bundle__pk=purchase_id)
        invoice_paid.send(sender=Invoice, invoice=invoice)
        invoice_paid.send(sender=Invoice, invoice=invoice)  # a repeat changes nothing
    # then
    assert writing.client("cleo").get(purchase_url(purchase_id)).json()["status"] == "active"
    with tenant_context(writing.tenant):
        assert AuditLogEntry.objects.filter(verb="writing_bundle.activated", target_id=str(purchase_id)).count() == 1


def test_cards_off_answers_503_and_leaves_nothing(writing: Writing) -> None:
    bundle = make_bundle(writing)
    response = writing.client("cleo").post(bundle_url(bundle.pk, "buy/"), {"method": "card"}, format="json")
    assert err(response) == (503, "payments_unavailable")
    with tenant_context(writing.tenant):
        assert not BundlePurchase.objects.filter(client=writing.cleo).exists()


def test_an_inactive_bundle_cannot_be_bought(writing: Writing) -> None:
    bundle = make_bundle(writing, inactive=True)
    fund(writing, "cleo", "100.00")
    response = writing.client("cleo").post(bundle_url(bundle.pk, "buy/"), {"method": "wallet"}, format="json")
    assert err(response) == (404, "not_found")


# --- Drawing ----------------------------------------------------------------------------------------


def test_an_order_paid_from_a_bundle_is_available_and_its_invoice_called_off(writing: Writing) -> None:
    # given: 10 pages bought, a 2-page unpaid order
    purchase = make_purchase(writing)
    order = make_order(writing)
    balance = reload(writing, purchase)
    # when
    response = writing.client("cleo").post(pay_bundle_url(order.pk), {"purchase": purchase.pk}, format="json")
    # then: the order is paid, 8 pages left, the order's invoice cancelled with the reason, no money moved
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "available"
    assert writing.client("cleo").get(purchase_url(purchase.pk)).json()["remaining"] == 8
    with tenant_context(writing.tenant):
        invoice = Invoice.objects.get(writing_order=order)
        assert invoice.status == "cancelled" and f"paid by bundle #{purchase.pk}" in invoice.cancel_reason
        assert wallet_of(user=writing.cleo).balance == Decimal("0.00")
        assert BundleDraw.objects.get(order=order).units == 2
        paid = AuditLogEntry.objects.get(verb="writing_order.paid", target_id=str(order.pk))
        assert paid.changes["via"] == "bundle"
    assert balance.remaining == 10
    # and it cannot be paid again
    again = writing.client("cleo").post(pay_bundle_url(order.pk), {"purchase": purchase.pk}, format="json")
    assert err(again) == (409, "invalid_status_transition")
    assert err(writing.client("cleo").post(order_url(order.pk, "pay/wallet/")))[0] == 409


def test_the_last_units_use_the_bundle_up_and_more_is_refused(writing: Writing) -> None:
    # given: a 3-page bundle and two 2-page orders
    purchase = make_purchase(writing, bundle=make_bundle(writing, quantity=3))
    first, second = make_order(writing), make_order(writing)
    cleo = writing.client("cleo")
    # when
    assert cleo.post(pay_bundle_url(first.pk), {"purchase": purchase.pk}, format="json").status_code == 200
    refused = cleo.post(pay_bundle_url(second.pk), {"purchase": purchase.pk}, format="json")
    # then
    assert err(refused) == (409, "bundle_insufficient_units")
    assert refused.json()["error"]["details"] == {"remaining": 1, "required": 2, "unit": "pages"}
    assert reload(writing, second).status == "unpaid"
    # and a 1-page order takes the last page
    last = make_order(writing, pages=1)
    assert cleo.post(pay_bundle_url(last.pk), {"purchase": purchase.pk}, format="json").status_code == 200
    assert reload(writing, purchase).status == "used_up"


def test_an_assignments_bundle_draws_one_per_order_whatever_its_pages(writing: Writing) -> None:
    purchase = make_purchase(writing, bundle=make_bundle(writing, assignments=True))
    order = make_order(writing, pages=7)
    response = writing.client("cleo").post(pay_bundle_url(order.pk), {"purchase": purchase.pk}, format="json")
    assert response.status_code == 200, response.content
    assert reload(writing, purchase).remaining == 4


def test_an_expired_bundle_pays_nothing_even_before_the_task_ran(writing: Writing) -> None:
    # given: a purchase whose validity has run out, still marked active
    purchase = make_purchase(writing)
    with tenant_context(writing.tenant):
        BundlePurchase.objects.filter(pk=purchase.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    order = make_order(writing)
    # when
    response = writing.client("cleo").post(pay_bundle_url(order.pk), {"purchase": purchase.pk}, format="json")
    # then
    assert err(response) == (409, "bundle_not_active")
    assert response.json()["error"]["details"] == {"status": "expired"}
    # and the beat task marks it expired, once
    with tenant_context(writing.tenant):
        assert purchases_expire_task() == [purchase.pk]
        assert purchases_expire_task() == []
    assert reload(writing, purchase).status == "expired"


def test_someone_elses_purchase_or_order_answers_404(writing: Writing) -> None:
    carls = make_purchase(writing, "carl")
    order = make_order(writing)
    cleo = writing.client("cleo")
    assert err(cleo.post(pay_bundle_url(order.pk), {"purchase": carls.pk}, format="json")) == (
        404,
        "not_found",
    )
    cleos = make_purchase(writing)
    assert err(writing.client("carl").post(pay_bundle_url(order.pk), {"purchase": cleos.pk}, format="json")) == (
        404,
        "not_found",
    )
    # an admin sees both but pays nobody's order
    assert err(writing.client("admin").post(pay_bundle_url(order.pk), {"purchase": cleos.pk}, format="json")) == (
        404,
        "not_found",
    )
    assert reload(writing, order).status == "unpaid"


# --- Giving units back ------------------------------------------------------------------------------


def test_cancelling_an_order_paid_from_a_bundle_gives_the_units_back(writing: Writing) -> None:
    # given: a 2-page bundle used up by a 2-page order
    purchase = make_purchase(writing, bundle=make_bundle(writing, quantity=2))
    order = make_order(writing)
    writing.client("cleo").post(pay_bundle_url(order.pk), {"purchase": purchase.pk}, format="json")
    assert reload(writing, purchase).status == "used_up"
    # when: an admin cancels the paid order
    response = writing.client("admin").post(order_url(order.pk, "cancel/"), {"reason": "No writer."}, format="json")
    # then: the units are back and the bundle active again; once only
    assert response.status_code == 200, response.content
    back = reload(writing, purchase)
    assert (back.remaining, back.status) == (2, "active")
    with tenant_context(writing.tenant):
        assert BundleDraw.objects.get(order=order).returned_at is not None
        assert AuditLogEntry.objects.filter(verb="writing_bundle.units_returned").count() == 1


def test_cancelling_an_unpaid_order_touches_no_bundle(writing: Writing) -> None:
    purchase = make_purchase(writing)
    order = make_order(writing)
    assert writing.client("cleo").post(order_url(order.pk, "cancel/"), {}, format="json").status_code == 200
    assert reload(writing, purchase).remaining == 10


def test_a_dispute_resolved_cancelled_gives_the_units_back(writing: Writing) -> None:
    # given: a disputed order of cleo's (paid from her wallet by the factory), and a draw recorded
    #        as if it had been paid from her bundle is not possible: so pay a fresh order from the
    #        bundle and walk it through the services to disputed
    from tenant_apps.writing.orders import services as orders

    purchase = make_purchase(writing)
    order = make_order(writing)
    writing.client("cleo").post(pay_bundle_url(order.pk), {"purchase": purchase.pk}, format="json")
    with tenant_context(writing.tenant):
        from tests.factories.base import site_admin

        order = orders.order_assign(order=reload(writing, order), actor=site_admin(), writer=writing.wren)
        order = orders.order_submit(order=order, actor=writing.wren)
        order = orders.order_deliver(order=order, actor=writing.eddie)
        order = orders.order_dispute(order=order, actor=writing.cleo, reason="Off topic.")
    assert reload(writing, purchase).remaining == 8
    # when
    response = writing.client("admin").post(
        order_url(order.pk, "resolve/"), {"outcome": "cancelled", "note": "Refunded in pages."}, format="json"
    )
    # then
    assert response.status_code == 200, response.content
    assert reload(writing, purchase).remaining == 10


def test_units_given_back_to_a_used_up_bundle_past_its_expiry_stay_unusable(writing: Writing) -> None:
    purchase = make_purchase(writing, bundle=make_bundle(writing, quantity=2))
    order = make_order(writing)
    writing.client("cleo").post(pay_bundle_url(order.pk), {"purchase": purchase.pk}, format="json")
    with tenant_context(writing.tenant):
        BundlePurchase.objects.filter(pk=purchase.pk).update(expires_at=timezone.now() - timedelta(days=1))
    writing.client("admin").post(order_url(order.pk, "cancel/"), {}, format="json")
    back = reload(writing, purchase)
    assert (back.remaining, back.status) == (2, "expired")


def test_an_order_with_a_card_payment_under_way_is_not_paid_from_a_bundle(writing: Writing) -> None:
    # given: cleo started paying her order by card (Stripe stood in for), and holds a bundle
    purchase = make_purchase(writing)
    order = make_order(writing)
    with stripe_on("pi_order_card"):
        started = writing.client("cleo").post(order_url(order.pk, "pay/card/"))
    assert started.status_code == 200, started.content
    # when
    response = writing.client("cleo").post(pay_bundle_url(order.pk), {"purchase": purchase.pk}, format="json")
    # then: the card payment settles it; nothing drawn, the invoice untouched
    assert err(response) == (409, "invoice_has_payments")
    assert reload(writing, purchase).remaining == 10
    with tenant_context(writing.tenant):
        assert Invoice.objects.get(writing_order=order).status == "unpaid"
