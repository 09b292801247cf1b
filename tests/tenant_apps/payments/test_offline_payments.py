"""Offline payments: a bank receipt and tracking code, pending until a finance user decides."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context
from pytest_django import DjangoCaptureOnCommitCallbacks

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tests.fixture_types import ApiAs, MakeInvoice, ReceiptOf, SubmitOffline
from tests.tenant_apps.payments.conftest import INVOICES, PAYMENTS, error_code, refreshed, status_from_payments


def _notifications(tenant: Tenant, user: User, verb: str) -> list[dict[str, Any]]:
    from tenant_apps.notifications.models import Notification

    with tenant_context(tenant):
        return list(Notification.objects.filter(recipient=user, verb=verb).values_list("extra_data", flat=True))


def test_offline_payment_is_pending_and_the_financial_users_are_told(
    alpha: Tenant, people: SimpleNamespace, make_invoice: MakeInvoice, submit_offline: SubmitOffline
) -> None:
    # given
    invoice = make_invoice(alpha, people.student)
    # when
    response = submit_offline(alpha, "student@alpha.test", invoice, "40.00", tracking_code=" BANK-778 ")
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["method"], body["amount"], body["currency"]) == ("pending", "offline", "40.00", "USD")
    assert body["tracking_code"] == "BANK-778"
    assert body["receipt"]["content_type"] == "application/pdf"
    assert refreshed(alpha, invoice).status == "unpaid"  # pending money is not paid money
    assert [n["payment"] for n in _notifications(alpha, people.financial, "payment.submitted")] == [body["id"]]


def test_financial_approves_and_the_invoice_becomes_partially_paid(
    alpha: Tenant, people: SimpleNamespace, api: ApiAs, make_invoice: MakeInvoice, submit_offline: SubmitOffline
) -> None:
    # given
    invoice = make_invoice(alpha, people.student)
    payment = submit_offline(alpha, "student@alpha.test", invoice, "40.00").json()
    # when
    response = api(alpha, "financial@alpha.test").post(f"{PAYMENTS}{payment['id']}/approve/")
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "approved"
    assert body["decided_by"]["email"] == "financial@alpha.test" and body["decided_at"]
    invoice = refreshed(alpha, invoice)
    assert (invoice.status, invoice.amount_paid) == ("partially_paid", Decimal("40.00"))
    assert status_from_payments(alpha, invoice) == (invoice.amount_paid, invoice.status)
    assert [n["invoice_status"] for n in _notifications(alpha, people.student, "payment.approved")] == [
        "partially_paid"
    ]


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("admin@alpha.test", 200),
        ("student@alpha.test", 403),  # the payer may see the payment, not decide it
        ("teacher@alpha.test", 404),  # others may not even see it
        ("other@alpha.test", 404),
    ],
)
def test_only_the_financial_role_or_admin_approves_on_a_school(
    alpha: Tenant,
    people: SimpleNamespace,
    api: ApiAs,
    make_invoice: MakeInvoice,
    submit_offline: SubmitOffline,
    email: str,
    status: int,
) -> None:
    # given
    invoice = make_invoice(alpha, people.student)
    payment = submit_offline(alpha, "student@alpha.test", invoice, "40.00").json()
    # when
    response = api(alpha, email).post(f"{PAYMENTS}{payment['id']}/approve/")
    # then
    assert response.status_code == status, response.content
    assert refreshed(alpha, invoice).status == ("partially_paid" if status == 200 else "unpaid")


@pytest.mark.parametrize(
    ("email", "status"), [("admin@gamma.test", 200), ("customer@gamma.test", 403), ("seller@gamma.test", 404)]
)
def test_on_a_store_without_a_financial_role_the_admin_approves(
    gamma: Tenant,
    people: SimpleNamespace,
    api: ApiAs,
    make_invoice: MakeInvoice,
    submit_offline: SubmitOffline,
    email: str,
    status: int,
) -> None:
    # given
    invoice = make_invoice(gamma, people.customer, total="30.00")
    payment = submit_offline(gamma, "customer@gamma.test", invoice, "30.00").json()
    # when
    response = api(gamma, email).post(f"{PAYMENTS}{payment['id']}/approve/")
    # then
    assert response.status_code == status, response.content
    assert refreshed(gamma, invoice).status == ("paid" if status == 200 else "unpaid")


def test_rejection_needs_a_reason_which_the_payer_sees(
    alpha: Tenant, people: SimpleNamespace, api: ApiAs, make_invoice: MakeInvoice, submit_offline: SubmitOffline
) -> None:
    # given
    invoice = make_invoice(alpha, people.student)
    payment = submit_offline(alpha, "student@alpha.test", invoice, "40.00").json()
    finance = api(alpha, "financial@alpha.test")
    # when
    without_reason = finance.post(f"{PAYMENTS}{payment['id']}/reject/", {"reason": "  "})
    rejected = finance.post(f"{PAYMENTS}{payment['id']}/reject/", {"reason": "Amount not on our statement"})
    approve_after = finance.post(f"{PAYMENTS}{payment['id']}/approve/")
    seen_by_payer = api(alpha, "student@alpha.test").get(f"{PAYMENTS}{payment['id']}/").json()
    # then
    assert without_reason.status_code == 400
    assert rejected.status_code == 200, rejected.content
    assert approve_after.status_code == 409 and error_code(approve_after) == "invalid_status_transition"
    assert (seen_by_payer["status"], seen_by_payer["reason"]) == ("rejected", "Amount not on our statement")
    assert [n["reason"] for n in _notifications(alpha, people.student, "payment.rejected")] == [
        "Amount not on our statement"
    ]
    assert refreshed(alpha, invoice).status == "unpaid"


def test_overpayment_is_refused_counting_pending_payments(
    alpha: Tenant, people: SimpleNamespace, api: ApiAs, make_invoice: MakeInvoice, submit_offline: SubmitOffline
) -> None:
    # given: 100.00 invoice, 60.00 pending
    invoice = make_invoice(alpha, people.student)
    first = submit_offline(alpha, "student@alpha.test", invoice, "60.00", tracking_code="T-1").json()
    # when
    too_much = submit_offline(alpha, "student@alpha.test", invoice, "40.01", tracking_code="T-2")
    exact = submit_offline(alpha, "student@alpha.test", invoice, "40.00", tracking_code="T-3")
    # then
    assert too_much.status_code == 409 and error_code(too_much) == "overpayment"
    assert too_much.json()["error"]["details"] == {"open_amount": "40.00", "amount": "40.01", "currency": "USD"}
    assert exact.status_code == 201
    # and once everything is approved, nothing more can be paid
    finance = api(alpha, "financial@alpha.test")
    for payment_id in (first["id"], exact.json()["id"]):
        assert finance.post(f"{PAYMENTS}{payment_id}/approve/").status_code == 200
    assert refreshed(alpha, invoice).status == "paid"
    after = submit_offline(alpha, "student@alpha.test", invoice, "0.01", tracking_code="T-4")
    assert after.status_code == 409 and error_code(after) == "overpayment"


def test_a_rejected_payment_frees_its_amount(
    alpha: Tenant, people: SimpleNamespace, api: ApiAs, make_invoice: MakeInvoice, submit_offline: SubmitOffline
) -> None:
    # given
    invoice = make_invoice(alpha, people.student)
    first = submit_offline(alpha, "student@alpha.test", invoice, "100.00", tracking_code="T-1").json()
    assert (
        api(alpha, "financial@alpha.test")
        .post(f"{PAYMENTS}{first['id']}/reject/", {"reason": "Wrong account"})
        .status_code
        == 200
    )
    # when: the same bank transfer code may be claimed again once its payment was rejected
    again = submit_offline(alpha, "student@alpha.test", invoice, "100.00", tracking_code="T-1")
    # then
    assert again.status_code == 201, again.content


def test_a_tracking_code_is_claimed_by_one_live_payment(
    alpha: Tenant, people: SimpleNamespace, make_invoice: MakeInvoice, submit_offline: SubmitOffline
) -> None:
    # given
    invoice = make_invoice(alpha, people.student)
    assert submit_offline(alpha, "student@alpha.test", invoice, "10.00", tracking_code="SAME").status_code == 201
    # when
    duplicate = submit_offline(alpha, "student@alpha.test", invoice, "10.00", tracking_code="SAME")
    # then
    assert duplicate.status_code == 409 and error_code(duplicate) == "duplicate_tracking_code"


def test_the_receipt_must_be_the_payers_own_upload(
    alpha: Tenant, people: SimpleNamespace, api: ApiAs, make_invoice: MakeInvoice, receipt_of: ReceiptOf
) -> None:
    # given: a receipt uploaded by someone else, and a text file of the payer's
    invoice = make_invoice(alpha, people.student)
    foreign = receipt_of(alpha, people.other_student)
    student = api(alpha, "student@alpha.test")
    text_file = student.post(
        "/api/v1/files/", {"file": SimpleUploadedFile("a.txt", b"hello", "text/plain")}, format="multipart"
    ).json()
    url = f"{INVOICES}{invoice.pk}/offline-payments/"
    # when
    responses = [
        student.post(url, {"amount": "1.00", "tracking_code": "T", "receipt": str(receipt)})
        for receipt in (foreign.pk, text_file["id"], "7d1b3cbb-5a4f-4a1b-9f43-1b1b1b1b1b1b")
    ]
    # then
    assert [(r.status_code, error_code(r)) for r in responses] == [(400, "invalid_receipt")] * 3


def test_approvers_may_read_receipts_others_may_not(
    alpha: Tenant, people: SimpleNamespace, api: ApiAs, make_invoice: MakeInvoice, submit_offline: SubmitOffline
) -> None:
    # given
    invoice = make_invoice(alpha, people.student)
    receipt_id = submit_offline(alpha, "student@alpha.test", invoice, "10.00").json()["receipt"]["id"]
    # when
    by_financial = api(alpha, "financial@alpha.test").get(f"/api/v1/files/{receipt_id}/")
    by_teacher = api(alpha, "teacher@alpha.test").get(f"/api/v1/files/{receipt_id}/")
    by_other = api(alpha, "other@alpha.test").get(f"/api/v1/files/{receipt_id}/")
    # then
    assert by_financial.status_code == 200
    assert (by_teacher.status_code, by_other.status_code) == (404, 404)


def test_payment_list_is_the_finance_queue_and_each_payers_own(
    alpha: Tenant, people: SimpleNamespace, api: ApiAs, make_invoice: MakeInvoice, submit_offline: SubmitOffline
) -> None:
    # given
    mine = make_invoice(alpha, people.student)
    theirs = make_invoice(alpha, people.other_student)
    p1 = submit_offline(alpha, "student@alpha.test", mine, "10.00", tracking_code="A").json()
    p2 = submit_offline(alpha, "other@alpha.test", theirs, "10.00", tracking_code="B").json()
    # when
    queue = api(alpha, "financial@alpha.test").get(PAYMENTS, {"status": "pending"}).json()
    own = api(alpha, "student@alpha.test").get(PAYMENTS).json()
    foreign = api(alpha, "student@alpha.test").get(f"{PAYMENTS}{p2['id']}/")
    # then
    assert {row["id"] for row in queue["results"]} >= {p1["id"], p2["id"]}
    assert [row["id"] for row in own["results"]] == [p1["id"]]
    assert foreign.status_code == 404


def test_paying_in_full_offline_emails_the_paid_invoice(
    alpha: Tenant,
    people: SimpleNamespace,
    api: ApiAs,
    make_invoice: MakeInvoice,
    submit_offline: SubmitOffline,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given
    invoice = make_invoice(alpha, people.student, total="25.00")
    payment = submit_offline(alpha, "student@alpha.test", invoice, "25.00").json()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = api(alpha, "financial@alpha.test").post(f"{PAYMENTS}{payment['id']}/approve/")
    # then
    assert response.status_code == 200
    invoice = refreshed(alpha, invoice)
    assert invoice.status == "paid" and invoice.paid_at is not None
    assert [m.subject for m in mail.outbox] == [f"Invoice {invoice.number} is paid"]
    assert mail.outbox[0].attachments[0][1].startswith(b"%PDF")
    assert mail.outbox[0].from_email == "Alpha <no-reply@localhost>"  # sent as the site
