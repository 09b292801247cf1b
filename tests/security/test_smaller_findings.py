"""Smaller findings of the audit: look-alike and reserved tenant slugs, self-approved payments,
an existence oracle on enrolments, and Unicode digits in amounts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_exists, tenant_context

from shared_apps.tenancy.models import Tenant
from tests.conftest import PASSWORD

RECEIPT = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

# ---------------------------------------------------------------------------------------------
# a. Tenant slugs: punycode, "--", template schema names
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("slug", "code"), [
    ("xn--80ak6aa92e", "invalid_slug"),  # punycode: shows as a look-alike Unicode name
    ("xn--alpha-9ta", "invalid_slug"),
    ("my--school", "invalid_slug"),
    ("template", "reserved_slug"),
    ("template-school", "reserved_slug"),  # "_template_school" as a DNS label
    ("templates", "reserved_slug"),
])
def test_look_alike_or_template_slugs_are_refused(session_tenants, db, client_for, login, slug, code):
    staff = client_for(None, login(None, "staff@localhost")["access"])
    # when
    response = staff.post("/api/v1/tenants/", {"name": "Evil", "slug": slug, "kind": "school",
                                               "owner_email": "o@evil.test", "owner_password": PASSWORD})
    # then
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == code
    assert "slug" in response.json()["error"]["details"]
    assert not Tenant.objects.filter(schema_name=slug).exists()
    assert not schema_exists(slug)


# ---------------------------------------------------------------------------------------------
# b. A finance user approving the offline payment they submitted themselves
# ---------------------------------------------------------------------------------------------


def _invoice(tenant, customer):
    from tenant_apps.payments.services import invoice_create

    with tenant_context(tenant):
        return invoice_create(customer=customer, due_date=timezone.localdate() + timedelta(days=7), send_email=False,
                              lines=[{"description": "Fee", "quantity": 1, "unit_price": "100.00"}])


def _submit_offline(client, invoice_pk: int, tracking_code: str = "BANK-1") -> dict:
    receipt = client.post("/api/v1/files/", {"file": SimpleUploadedFile("r.pdf", RECEIPT, "application/pdf")},
                          format="multipart").json()["id"]
    response = client.post(f"/api/v1/invoices/{invoice_pk}/offline-payments/",
                           {"amount": "100.00", "tracking_code": tracking_code, "receipt": receipt})
    assert response.status_code == 201, response.content
    return dict(response.json())


@pytest.mark.parametrize(("action", "body"), [("approve", {}), ("reject", {"reason": "Nope"})])
def test_finance_user_cannot_decide_their_own_offline_payment(alpha, client_for, login, make_user, action, body):
    # given a financial user who records a bank transfer (that never happened) on an invoice
    student = make_user(alpha, "payee@example.com", roles=["student"])
    make_user(alpha, "fay@example.com", roles=["financial"])
    fay = client_for(alpha, login(alpha, "fay@example.com")["access"])
    invoice = _invoice(alpha, student)
    payment = _submit_offline(fay, invoice.pk)
    # when they decide on it themselves
    response = fay.post(f"/api/v1/payments/{payment['id']}/{action}/", body)
    # then it is refused and the payment stays pending, the invoice unpaid
    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] == "self_approval_forbidden"
    detail = fay.get(f"/api/v1/payments/{payment['id']}/").json()
    assert detail["status"] == "pending"
    assert fay.get(f"/api/v1/invoices/{invoice.pk}/").json()["status"] == "unpaid"
    # and a colleague may decide
    make_user(alpha, "finn@example.com", roles=["financial"])
    finn = client_for(alpha, login(alpha, "finn@example.com")["access"])
    assert finn.post(f"/api/v1/payments/{payment['id']}/{action}/", body).status_code == 200
