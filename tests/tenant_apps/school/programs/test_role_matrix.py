"""The school's role matrix, through the API: who may do what.

Rules (issue "school kind", point 5): teachers see their own programs' students; the financial
role approves payments; support handles tickets and enrolments; the admin may do everything;
students do none of these staff actions.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from tests.factories import InvoiceFactory, PaymentFactory, TicketFactory, in_days
from tests.fixture_types import ApiResponse, Enrol, MakeProgram
from tests.tenant_apps.school.programs.conftest import Site

ROLES = ("student", "teacher", "other_teacher", "support", "financial", "admin")

# action -> the roles that may take it (everyone else is refused with 403 or 404)
MATRIX = {
    "see_program_students": {"teacher", "support", "admin"},
    "approve_enrolment": {"support", "admin"},
    "approve_payment": {"financial", "admin"},
    "assign_ticket": {"support", "admin"},
    "create_program": {"admin"},
}


@pytest.fixture
def world(site: Site, make_program: MakeProgram, enrol: Enrol) -> dict[str, Any]:
    """A bootcamp taught by tom with ann enrolled and bob's request pending, a pending bank transfer
    by cat, and a ticket opened by dan."""
    program = make_program(capacity=5)
    enrol(site, program, site.ann, approve=True)
    request = enrol(site, program, site.bob)
    with tenant_context(site.tenant):
        invoice = InvoiceFactory(
            customer=site.cat,
            due_date=in_days(7),
            lines=[{"description": "Fee", "quantity": 1, "unit_price": "80.00"}],
        )
        payment = PaymentFactory(
            invoice=invoice, amount=Decimal("80.00"), tracking_code="MATRIX-1", receipt__name="r.pdf"
        )
        ticket = TicketFactory(created_by=site.dan, subject="Help", body="Please help.")
    return {"program": program, "request": request, "payment": payment, "ticket": ticket}


def _actor(site: Site, role: str) -> str:
    return {
        "student": "ann",
        "teacher": "tom",
        "other_teacher": "tia",
        "support": "sue",
        "financial": "fay",
        "admin": "admin",
    }[role]


def _act(client: APIClient, action: str, world: dict[str, Any], site: Site) -> ApiResponse:
    if action == "see_program_students":
        return client.get(f"/api/v1/bootcamps/{world['program'].pk}/students/")
    if action == "approve_enrolment":
        return client.post(f"/api/v1/bootcamp-enrolments/{world['request'].pk}/approve/")
    if action == "approve_payment":
        return client.post(f"/api/v1/payments/{world['payment'].pk}/approve/")
    if action == "assign_ticket":
        return client.post(f"/api/v1/tickets/{world['ticket'].pk}/assign/", {"assignee": site.sue.pk})
    if action == "create_program":
        start = timezone.localdate() + timedelta(days=40)
        return client.post(
            "/api/v1/bootcamps/",
            {
                "title": "Matrix Bootcamp",
                "start_date": str(start),
                "end_date": str(start + timedelta(days=30)),
                "capacity": 3,
                "price": "10.00",
                "currency": "USD",
            },
        )
    raise AssertionError(action)


@pytest.mark.parametrize("action", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(site: Site, world: dict[str, Any], role: str, action: str) -> None:
    # when
    response = _act(site.client(_actor(site, role)), action, world, site)
    # then
    if role in MATRIX[action]:
        assert response.status_code in (200, 201), (role, action, response.content)
    else:
        assert response.status_code in (403, 404), (role, action, response.content)
        assert response.json()["error"]["code"] in ("permission_denied", "not_found")


def test_a_teacher_sees_the_students_of_their_own_program(site: Site, world: dict[str, Any]) -> None:
    students = site.client("tom").get(f"/api/v1/bootcamps/{world['program'].pk}/students/").json()
    emails = {row["student"]["email"] for row in students["results"]}
    assert "ann@alpha.test" in emails
