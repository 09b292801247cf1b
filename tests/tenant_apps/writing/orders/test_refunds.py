"""Refunds by an admin's decision: part or all of what a cancelled or disputed order was paid goes
back to the client's wallet (one ledger row each), never more than was paid in all; the client
sees them, is notified and e-mailed; a disputed order refunded in part and then completed pays
its writer on what the client kept."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core import mail
from django_tenants.utils import tenant_context
from pytest_django import DjangoCaptureOnCommitCallbacks

from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.notifications.models import Notification
from tenant_apps.wallet.models import LedgerEntry
from tenant_apps.wallet.selectors import wallet_of
from tests.factories import PaymentFactory, WalletFactory
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import TOTAL, error_code, make_order, order_url, set_settings


def _refund(writing: Writing, pk: int, amount: Any, reason: str = "Partly not delivered.") -> Any:
    return writing.client("admin").post(order_url(pk, "refunds/"), {"amount": amount, "reason": reason}, format="json")


def _cancelled_paid_order(writing: Writing) -> Any:
    order = make_order(writing, "available")
    assert writing.client("admin").post(order_url(order.pk, "cancel/"), {}, format="json").status_code == 200
    return order


def test_cancelling_a_paid_order_moves_no_money_and_an_admin_refunds_it_in_full(
    writing: Writing, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # given: cleo paid 24.00 from her wallet; the admin cancels the order
    order = _cancelled_paid_order(writing)
    with tenant_context(writing.tenant):
        assert wallet_of(user=writing.cleo).balance == Decimal("0.00")
    mail.outbox.clear()
    # when: the admin refunds it all
    with django_capture_on_commit_callbacks(execute=True):
        response = _refund(writing, order.pk, "24.00", "Cancelled by us.")
    # then: 24.00 back in her wallet by one refund ledger row; she is told and e-mailed
    assert response.status_code == 201, response.content
    assert (response.json()["amount"], response.json()["currency"]) == ("24.00", "USD")
    with tenant_context(writing.tenant):
        assert wallet_of(user=writing.cleo).balance == TOTAL
        entry = LedgerEntry.objects.get(reference=f"order:{order.pk}:refund:{response.json()['id']}")
        assert (entry.kind, entry.balance_delta, entry.wallet.user_id) == ("refund", TOTAL, writing.cleo.pk)
        assert Notification.objects.filter(recipient=writing.cleo, verb="writing_order.refunded").exists()
        assert AuditLogEntry.objects.filter(verb="writing_order.refunded", target_id=str(order.pk)).exists()
    assert [m.to for m in mail.outbox] == [[writing.cleo.email]]
    assert "Cancelled by us." in str(mail.outbox[0].body)
    # and the client sees it on the order
    listed = writing.client("cleo").get(order_url(order.pk, "refunds/")).json()
    assert [(r["amount"], r["reason"]) for r in listed] == [("24.00", "Cancelled by us.")]
    assert writing.client("cleo").get(order_url(order.pk)).json()["refunded"] == "24.00"


def test_partial_refunds_never_add_up_to_more_than_was_paid(writing: Writing) -> None:
    # given: a disputed 24.00 order
    order = make_order(writing, "disputed")
    # when: 10.00, then 10.00, then 5.00 (only 4.00 is left)
    assert _refund(writing, order.pk, "10.00").status_code == 201
    assert _refund(writing, order.pk, "10.00").status_code == 201
    over = _refund(writing, order.pk, "5.00")
    # then: the third is refused, saying what is left; 20.00 refunded, in two ledger rows
    assert (over.status_code, error_code(over)) == (409, "refund_exceeds_payment")
    assert over.json()["error"]["details"]["refundable"] == "4.00"
    with tenant_context(writing.tenant):
        assert wallet_of(user=writing.cleo).balance == Decimal("20.00")
        assert LedgerEntry.objects.filter(reference__startswith=f"order:{order.pk}:refund:").count() == 2
    assert _refund(writing, order.pk, "4.00").status_code == 201
    assert writing.client("admin").get(order_url(order.pk)).json()["refunded"] == "24.00"


def test_a_bank_transfer_is_refunded_to_the_wallet_too(writing: Writing) -> None:
    # given: cleo's order paid by an approved bank transfer, then cancelled by the admin
    order = make_order(writing)
    with tenant_context(writing.tenant):
        assert order.invoice is not None
        PaymentFactory(invoice=order.invoice, approved=True)
    assert writing.client("admin").post(order_url(order.pk, "cancel/"), {}, format="json").status_code == 200
    # when
    response = _refund(writing, order.pk, "24.00")
    # then
    assert response.status_code == 201, response.content
    with tenant_context(writing.tenant):
        assert wallet_of(user=writing.cleo).balance == TOTAL


def test_only_a_paid_cancelled_or_disputed_order_is_refunded(writing: Writing) -> None:
    delivered = make_order(writing, "delivered")
    response = _refund(writing, delivered.pk, "5.00")
    assert (response.status_code, error_code(response)) == (409, "payment_not_refundable")
    assert response.json()["error"]["details"]["status"] == "delivered"
    unpaid = make_order(writing, "cancelled")  # cancelled by the client before paying
    response = _refund(writing, unpaid.pk, "5.00")
    assert (response.status_code, error_code(response)) == (409, "payment_not_refundable")
    with tenant_context(writing.tenant):
        assert not LedgerEntry.objects.filter(kind="refund").exists()


def test_refund_bodies_of_the_wrong_shape_are_400(writing: Writing) -> None:
    order = make_order(writing, "disputed")
    for body in (
        {"amount": "0.00", "reason": "x"},
        {"amount": "-1.00", "reason": "x"},
        {"amount": "1.001", "reason": "x"},
        {"amount": 5, "reason": "x"},
        {"amount": "1e2", "reason": "x"},
        {"amount": "5.00", "reason": ""},
        {"amount": "5.00"},
        {"reason": "x"},
    ):
        response = writing.client("admin").post(order_url(order.pk, "refunds/"), body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert error_code(response) in {"validation_error", "invalid_amount"}
    with tenant_context(writing.tenant):
        assert not LedgerEntry.objects.filter(kind="refund").exists()


def test_a_refund_into_a_wallet_of_another_currency_is_refused(writing: Writing) -> None:
    # given: cleo's wallet holds EUR (opened while the site used EUR); her order was paid by transfer
    order = make_order(writing)
    with tenant_context(writing.tenant):
        assert order.invoice is not None
        PaymentFactory(invoice=order.invoice, approved=True)
        WalletFactory(user=writing.cleo, currency="EUR")
    writing.client("admin").post(order_url(order.pk, "cancel/"), {}, format="json")
    # when / then
    response = _refund(writing, order.pk, "5.00")
    assert (response.status_code, error_code(response)) == (409, "currency_mismatch")


def test_a_disputed_order_refunded_in_part_then_completed_pays_the_writer_on_what_was_kept(writing: Writing) -> None:
    # given: a disputed 24.00 order, 10.00 of it refunded to cleo
    order = make_order(writing, "disputed")
    assert _refund(writing, order.pk, "10.00").status_code == 201
    # when: the admin resolves it completed
    response = writing.client("admin").post(order_url(order.pk, "resolve/"), {"outcome": "completed"}, format="json")
    # then: wren earns half of the 14.00 kept; the money adds up
    assert (response.status_code, response.json()["earning"]) == (200, "7.00")
    with tenant_context(writing.tenant):
        client_back = wallet_of(user=writing.cleo).balance
        writer_paid = wallet_of(user=writing.wren).balance
        assert (client_back, writer_paid) == (Decimal("10.00"), Decimal("7.00"))
        assert client_back + writer_paid <= TOTAL
    # and a completed order is refunded no more
    late = _refund(writing, order.pk, "1.00")
    assert (late.status_code, error_code(late)) == (409, "payment_not_refundable")


def test_per_page_earnings_are_the_levels_amount_times_the_pages_at_most_what_was_kept(writing: Writing) -> None:
    # given: per-page mode; the default level pays 5.00 a page
    set_settings(writing, earning_mode="per_page")
    order = make_order(writing, "delivered")
    # when
    body = writing.client("cleo").post(order_url(order.pk, "approve/"), {}, format="json").json()
    # then: 2 pages x 5.00
    assert body["earning"] == "10.00"
    # and a disputed order with 20.00 of 24.00 refunded earns the 4.00 kept, not 10.00
    disputed = make_order(writing, "disputed")
    assert _refund(writing, disputed.pk, "20.00").status_code == 201
    resolved = writing.client("admin").post(order_url(disputed.pk, "resolve/"), {"outcome": "completed"}, format="json")
    assert resolved.json()["earning"] == "4.00"
    with tenant_context(writing.tenant):
        assert wallet_of(user=writing.wren).balance == Decimal("14.00")


def test_writers_and_editors_do_not_see_refunds(writing: Writing) -> None:
    order = make_order(writing, "disputed")
    assert _refund(writing, order.pk, "3.00").status_code == 201
    for who in ("wren", "eddie"):
        assert writing.client(who).get(order_url(order.pk, "refunds/")).status_code == 403
        assert writing.client(who).get(order_url(order.pk)).json()["refunded"] is None
    assert writing.client("carl").get(order_url(order.pk, "refunds/")).status_code == 404
    assert len(writing.client("sue").get(order_url(order.pk, "refunds/")).json()) == 1


def test_an_admin_switches_the_earning_mode_through_the_settings(writing: Writing) -> None:
    settings_url = "/api/v1/orders/settings/"
    assert writing.client("admin").get(settings_url).json()["earning_mode"] == "share"
    response = writing.client("admin").patch(settings_url, {"earning_mode": "per_page"}, format="json")
    assert (response.status_code, response.json()["earning_mode"]) == (200, "per_page")
    assert "writer_share_percent" not in response.json()
    with tenant_context(writing.tenant):
        assert AuditLogEntry.objects.filter(verb="writing_order_settings.updated").exists()
    assert writing.client("wren").patch(settings_url, {"earning_mode": "share"}, format="json").status_code == 403
