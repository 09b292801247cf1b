"""Invoices: issuing (numbers, money, validation), who may issue and see them, cancelling, the PDF, e-mail."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context
from pytest_django import DjangoCaptureOnCommitCallbacks

from saas.api.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tests.fixture_types import ApiAs, MakeInvoice, MakeUser, SubmitOffline
from tests.tenant_apps.payments.conftest import INVOICES, error_code, pdf_text, refreshed


def _due(days: int = 30) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def test_financial_issues_an_invoice_with_rounded_line_amounts_and_a_stored_total(
    alpha: Tenant,
    people: SimpleNamespace,
    api: ApiAs,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given
    client = api(alpha, "financial@alpha.test")
    body = {
        "customer": people.student.pk,
        "currency": "eur",
        "due_date": _due(),
        "lines": [
            {"description": "Lessons", "quantity": "3", "unit_price": "10.00"},
            {"description": "Hours", "quantity": "1.5", "unit_price": "0.35"},
        ],
    }
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INVOICES, body)
    # then: 1.5 x 0.35 = 0.525 rounds half up to 0.53; 3 x 10.00 = 30.00
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["number"].startswith("INV-") and len(data["number"]) == 10
    assert (data["currency"], data["status"], data["total"], data["amount_paid"]) == ("EUR", "unpaid", "30.53", "0.00")
    assert [line["amount"] for line in data["lines"]] == ["30.00", "0.53"]
    assert data["customer"]["email"] == "student@alpha.test"
    assert data["open_amount"] == "30.53" and data["amount_due"] == "30.53"


def test_invoice_numbers_are_sequential_per_tenant(
    alpha: Tenant, beta: Tenant, people: SimpleNamespace, make_user: MakeUser, make_invoice: MakeInvoice
) -> None:
    # given
    first = make_invoice(alpha, people.student)
    # when
    second = make_invoice(alpha, people.student)
    beta_customer = make_user(beta, "someone@beta.test", roles=["student"])
    in_beta = make_invoice(beta, beta_customer)
    # then
    n = int(first.number.removeprefix("INV-"))
    assert second.number == f"INV-{n + 1:06d}"
    assert in_beta.number == "INV-000001"  # beta's own counter; no invoice has been committed there


def test_issuing_an_invoice_emails_it_with_its_pdf_after_commit(
    alpha: Tenant,
    people: SimpleNamespace,
    api: ApiAs,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given
    client = api(alpha, "financial@alpha.test")
    body = {
        "customer": people.student.pk,
        "due_date": _due(),
        "lines": [{"description": "Bootcamp", "quantity": "1", "unit_price": "500.00"}],
    }
    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(INVOICES, body)
    # then: nothing is sent before commit ...
    assert response.status_code == 201
    assert mail.outbox == []
    # ... and the e-mail with the PDF once the transaction commits
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    number = response.json()["number"]
    assert message.to == ["student@alpha.test"]
    assert message.subject == f"Invoice {number}"
    ((filename, content, mimetype),) = message.attachments
    assert (filename, mimetype) == (f"{number}.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    assert number in pdf_text(content)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"currency": "XXY"}, "invalid_currency"),
        ({"due_date": (timezone.localdate() - timedelta(days=1)).isoformat()}, "invalid_due_date"),
        ({"lines": [{"description": "Free", "quantity": "1", "unit_price": "0"}]}, "invalid_amount"),
        ({"lines": []}, "validation_error"),
        ({"lines": [{"description": "x", "quantity": "0", "unit_price": "1"}]}, "validation_error"),
        ({"lines": [{"description": "x", "quantity": "1", "unit_price": "-1"}]}, "validation_error"),
        ({"currency": "JPY", "lines": [{"description": "x", "quantity": "1", "unit_price": "10.50"}]}, "invalid_line"),
        ({"lines": [{"description": "x", "quantity": "99999999", "unit_price": "9999999999"}]}, "invalid_line"),
        ({"lines": [{"description": "x", "quantity": "1", "unit_price": "9999999999.99"}] * 2}, "invalid_amount"),
    ],
)
def test_invalid_invoices_are_refused(
    alpha: Tenant, people: SimpleNamespace, api: ApiAs, change: dict[str, Any], code: str
) -> None:
    # given
    body = {
        "customer": people.student.pk,
        "due_date": _due(),
        "lines": [{"description": "Fee", "quantity": "1", "unit_price": "10.00"}],
        **change,
    }
    # when
    response = api(alpha, "financial@alpha.test").post(INVOICES, body)
    # then
    assert response.status_code == 400, response.content
    assert error_code(response) == code


def test_zero_decimal_currency_amounts_round_to_whole_units(
    alpha: Tenant, people: SimpleNamespace, make_invoice: MakeInvoice
) -> None:
    # when: 1.5 x 1001 JPY = 1501.5 -> 1502
    invoice = make_invoice(
        alpha, people.student, currency="jpy", lines=[{"description": "Hours", "quantity": "1.5", "unit_price": "1001"}]
    )
    # then
    assert (invoice.currency, invoice.total) == ("JPY", Decimal("1502.00"))


@pytest.mark.parametrize(
    ("tenant_name", "email", "status"),
    [
        ("alpha", "admin@alpha.test", 201),
        ("alpha", "financial@alpha.test", 201),
        ("alpha", "teacher@alpha.test", 403),
        ("alpha", "student@alpha.test", 403),
        ("gamma", "admin@gamma.test", 201),
        ("gamma", "seller@gamma.test", 403),
    ],
)
def test_only_finance_roles_issue_invoices(
    request: pytest.FixtureRequest, people: SimpleNamespace, api: ApiAs, tenant_name: str, email: str, status: int
) -> None:
    # given
    tenant = request.getfixturevalue(tenant_name)
    customer = people.student if tenant_name == "alpha" else people.customer
    body = {
        "customer": customer.pk,
        "due_date": _due(),
        "lines": [{"description": "Fee", "quantity": "1", "unit_price": "10.00"}],
    }
    # when
    response = api(tenant, email).post(INVOICES, body)
    # then
    assert response.status_code == status, response.content


def test_customers_see_only_their_invoices_and_finance_sees_all(
    alpha: Tenant, people: SimpleNamespace, api: ApiAs, make_invoice: MakeInvoice
) -> None:
    # given
    mine = make_invoice(alpha, people.student)
    theirs = make_invoice(alpha, people.other_student)
    student = api(alpha, "student@alpha.test")
    # when
    listed = student.get(INVOICES).json()
    other_detail = student.get(f"{INVOICES}{theirs.pk}/")
    other_pdf = student.get(f"{INVOICES}{theirs.pk}/pdf/")
    finance_listed = api(alpha, "financial@alpha.test").get(INVOICES).json()
    teacher_listed = api(alpha, "teacher@alpha.test").get(INVOICES).json()
    # then: someone else's invoice is not found, as if it did not exist
    assert [row["number"] for row in listed["results"]] == [mine.number]
    assert other_detail.status_code == 404 and error_code(other_detail) == "not_found"
    assert other_pdf.status_code == 404
    assert {row["number"] for row in finance_listed["results"]} >= {mine.number, theirs.number}
    assert teacher_listed["count"] == 0


def test_invoice_list_filters_by_status_and_overdue(
    alpha: Tenant, people: SimpleNamespace, api: ApiAs, make_invoice: MakeInvoice
) -> None:
    # given
    unpaid = make_invoice(alpha, people.student)
    late = make_invoice(alpha, people.student)
    with tenant_context(alpha):
        type(late).objects.filter(pk=late.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    client = api(alpha, "student@alpha.test")
    # when
    overdue = client.get(INVOICES, {"overdue": "true"}).json()["results"]
    unpaid_rows = client.get(INVOICES, {"status": "unpaid"}).json()["results"]
    bad = client.get(INVOICES, {"status": "nope"})
    # then
    assert [row["number"] for row in overdue] == [late.number]
    assert overdue[0]["is_overdue"] is True
    assert {row["number"] for row in unpaid_rows} == {unpaid.number, late.number}
    assert bad.status_code == 400


def test_invoice_pdf_is_served_to_who_may_see_the_invoice(
    alpha: Tenant, people: SimpleNamespace, api: ApiAs, make_invoice: MakeInvoice
) -> None:
    # given
    invoice = make_invoice(alpha, people.student, note="Thanks <b>for</b> & more")
    # when
    response = api(alpha, "student@alpha.test").get(f"{INVOICES}{invoice.pk}/pdf/", HTTP_ACCEPT="application/pdf")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert invoice.number in text and "100.00 USD" in text and "Course fee" in text


def test_cancelling_rejects_pending_payments_and_refuses_once_anything_is_approved(
    alpha: Tenant, people: SimpleNamespace, api: ApiAs, make_invoice: MakeInvoice, submit_offline: SubmitOffline
) -> None:
    # given: an invoice with one pending offline payment
    invoice = make_invoice(alpha, people.student)
    pending = submit_offline(alpha, "student@alpha.test", invoice, "40.00").json()
    finance = api(alpha, "financial@alpha.test")
    # when
    student_try = api(alpha, "student@alpha.test").post(f"{INVOICES}{invoice.pk}/cancel/", {"reason": "mine"})
    cancelled = finance.post(f"{INVOICES}{invoice.pk}/cancel/", {"reason": "Issued twice"})
    again = finance.post(f"{INVOICES}{invoice.pk}/cancel/")
    pay_after = submit_offline(alpha, "student@alpha.test", invoice, "10.00", tracking_code="TRK-2")
    # then
    assert student_try.status_code == 403
    assert cancelled.status_code == 200, cancelled.content
    body = cancelled.json()
    assert (body["status"], body["cancel_reason"], body["amount_due"]) == ("cancelled", "Issued twice", "0.00")
    assert body["payments"][0]["id"] == pending["id"]
    assert body["payments"][0]["status"] == "rejected"
    assert body["payments"][0]["reason"] == "Invoice cancelled. Issued twice"
    assert again.status_code == 409 and error_code(again) == "invalid_status_transition"
    assert pay_after.status_code == 409 and error_code(pay_after) == "invoice_cancelled"


def test_an_invoice_with_an_approved_payment_cannot_be_cancelled(
    alpha: Tenant, people: SimpleNamespace, api: ApiAs, make_invoice: MakeInvoice, submit_offline: SubmitOffline
) -> None:
    # given
    invoice = make_invoice(alpha, people.student)
    payment = submit_offline(alpha, "student@alpha.test", invoice, "40.00").json()
    finance = api(alpha, "financial@alpha.test")
    assert finance.post(f"/api/v1/payments/{payment['id']}/approve/").status_code == 200
    # when
    response = finance.post(f"{INVOICES}{invoice.pk}/cancel/")
    # then
    assert response.status_code == 409 and error_code(response) == "invoice_has_payments"
    assert refreshed(alpha, invoice).status == "partially_paid"


def test_the_database_refuses_a_status_that_contradicts_the_amounts(
    alpha: Tenant, people: SimpleNamespace, make_invoice: MakeInvoice
) -> None:
    # given
    from tenant_apps.payments.models import Invoice

    invoice = make_invoice(alpha, people.student)
    with tenant_context(alpha):
        # when / then: "paid" with nothing paid, and paid beyond the total, violate the constraints
        with pytest.raises(IntegrityError), transaction.atomic():
            Invoice.objects.filter(pk=invoice.pk).update(status="paid")
        with pytest.raises(IntegrityError), transaction.atomic():
            Invoice.objects.filter(pk=invoice.pk).update(amount_paid=Decimal("100.01"), status="paid")


def test_invoice_create_is_a_public_service_for_other_apps(
    alpha: Tenant, people: SimpleNamespace, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # given
    from tenant_apps.payments.services import invoice_create

    with tenant_context(alpha):
        # when: issued by the system (no user), e-mailed after commit
        with django_capture_on_commit_callbacks(execute=True):
            invoice = invoice_create(
                customer=people.student,
                due_date=timezone.localdate(),
                lines=[{"description": "Enrolment", "quantity": 2, "unit_price": Decimal("12.5")}],
            )
        # then
        assert (invoice.total, invoice.status, invoice.created_by) == (Decimal("25.00"), "unpaid", None)
        assert [line.amount for line in invoice.lines.all()] == [Decimal("25.00")]
        with pytest.raises(ApplicationError) as refused:
            invoice_create(
                customer=people.student,
                due_date=timezone.localdate(),
                currency="usd",
                lines=[{"description": "x", "quantity": 1, "unit_price": "abc"}],
            )
    assert refused.value.code == "invalid_line"
    assert [m.subject for m in mail.outbox] == [f"Invoice {invoice.number}"]


def test_listing_invoices_costs_the_same_queries_for_one_or_many(
    alpha: Tenant, people: SimpleNamespace, api: ApiAs, make_invoice: MakeInvoice, submit_offline: SubmitOffline
) -> None:
    # given: invoices that each have a pending payment
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(alpha, "financial@alpha.test")

    def add_invoice(n: int) -> None:
        invoice = make_invoice(alpha, people.student)
        submit_offline(alpha, "student@alpha.test", invoice, "1.00", tracking_code=f"Q-{n}")

    add_invoice(0)
    with CaptureQueriesContext(connection) as one:
        assert client.get(INVOICES).json()["count"] == 1
    for n in range(1, 4):
        add_invoice(n)
    # when
    with CaptureQueriesContext(connection) as many:
        assert client.get(INVOICES).json()["count"] == 4
    # then
    assert len(many.captured_queries) == len(one.captured_queries)
