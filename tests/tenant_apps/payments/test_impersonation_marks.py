"""Money moved while platform staff impersonate a user is marked (issue 17, point 2): the payment
(and a refund) keeps the staff member's e-mail in ``impersonated_by``, shown by the API, and the
Stripe objects carry it as ``impersonated_by`` metadata; the same actions by the user themselves
are not marked."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import stripe
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tests.fixture_types import ApiAs, ClientFor, Login, MakeInvoice
from tests.tenant_apps.payments.conftest import INVOICES, RECEIPT_BYTES

STAFF = "staff@localhost"


@pytest.fixture
def impersonating(client_for: ClientFor, login: Login) -> ApiAs:
    """``impersonating(tenant, email)``: an API client of ``tenant`` acting as ``email`` with an
    impersonation token minted by the platform's staff."""

    def make(tenant: Tenant, email: str) -> APIClient:
        staff = client_for(None, login(None, STAFF)["access"])
        started = staff.post(
            f"/api/v1/tenants/{tenant.schema_name}/impersonate/", {"email": email, "reason": "Ticket #42"}
        )
        assert started.status_code == 201, started.content
        return client_for(tenant, started.json()["access"])

    return make


def _pay_offline(client: APIClient, invoice_id: int, tracking_code: str) -> dict[str, object]:
    upload = client.post("/api/v1/files/", {"file": SimpleUploadedFile("r.pdf", RECEIPT_BYTES)}, format="multipart")
    assert upload.status_code == 201, upload.content
    response = client.post(
        f"{INVOICES}{invoice_id}/offline-payments/",
        {"amount": "10.00", "tracking_code": tracking_code, "receipt": upload.json()["id"]},
    )
    assert response.status_code == 201, response.content
    body: dict[str, object] = response.json()
    return body


def test_an_offline_payment_made_while_impersonating_names_the_staff_member(
    alpha: Tenant, people: SimpleNamespace, api: ApiAs, impersonating: ApiAs, make_invoice: MakeInvoice
) -> None:
    # given
    invoice = make_invoice(alpha, people.student)
    # when
    by_staff = _pay_offline(impersonating(alpha, "student@alpha.test"), invoice.pk, "TRK-IMP")
    by_user = _pay_offline(api(alpha, "student@alpha.test"), invoice.pk, "TRK-OWN")
    # then: the finance team sees which one staff made
    listed = {
        p["tracking_code"]: p for p in api(alpha, "financial@alpha.test").get("/api/v1/payments/").json()["results"]
    }
    assert (by_staff["impersonated_by"], listed["TRK-IMP"]["impersonated_by"]) == (STAFF, STAFF)
    assert (by_user["impersonated_by"], listed["TRK-OWN"]["impersonated_by"]) == ("", "")


def test_a_card_payment_made_while_impersonating_carries_the_staff_member_to_stripe(
    alpha: Tenant,
    people: SimpleNamespace,
    impersonating: ApiAs,
    api: ApiAs,
    make_invoice: MakeInvoice,
    stripe_on: stripe.StripeClient,
) -> None:
    # given
    invoice = make_invoice(alpha, people.student)
    # when
    staff_made = impersonating(alpha, "student@alpha.test").post(
        f"{INVOICES}{invoice.pk}/stripe-payment-intent/", {"amount": "20.00"}
    )
    user_made = api(alpha, "student@alpha.test").post(
        f"{INVOICES}{invoice.pk}/stripe-payment-intent/", {"amount": "30.00"}
    )
    # then
    assert staff_made.status_code == 201, staff_made.content
    assert user_made.status_code == 201, user_made.content
    staff_intent = stripe_on.v1.payment_intents.retrieve(staff_made.json()["payment_intent_id"]).to_dict()
    user_intent = stripe_on.v1.payment_intents.retrieve(user_made.json()["payment_intent_id"]).to_dict()
    assert staff_intent["metadata"]["impersonated_by"] == STAFF
    assert "impersonated_by" not in user_intent["metadata"]
    assert staff_made.json()["payment"]["impersonated_by"] == STAFF
    assert user_made.json()["payment"]["impersonated_by"] == ""


def test_a_refund_made_while_impersonating_names_the_staff_member(
    alpha: Tenant, people: SimpleNamespace, impersonating: ApiAs, make_invoice: MakeInvoice
) -> None:
    # given: an approved offline payment
    from django_tenants.utils import tenant_context

    from tenant_apps.audit.context import reset_impersonator, set_impersonator
    from tenant_apps.payments.models import Payment
    from tenant_apps.payments.services import payment_approve, payment_refund

    invoice = make_invoice(alpha, people.student)
    paid = _pay_offline(impersonating(alpha, "student@alpha.test"), invoice.pk, "TRK-REF")
    with tenant_context(alpha):
        payment = payment_approve(payment=Payment.objects.get(pk=int(str(paid["id"]))), actor=people.financial)
        # when: one refund is made during an impersonated request, one by the finance user
        token = set_impersonator({"email": STAFF, "id": 1})
        try:
            by_staff = payment_refund(payment=payment, amount="4.00", reason="Reproducing #42", actor=people.financial)
        finally:
            reset_impersonator(token)
        by_user = payment_refund(payment=payment, amount="6.00", reason="Goodwill", actor=people.financial)
    # then
    assert (by_staff.impersonated_by, by_user.impersonated_by) == (STAFF, "")
