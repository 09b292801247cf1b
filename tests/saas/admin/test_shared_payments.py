"""The invoices' and payments' admin: read-only lists and pages, and the API's decisions as
actions (approve, reject with a reason, cancel) with the services' rules and side effects."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Q
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.notifications.models import Notification
from tenant_apps.payments.models import Invoice, Payment
from tests.admin import (
    admin_client,
    admin_url,
    assert_admin_pages,
    assert_list_queries_fixed,
    messages_of,
    run_action,
)
from tests.factories import InvoiceFactory, PaymentFactory, UserFactory, create_in
from tests.fixture_types import ClientFor, Login, MakeUser

pytestmark = pytest.mark.django_db

INVOICES = admin_url("payments.invoice")
PAYMENTS = admin_url("payments.payment")


def _student(tenant: Tenant, email: str = "ann@alpha.test") -> User:
    return create_in(tenant, UserFactory, email=email, roles=["student"])


def _pending(tenant: Tenant, customer: User, total: str = "100.00") -> Payment:
    with tenant_context(tenant):
        invoice = InvoiceFactory(customer=customer, total=total)
        return PaymentFactory(invoice=invoice)


def _state(tenant: Tenant, payment: Payment) -> dict[str, Any]:
    """What a user of the site sees of a decided payment and its invoice, ids left out."""
    with tenant_context(tenant):
        payment = Payment.objects.select_related("invoice", "decided_by").get(pk=payment.pk)
        invoice = payment.invoice
        audit = sorted(
            f"{model}:{verb}"
            for model, verb in AuditLogEntry.objects.filter(
                Q(target_type__model="payment", target_id=str(payment.pk))
                | Q(target_type__model="invoice", target_id=str(invoice.pk))
            ).values_list("target_type__model", "verb")
        )
        told = sorted(
            Notification.objects.filter(recipient=payment.payer, object_id=str(payment.pk)).values_list(
                "verb", flat=True
            )
        )
        return {
            "payment": (payment.status, payment.decided_by.email if payment.decided_by else None, payment.reason),
            "invoice": (invoice.status, invoice.amount_paid, invoice.paid_at is not None),
            "audit": audit,
            "payer_told": told,
        }


def test_the_invoice_and_payment_pages_answer_the_admin_only(alpha: Tenant) -> None:
    ann = _student(alpha)
    payment = _pending(alpha, ann)

    assert_admin_pages(
        alpha,
        "payments.invoice",
        payment.invoice_id,
        query="?status__exact=unpaid&currency__exact=USD&q=ann@alpha",
        shows=payment.invoice.number,
        non_admin="ann@alpha.test",
    )
    assert_admin_pages(
        alpha,
        "payments.payment",
        payment.pk,
        query=f"?method__exact=offline&status__exact=pending&q={payment.tracking_code}",
        shows=payment.tracking_code,
    )
    detail = admin_client(alpha).get(admin_url("payments.invoice", "change", payment.invoice_id)).content.decode()
    assert "Course fee" in detail and payment.tracking_code in detail  # lines and payments inline


def test_approving_in_the_admin_settles_the_invoice_as_the_api_does(
    alpha: Tenant, login: Login, client_for: ClientFor
) -> None:
    ann = _student(alpha)
    in_admin, through_api = _pending(alpha, ann), _pending(alpha, ann)

    response = run_action(admin_client(alpha), PAYMENTS, "approve_payments", [in_admin])
    token = login(alpha, "admin@alpha.test")["access"]
    assert client_for(alpha, token).post(f"/api/v1/payments/{through_api.pk}/approve/").status_code == 200

    assert "1 approved." in messages_of(response)
    state = _state(alpha, in_admin)
    assert state == _state(alpha, through_api)
    assert state["payment"] == ("approved", "admin@alpha.test", "")
    assert state["invoice"] == ("paid", Decimal("100.00"), True)
    assert {"payment:payment.approved", "invoice:invoice.status_changed"} <= set(state["audit"])
    assert state["payer_told"] == ["payment.approved"]


def test_approving_twice_is_refused_with_a_message_and_changes_nothing(alpha: Tenant) -> None:
    payment = _pending(alpha, _student(alpha))
    client = admin_client(alpha)
    run_action(client, PAYMENTS, "approve_payments", [payment])
    before = _state(alpha, payment)

    again = run_action(client, PAYMENTS, "approve_payments", [payment])

    assert any("already approved" in m for m in messages_of(again))
    assert not any(m.split(" ", 1)[-1] == "approved." for m in messages_of(again))
    assert _state(alpha, payment) == before


def test_approving_ones_own_payment_is_refused(alpha: Tenant) -> None:
    with tenant_context(alpha):
        owner = User.objects.get(email="admin@alpha.test")
        UserFactory(email="second@alpha.test", roles=["admin"])  # so the factory has a finance user besides
    payment = _pending(alpha, owner)

    response = run_action(admin_client(alpha), PAYMENTS, "approve_payments", [payment])

    assert messages_of(response) == [f"{payment}: You cannot approve or reject a payment you submitted yourself."]
    assert _state(alpha, payment)["payment"][0] == "pending"


def test_rejecting_asks_for_a_reason_then_rejects_through_the_service(alpha: Tenant) -> None:
    payment = _pending(alpha, _student(alpha))
    client = admin_client(alpha)

    asked = client.post(PAYMENTS, {"action": "reject_payments", "_selected_action": [payment.pk], "index": "0"})
    assert asked.status_code == 200
    page = asked.content.decode()
    assert 'name="reason"' in page and str(payment) in page
    blank = client.post(PAYMENTS, {"action": "reject_payments", "_selected_action": [payment.pk], "apply": "1"})
    assert blank.status_code == 200 and "This field is required." in blank.content.decode()
    assert _state(alpha, payment)["payment"][0] == "pending"

    done = run_action(client, PAYMENTS, "reject_payments", [payment], reason="No such transfer arrived.")

    assert "1 rejected." in messages_of(done)
    state = _state(alpha, payment)
    assert state["payment"] == ("rejected", "admin@alpha.test", "No such transfer arrived.")
    assert state["invoice"] == ("unpaid", Decimal("0.00"), False)
    assert "payment:payment.rejected" in state["audit"] and state["payer_told"] == ["payment.rejected"]


def test_cancelling_invoices_follows_the_service_rules(alpha: Tenant) -> None:
    ann = _student(alpha)
    with tenant_context(alpha):
        open_invoice = InvoiceFactory(customer=ann)
        paid_invoice = InvoiceFactory(customer=ann, paid=True)

    response = run_action(
        admin_client(alpha), INVOICES, "cancel_invoices", [open_invoice, paid_invoice], reason="Issued twice."
    )

    assert "1 cancelled." in messages_of(response)
    assert any(m.startswith(f"{paid_invoice.number}:") and "cannot be cancelled" in m for m in messages_of(response))
    with tenant_context(alpha):
        cancelled = Invoice.objects.get(pk=open_invoice.pk)
        assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "Issued twice.")
        assert Invoice.objects.get(pk=paid_invoice.pk).status == "paid"
        assert AuditLogEntry.objects.filter(target_id=str(open_invoice.pk), verb="invoice.cancelled").exists()


def test_another_sites_invoices_and_payments_never_show(alpha: Tenant, beta: Tenant, make_user: MakeUser) -> None:
    stranger = _student(beta, "stranger@beta.test")
    payment = _pending(beta, stranger)
    client = admin_client(alpha)

    for url in (
        INVOICES + "?q=stranger",
        PAYMENTS + "?q=stranger",
        admin_url("payments.invoice", "change", payment.invoice_id),
        admin_url("payments.payment", "change", payment.pk),
    ):
        response = client.get(url)
        assert response.status_code in (200, 302), url
        assert "stranger@beta.test" not in response.content.decode()
        assert payment.tracking_code not in response.content.decode()


def test_the_invoice_and_payment_lists_cost_the_same_queries_for_2_and_10_rows(alpha: Tenant) -> None:
    ann = _student(alpha)

    assert_list_queries_fixed(alpha, PAYMENTS, lambda: _pending(alpha, ann))
    assert_list_queries_fixed(alpha, INVOICES, lambda: _pending(alpha, ann))
