"""Smaller findings of the audit: look-alike and reserved tenant slugs, self-approved payments,
an existence oracle on enrolments, and Unicode digits in amounts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_exists, tenant_context
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.payments.models import Invoice
from tenant_apps.school.programs.models import Enrolment
from tests.conftest import PASSWORD
from tests.fixture_types import ApiResponse, ClientFor, Login, MakeUser

RECEIPT = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

# ---------------------------------------------------------------------------------------------
# a. Tenant slugs: punycode, "--", template schema names
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "code"),
    [
        ("xn--80ak6aa92e", "invalid_slug"),  # punycode: shows as a look-alike Unicode name
        ("xn--alpha-9ta", "invalid_slug"),
        ("my--school", "invalid_slug"),
        ("template", "reserved_slug"),
        ("template-school", "reserved_slug"),  # "_template_school" as a DNS label
        ("templates", "reserved_slug"),
    ],
)
def test_look_alike_or_template_slugs_are_refused(
    session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, login: Login, slug: str, code: str
) -> None:
    staff = client_for(None, login(None, "staff@localhost")["access"])
    # when
    response = staff.post(
        "/api/v1/tenants/",
        {"name": "Evil", "slug": slug, "kind": "school", "owner_email": "o@evil.test", "owner_password": PASSWORD},
    )
    # then
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == code
    assert "slug" in response.json()["error"]["details"]
    assert not Tenant.objects.filter(schema_name=slug).exists()
    assert not schema_exists(slug)


# ---------------------------------------------------------------------------------------------
# b. A finance user approving the offline payment they submitted themselves
# ---------------------------------------------------------------------------------------------


def _invoice(tenant: Tenant, customer: User) -> Invoice:
    from tests.factories import InvoiceFactory, create_in, in_days

    return create_in(
        tenant,
        InvoiceFactory,
        customer=customer,
        due_date=in_days(7),
        lines=[{"description": "Fee", "quantity": 1, "unit_price": "100.00"}],
    )


def _submit_offline(client: APIClient, invoice_pk: int, tracking_code: str = "BANK-1") -> dict[str, Any]:
    receipt = client.post(
        "/api/v1/files/", {"file": SimpleUploadedFile("r.pdf", RECEIPT, "application/pdf")}, format="multipart"
    ).json()["id"]
    response = client.post(
        f"/api/v1/invoices/{invoice_pk}/offline-payments/",
        {"amount": "100.00", "tracking_code": tracking_code, "receipt": receipt},
    )
    assert response.status_code == 201, response.content
    return dict(response.json())


@pytest.mark.parametrize(("action", "body"), [("approve", {}), ("reject", {"reason": "Nope"})])
def test_finance_user_cannot_decide_their_own_offline_payment(
    alpha: Tenant, client_for: ClientFor, login: Login, make_user: MakeUser, action: str, body: dict[str, str]
) -> None:
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


# ---------------------------------------------------------------------------------------------
# c. Enrolment actions: someone else's enrolment answers exactly like a missing one
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def others_enrolment(alpha: Tenant, make_user: MakeUser) -> Enrolment:
    """A requested bootcamp enrolment of another student."""
    from tenant_apps.accounts.models import User
    from tests.factories import BootcampEnrolmentFactory, BootcampFactory

    owner = make_user(alpha, "owner-student@example.com", roles=["student"])
    with tenant_context(alpha):
        admin = User.objects.get(email="admin@alpha.test")
        start = timezone.localdate() + timedelta(days=30)
        program = BootcampFactory(
            actor=admin,
            title="Secret camp",
            start_date=start,
            end_date=start + timedelta(weeks=4),
            capacity=5,
            price=Decimal("10.00"),
            currency="USD",
            teachers=[],
            status="registration_open",
        )
        return BootcampEnrolmentFactory(program=program, student=owner)


@pytest.mark.parametrize("role", ["student", "teacher", "financial"])
@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("", None),
        ("approve/", {}),
        ("reject/", {"reason": "x"}),
        ("reject/", {}),
        ("cancel/", {"reason": "x"}),
        ("cancel/", {}),
        ("withdraw/", {}),
    ],
)
def test_enrolment_actions_do_not_tell_someone_elses_enrolment_from_a_missing_one(
    alpha: Tenant,
    client_for: ClientFor,
    login: Login,
    make_user: MakeUser,
    others_enrolment: Enrolment,
    role: str,
    action: str,
    body: dict[str, str] | None,
) -> None:
    make_user(alpha, f"nosy-{role}@example.com", roles=[role])
    client = client_for(alpha, login(alpha, f"nosy-{role}@example.com")["access"])

    def call(pk: int) -> ApiResponse:
        url = f"/api/v1/bootcamp-enrolments/{pk}/{action}"
        return client.get(url) if body is None else client.post(url, body)

    # when the same action is tried on someone else's enrolment and on an id that does not exist
    theirs, missing = call(others_enrolment.pk), call(others_enrolment.pk + 10_000)
    # then both answer the same 404, and nothing changed
    assert (theirs.status_code, theirs.json()) == (missing.status_code, missing.json())
    assert theirs.status_code == 404
    assert theirs.json()["error"]["code"] == "not_found"
    with tenant_context(alpha):
        others_enrolment.refresh_from_db()
        assert others_enrolment.status == "requested"


def test_a_student_acting_on_their_own_enrolment_beyond_their_role_still_gets_403(
    alpha: Tenant,
    client_for: ClientFor,
    login: Login,
    others_enrolment: Enrolment,
) -> None:
    client = client_for(alpha, login(alpha, "owner-student@example.com")["access"])
    response = client.post(f"/api/v1/bootcamp-enrolments/{others_enrolment.pk}/approve/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


# ---------------------------------------------------------------------------------------------
# d. Amounts in Unicode digits
# ---------------------------------------------------------------------------------------------

ARABIC_INDIC_150 = "\u0661\u0665\u0660"
FULLWIDTH_150 = "\uff11\uff15\uff10"
SUPERSCRIPT_TWO = "1\u00b2"


@pytest.mark.parametrize("amount", [ARABIC_INDIC_150, FULLWIDTH_150, SUPERSCRIPT_TWO, "1e2"])
def test_wallet_top_up_refuses_non_ascii_digits(
    alpha: Tenant, client_for: ClientFor, login: Login, make_user: MakeUser, amount: str
) -> None:
    from tenant_apps.wallet.models import LedgerEntry

    student = make_user(alpha, "saver@example.com", roles=["student"])
    admin = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    # when
    response = admin.post(f"/api/v1/wallets/{student.pk}/top-up/", {"amount": amount})
    # then
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "validation_error"
    assert response.json()["error"]["details"]["amount"] == ["A valid number is required."]
    with tenant_context(alpha):
        assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize("amount", [ARABIC_INDIC_150, FULLWIDTH_150])
def test_invoice_lines_and_offline_payments_refuse_non_ascii_digits(
    alpha: Tenant, client_for: ClientFor, login: Login, make_user: MakeUser, amount: str
) -> None:
    student = make_user(alpha, "payer@example.com", roles=["student"])
    admin = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    # when an invoice line is priced in Unicode digits
    response = admin.post(
        "/api/v1/invoices/",
        {
            "customer": student.pk,
            "due_date": str(timezone.localdate() + timedelta(days=5)),
            "lines": [{"description": "Fee", "quantity": "1", "unit_price": amount}],
        },
        format="json",
    )
    # then
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "validation_error"
    assert response.json()["error"]["details"]["lines"] == {"0": {"unit_price": ["A valid number is required."]}}
    # and an offline payment in Unicode digits is refused as well
    invoice = _invoice(alpha, student)
    payer = client_for(alpha, login(alpha, "payer@example.com")["access"])
    receipt = payer.post(
        "/api/v1/files/", {"file": SimpleUploadedFile("r.pdf", RECEIPT, "application/pdf")}, format="multipart"
    ).json()["id"]
    response = payer.post(
        f"/api/v1/invoices/{invoice.pk}/offline-payments/",
        {"amount": amount, "tracking_code": "T-1", "receipt": receipt},
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["details"]["amount"] == ["A valid number is required."]


def test_program_price_refuses_non_ascii_digits(alpha: Tenant, client_for: ClientFor, login: Login) -> None:
    admin = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    start = timezone.localdate() + timedelta(days=30)
    response = admin.post(
        "/api/v1/bootcamps/",
        {
            "title": "Unicode camp",
            "start_date": str(start),
            "end_date": str(start + timedelta(days=20)),
            "capacity": 5,
            "price": FULLWIDTH_150,
            "currency": "USD",
        },
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["details"]["price"] == ["A valid number is required."]


def test_ascii_amounts_are_still_accepted(
    alpha: Tenant, client_for: ClientFor, login: Login, make_user: MakeUser
) -> None:
    student = make_user(alpha, "saver@example.com", roles=["student"])
    admin = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    response = admin.post(f"/api/v1/wallets/{student.pk}/top-up/", {"amount": " 150.50 "})
    assert response.status_code in {200, 201}, response.content
