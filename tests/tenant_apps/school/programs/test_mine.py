""" "My bootcamps" and "My courses": a student's programs with their enrolment status and the
payment state of the invoice, which follows partial and full offline payments approved by the
financial role."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.fixture_types import Enrol, MakeProgram
from tests.tenant_apps.school.programs.conftest import Site, programs_url, results

RECEIPT = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _pay_offline(site: Site, invoice_id: int, amount: str, tracking_code: str) -> None:
    """The student pays ``amount`` by bank transfer (receipt uploaded) and financial approves it."""
    student = site.client("ann")
    receipt = student.post("/api/v1/files/", {"file": SimpleUploadedFile("r.pdf", RECEIPT)}, format="multipart")
    assert receipt.status_code == 201, receipt.content
    payment = student.post(
        f"/api/v1/invoices/{invoice_id}/offline-payments/",
        {"amount": amount, "tracking_code": tracking_code, "receipt": receipt.json()["id"]},
    )
    assert payment.status_code == 201, payment.content
    approval = site.client("fay").post(f"/api/v1/payments/{payment.json()['id']}/approve/")
    assert approval.status_code == 200, approval.content


def _mine(site: Site, path: str = "bootcamps") -> list[dict[str, Any]]:
    return results(site.client("ann").get(programs_url(path, action="mine")))


def test_my_bootcamps_lists_my_enrolments_with_status_and_payment_state(
    site: Site, make_program: MakeProgram, enrol: Enrol
) -> None:
    # given
    approved = make_program(title="Approved One", price=Decimal("800.00"))
    requested = make_program(title="Requested One")
    enrol(site, approved, site.ann, approve=True)
    enrol(site, requested, site.ann)
    enrol(site, approved, site.bob, approve=True)  # someone else's
    # when
    mine = {item["program"]["slug"]: item for item in _mine(site)}
    # then
    assert set(mine) == {approved.slug, requested.slug}
    assert mine[requested.slug]["status"] == "requested"
    assert mine[requested.slug]["payment"] is None
    assert mine[approved.slug]["status"] == "approved"
    payment = mine[approved.slug]["payment"]
    assert (payment["status"], payment["total"], payment["amount_paid"], payment["amount_due"]) == (
        "unpaid",
        "800.00",
        "0.00",
        "800.00",
    )


def test_a_partial_then_a_full_payment_show_in_my_bootcamps(
    site: Site, make_program: MakeProgram, enrol: Enrol
) -> None:
    # given
    program = make_program(price=Decimal("1000.00"))
    enrolment = enrol(site, program, site.ann, approve=True)
    invoice_id = _mine(site)[0]["payment"]["invoice"]
    assert invoice_id == enrolment.invoice_id
    # when: half is paid and approved
    _pay_offline(site, invoice_id, "400.00", "BANK-1")
    partial = _mine(site)[0]["payment"]
    # and: the rest
    _pay_offline(site, invoice_id, "600.00", "BANK-2")
    full = _mine(site)[0]["payment"]
    # then
    assert (partial["status"], partial["amount_paid"], partial["amount_due"]) == ("partially_paid", "400.00", "600.00")
    assert (full["status"], full["amount_paid"], full["amount_due"]) == ("paid", "1000.00", "0.00")
    assert _mine(site)[0]["status"] == "approved"


def test_my_courses_and_my_bootcamps_are_separate(site: Site, make_program: MakeProgram, enrol: Enrol) -> None:
    # given
    bootcamp = make_program(type="bootcamps")
    course = make_program(type="courses")
    enrol(site, bootcamp, site.ann)
    enrol(site, course, site.ann, approve=True)
    # when
    bootcamps, courses = _mine(site, "bootcamps"), _mine(site, "courses")
    # then
    assert [(i["program"]["id"], i["program"]["type"]) for i in bootcamps] == [(bootcamp.pk, "bootcamp")]
    assert [(i["program"]["id"], i["program"]["type"], i["status"]) for i in courses] == [
        (course.pk, "course", "approved")
    ]


def test_live_enrolments_come_before_ended_ones(site: Site, make_program: MakeProgram, enrol: Enrol) -> None:
    # given
    early = make_program(title="Early")
    late = make_program(title="Late")
    withdrawn = enrol(site, early, site.ann)
    site.client("ann").post(f"/api/v1/bootcamp-enrolments/{withdrawn.pk}/withdraw/")
    enrol(site, late, site.ann)
    # when
    order = [(item["program"]["slug"], item["status"]) for item in _mine(site)]
    # then
    assert order == [(late.slug, "requested"), (early.slug, "withdrawn")]


def test_mine_needs_a_login(site: Site) -> None:
    response = site.client(None).get(programs_url("bootcamps", action="mine"))
    assert response.status_code == 401
