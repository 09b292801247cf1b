"""The plan's ``programs`` limit (``school/kind.py``): bootcamps and advanced courses together,
finished ones (completed, cancelled) not counted; beyond it, creating either is 403
``plan_limit_reached`` and writes nothing."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import tenant_context

from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.school.programs.models import AdvancedCourse, Bootcamp
from tests.fixture_types import MakeProgram
from tests.shared_apps.billing.plans import plan_for
from tests.tenant_apps.school.programs.conftest import Site, error_code, in_days, programs_url


def _payload(title: str) -> dict[str, Any]:
    return {
        "title": title,
        "start_date": str(in_days(30)),
        "end_date": str(in_days(90)),
        "capacity": 12,
        "price": "1200.00",
        "currency": "usd",
    }


def _rows(site: Site) -> tuple[int, int, int]:
    with tenant_context(site.tenant):
        return Bootcamp.objects.count(), AdvancedCourse.objects.count(), AuditLogEntry.objects.count()


def test_bootcamps_and_courses_share_the_limit_and_the_next_is_refused_writing_nothing(
    site: Site, make_program: MakeProgram
) -> None:
    # given: one bootcamp and one course under a limit of two
    make_program("draft", type="bootcamps")
    make_program("registration_open", type="courses")
    plan_for(site.tenant, programs=2)
    before = _rows(site)
    # when
    response = site.client("admin").post(programs_url("bootcamps"), _payload("One too many"))
    # then
    assert response.status_code == 403, response.content
    assert error_code(response) == "plan_limit_reached"
    assert response.json()["error"]["details"] == {"limit": "programs", "allowed": 2, "usage": 2}
    assert _rows(site) == before


def test_a_finished_program_frees_its_slot(site: Site, make_program: MakeProgram) -> None:
    # given: at the limit
    program = make_program("draft")
    plan_for(site.tenant, programs=1)
    admin = site.client("admin")
    assert admin.post(programs_url("courses"), _payload("Refused")).status_code == 403
    # when: the draft is cancelled
    cancelled = admin.post(programs_url("bootcamps", program.pk, "transition"), {"status": "cancelled"})
    # then
    assert cancelled.status_code == 200, cancelled.content
    assert admin.post(programs_url("courses"), _payload("Now it fits")).status_code == 201


def test_under_the_limit_or_without_one_programs_are_created(site: Site) -> None:
    admin = site.client("admin")
    plan_for(site.tenant, programs=1)
    assert admin.post(programs_url("bootcamps"), _payload("First")).status_code == 201
    plan_for(site.tenant, programs=None)
    assert admin.post(programs_url("bootcamps"), _payload("Second")).status_code == 201
