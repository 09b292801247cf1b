"""Tenants do not see each other's invoices or payments, through the API, the ORM or the webhook."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tests.factories import StripePaymentFactory
from tests.fixture_types import ApiAs, ClientFor, Deliver, Login, MakeInvoice, SubmitOffline
from tests.tenant_apps.payments.conftest import INVOICES, PAYMENTS, error_code, intent_event, refreshed


def test_an_invoice_of_alpha_is_invisible_from_beta(
    alpha: Tenant,
    beta: Tenant,
    people: SimpleNamespace,
    api: ApiAs,
    make_invoice: MakeInvoice,
    submit_offline: SubmitOffline,
) -> None:
    # given: an invoice and a payment in alpha
    from tenant_apps.payments.models import Invoice, Payment

    invoice = make_invoice(alpha, people.student)
    payment = submit_offline(alpha, "student@alpha.test", invoice, "10.00").json()
    beta_admin = api(beta, "admin@beta.test")
    # when
    listed = beta_admin.get(INVOICES).json()
    detail = beta_admin.get(f"{INVOICES}{invoice.pk}/")
    pdf = beta_admin.get(f"{INVOICES}{invoice.pk}/pdf/")
    payment_detail = beta_admin.get(f"{PAYMENTS}{payment['id']}/")
    approve = beta_admin.post(f"{PAYMENTS}{payment['id']}/approve/")
    # then
    assert listed["count"] == 0
    assert [r.status_code for r in (detail, pdf, payment_detail, approve)] == [404] * 4
    assert error_code(approve) == "not_found"
    with tenant_context(beta):
        assert not Invoice.objects.exists() and not Payment.objects.exists()
    with tenant_context(alpha):
        assert Invoice.objects.filter(pk=invoice.pk).exists()
    assert refreshed(alpha, invoice).status == "unpaid"


def test_alphas_token_is_refused_by_betas_payments_api(
    alpha: Tenant, beta: Tenant, people: SimpleNamespace, client_for: ClientFor, login: Login, make_invoice: MakeInvoice
) -> None:
    # given
    invoice = make_invoice(alpha, people.student)
    token = login(alpha, "admin@alpha.test")["access"]
    # when
    response = client_for(beta, token).get(f"{INVOICES}{invoice.pk}/")
    # then
    assert response.status_code == 401 and error_code(response) == "token_not_valid"


def test_a_webhook_naming_alphas_intent_changes_nothing_in_beta_or_alpha(
    alpha: Tenant, beta: Tenant, people: SimpleNamespace, make_invoice: MakeInvoice, deliver: Deliver
) -> None:
    # given: a pending card payment in alpha
    from tenant_apps.payments.models import Payment, StripeEvent

    invoice = make_invoice(alpha, people.student)
    with tenant_context(alpha):
        payment = StripePaymentFactory(
            invoice=invoice, payer=people.student, amount=invoice.total, payment_intent_id="pi_alpha_only"
        )
    intent: dict[str, Any] = {
        "id": "pi_alpha_only",
        "object": "payment_intent",
        "amount": 10000,
        "amount_received": 10000,
        "currency": "usd",
        "status": "succeeded",
        "metadata": {"tenant": "alpha", "invoice": str(invoice.pk), "payment": str(payment.pk)},
    }
    # when: alpha's event is sent to beta, and a copy claiming to be beta's too
    as_sent = deliver(beta, intent_event(intent, "payment_intent.succeeded", event_id="evt_a"))
    relabelled = {**intent, "metadata": {**intent["metadata"], "tenant": "beta"}}
    claimed = deliver(beta, intent_event(relabelled, "payment_intent.succeeded", event_id="evt_b"))
    # then
    assert as_sent.json()["outcome"] == "other_tenant"
    assert claimed.json()["outcome"] == "unknown_payment"  # beta has no such intent
    with tenant_context(alpha):
        assert Payment.objects.get(pk=payment.pk).status == "pending"
        assert not StripeEvent.objects.exists()
    assert refreshed(alpha, invoice).status == "unpaid"
