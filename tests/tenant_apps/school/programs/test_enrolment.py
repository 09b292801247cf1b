"""Enrolment: a student asks for a seat, support or admin approve (invoice issued) or reject with
a reason, the student may withdraw; every change is audited and the student notified."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from pytest_django import DjangoCaptureOnCommitCallbacks

from tenant_apps.accounts.models import User
from tests.fixture_types import Enrol, MakeProgram
from tests.tenant_apps.school.programs.conftest import (
    Site,
    enrolments_url,
    error_code,
    in_days,
    invoice_of,
    reload,
    results,
)

BOTH = pytest.mark.parametrize("path", ["bootcamps", "courses"])


def _audit_verbs(site: Site, enrolment_id: int) -> list[str]:
    from tenant_apps.audit.models import AuditLogEntry

    with tenant_context(site.tenant):
        return [
            entry.verb
            for entry in AuditLogEntry.objects.filter(
                verb__startswith="enrolment.", target_id=str(enrolment_id)
            ).order_by("id")
        ]


def _notifications(site: Site, user: User) -> list[tuple[str, dict[str, Any]]]:
    from tenant_apps.notifications.models import Notification

    with tenant_context(site.tenant):
        return [(n.verb, n.extra_data) for n in Notification.objects.filter(recipient=user).order_by("id")]


@BOTH
def test_a_student_asks_for_a_seat_while_registration_is_open(site: Site, make_program: MakeProgram, path: str) -> None:
    # given
    program = make_program(type=path)
    # when
    response = site.client("ann").post(enrolments_url(path), {"program": program.pk})
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["program"]["id"], body["student"]["id"]) == ("requested", program.pk, site.ann.pk)
    assert body["payment"] is None
    assert _audit_verbs(site, body["id"]) == ["enrolment.requested"]
    assert [verb for verb, _ in _notifications(site, site.sue)] == ["enrolment.requested"]  # support is told


@pytest.mark.parametrize("status", ["draft", "in_progress", "completed", "cancelled"])
def test_no_seat_can_be_asked_for_unless_registration_is_open(
    site: Site, make_program: MakeProgram, status: str
) -> None:
    # given
    program = make_program(status)
    # when
    response = site.client("ann").post(enrolments_url(), {"program": program.pk})
    # then
    expected = (404, "not_found") if status == "draft" else (409, "registration_closed")  # drafts are invisible
    assert (response.status_code, error_code(response)) == expected


@pytest.mark.parametrize("approved", [False, True], ids=["requested", "approved"])
def test_a_student_has_one_live_enrolment_per_program(
    site: Site, make_program: MakeProgram, enrol: Enrol, approved: bool
) -> None:
    # given
    program = make_program()
    enrol(site, program, site.ann, approve=approved)
    # when
    response = site.client("ann").post(enrolments_url(), {"program": program.pk})
    # then
    assert (response.status_code, error_code(response)) == (409, "already_enrolled")


def test_after_a_withdrawal_the_student_may_ask_again(site: Site, make_program: MakeProgram, enrol: Enrol) -> None:
    # given
    program = make_program()
    first = enrol(site, program, site.ann)
    assert site.client("ann").post(enrolments_url(pk=first.pk, action="withdraw")).json()["status"] == "withdrawn"
    # when
    again = site.client("ann").post(enrolments_url(), {"program": program.pk})
    # then
    assert again.status_code == 201, again.content


@pytest.mark.parametrize("approver", ["sue", "admin"], ids=["support", "admin"])
def test_an_approval_issues_an_invoice_for_the_programs_price_and_notifies_the_student(
    site: Site,
    make_program: MakeProgram,
    enrol: Enrol,
    approver: str,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given
    from django.core import mail

    program = make_program(price=Decimal("1234.50"), currency="EUR", start_date=in_days(60))
    enrolment = enrol(site, program, site.ann)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = site.client(approver).post(enrolments_url(pk=enrolment.pk, action="approve"))
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "approved"
    payment = body["payment"]
    assert (payment["total"], payment["currency"], payment["status"], payment["amount_paid"]) == (
        "1234.50",
        "EUR",
        "unpaid",
        "0.00",
    )
    assert payment["due_date"] == str(timezone.localdate() + timedelta(days=14))
    with tenant_context(site.tenant):
        from tenant_apps.payments.models import Invoice

        invoice = Invoice.objects.get(pk=payment["invoice"])
        assert invoice.customer_id == site.ann.pk
        assert [(line.quantity, line.unit_price) for line in invoice.lines.all()] == [(1, Decimal("1234.50"))]
    assert _audit_verbs(site, enrolment.pk) == ["enrolment.requested", "enrolment.approved"]
    verb, extra = _notifications(site, site.ann)[-1]
    assert (verb, extra["invoice_number"], extra["amount"]) == ("enrolment.approved", invoice.number, "1234.50")
    assert [m.to for m in mail.outbox if invoice.number in m.subject] == [["ann@alpha.test"]]  # the invoice PDF


@pytest.mark.parametrize(("starts_in", "due_in"), [(60, 14), (5, 5), (0, 0)])
def test_the_invoice_is_due_by_the_start_date_or_in_14_days_whichever_is_sooner(
    site: Site,
    make_program: MakeProgram,
    enrol: Enrol,
    starts_in: int,
    due_in: int,
) -> None:
    # given
    program = make_program(start_date=in_days(starts_in))
    # when
    enrolment = enrol(site, program, site.ann, approve=True)
    # then
    assert invoice_of(site, enrolment).due_date == in_days(due_in)


def test_an_in_progress_program_that_started_in_the_past_bills_due_today(
    site: Site, make_program: MakeProgram, enrol: Enrol
) -> None:
    # given: a request made while open, decided once the program has started (start date in the past)
    program = make_program(start_date=in_days(-3))
    enrolment = enrol(site, program, site.ann)
    site.client("admin").post(f"/api/v1/bootcamps/{program.pk}/transition/", {"status": "in_progress"})
    # when
    response = site.client("sue").post(enrolments_url(pk=enrolment.pk, action="approve"))
    # then
    assert response.json()["payment"]["due_date"] == str(in_days(0))


def test_a_free_program_is_approved_without_an_invoice(site: Site, make_program: MakeProgram, enrol: Enrol) -> None:
    # given
    program = make_program(price=Decimal("0"))
    enrolment = enrol(site, program, site.ann)
    # when
    response = site.client("sue").post(enrolments_url(pk=enrolment.pk, action="approve"))
    # then
    assert (response.json()["status"], response.json()["payment"]) == ("approved", None)


def test_a_rejection_needs_a_reason_that_the_student_is_shown(
    site: Site, make_program: MakeProgram, enrol: Enrol
) -> None:
    # given
    enrolment = enrol(site, make_program(), site.ann)
    # when
    no_reason = site.client("sue").post(enrolments_url(pk=enrolment.pk, action="reject"), {"reason": " "})
    rejected = site.client("sue").post(
        enrolments_url(pk=enrolment.pk, action="reject"), {"reason": "Prerequisites missing."}
    )
    # then
    assert (no_reason.status_code, error_code(no_reason)) == (400, "validation_error")
    assert (rejected.json()["status"], rejected.json()["reason"]) == ("rejected", "Prerequisites missing.")
    assert site.client("ann").get(enrolments_url(pk=enrolment.pk)).json()["reason"] == "Prerequisites missing."
    verb, extra = _notifications(site, site.ann)[-1]
    assert (verb, extra["reason"]) == ("enrolment.rejected", "Prerequisites missing.")
    assert _audit_verbs(site, enrolment.pk) == ["enrolment.requested", "enrolment.rejected"]


@pytest.mark.parametrize(("action", "body"), [("approve", {}), ("reject", {"reason": "No."})])
def test_a_decided_enrolment_cannot_be_decided_again(
    site: Site, make_program: MakeProgram, enrol: Enrol, action: str, body: dict[str, str]
) -> None:
    # given
    enrolment = enrol(site, make_program(), site.ann, approve=True)
    # when
    response = site.client("sue").post(enrolments_url(pk=enrolment.pk, action=action), body)
    # then
    assert (response.status_code, error_code(response)) == (409, "invalid_status_transition")


def test_a_student_withdraws_their_approved_enrolment(site: Site, make_program: MakeProgram, enrol: Enrol) -> None:
    # given
    enrolment = enrol(site, make_program(), site.ann, approve=True)
    # when
    response = site.client("ann").post(enrolments_url(pk=enrolment.pk, action="withdraw"))
    again = site.client("ann").post(enrolments_url(pk=enrolment.pk, action="withdraw"))
    # then
    assert response.json()["status"] == "withdrawn"
    assert (again.status_code, error_code(again)) == (409, "invalid_status_transition")
    assert _audit_verbs(site, enrolment.pk) == ["enrolment.requested", "enrolment.approved", "enrolment.withdrawn"]


def test_support_cancels_an_enrolment_with_a_reason(site: Site, make_program: MakeProgram, enrol: Enrol) -> None:
    # given
    enrolment = enrol(site, make_program(), site.ann, approve=True)
    # when
    response = site.client("sue").post(enrolments_url(pk=enrolment.pk, action="cancel"), {"reason": "Duplicate."})
    # then
    assert (response.json()["status"], response.json()["reason"]) == ("cancelled", "Duplicate.")
    assert _notifications(site, site.ann)[-1][0] == "enrolment.cancelled"


def test_cancelling_a_program_cancels_its_live_enrolments(site: Site, make_program: MakeProgram, enrol: Enrol) -> None:
    # given
    program = make_program(capacity=1)
    approved = enrol(site, program, site.ann, approve=True)
    waitlisted = enrol(site, program, site.bob, approve=True)
    requested = enrol(site, program, site.cat)
    # when
    site.client("admin").post(f"/api/v1/bootcamps/{program.pk}/transition/", {"status": "cancelled"})
    # then
    assert [reload(site, e).status for e in (approved, waitlisted, requested)] == ["cancelled"] * 3
    assert reload(site, approved).reason == "The bootcamp was cancelled."


def test_completing_a_program_closes_the_requests_that_never_got_a_seat(
    site: Site, make_program: MakeProgram, enrol: Enrol
) -> None:
    # given
    program = make_program(capacity=1)
    approved = enrol(site, program, site.ann, approve=True)
    waitlisted = enrol(site, program, site.bob, approve=True)
    requested = enrol(site, program, site.cat)
    admin = site.client("admin")
    # when
    for step in ("in_progress", "completed"):
        admin.post(f"/api/v1/bootcamps/{program.pk}/transition/", {"status": step})
    # then
    assert [reload(site, e).status for e in (approved, waitlisted, requested)] == ["approved", "cancelled", "cancelled"]


def test_support_lists_enrolment_requests_filtered_by_status_and_program(
    site: Site, make_program: MakeProgram, enrol: Enrol
) -> None:
    # given
    one, two = make_program(), make_program()
    a = enrol(site, one, site.ann)
    b = enrol(site, one, site.bob, approve=True)
    c = enrol(site, two, site.cat)
    client = site.client("sue")
    # when
    requested = results(client.get(enrolments_url(), {"status": "requested"}))
    of_one = results(client.get(enrolments_url(), {"program": one.pk}))
    both = results(client.get(enrolments_url(), {"status": "requested", "program": two.pk}))
    searched = results(client.get(enrolments_url(), {"search": "bob@"}))
    # then
    assert {e["id"] for e in requested} == {a.pk, c.pk}
    assert {e["id"] for e in of_one} == {a.pk, b.pk}
    assert [e["id"] for e in both] == [c.pk]
    assert [e["id"] for e in searched] == [b.pk]


def test_a_student_lists_and_reads_only_their_own_enrolments(
    site: Site, make_program: MakeProgram, enrol: Enrol
) -> None:
    # given
    program = make_program()
    mine = enrol(site, program, site.ann)
    theirs = enrol(site, program, site.bob)
    # when
    listed = results(site.client("ann").get(enrolments_url()))
    other = site.client("ann").get(enrolments_url(pk=theirs.pk))
    # then
    assert [e["id"] for e in listed] == [mine.pk]
    assert (other.status_code, error_code(other)) == (404, "not_found")
