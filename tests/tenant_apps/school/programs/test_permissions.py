"""Who may do what: the permission matrix of the programs API for every school role.

``tom`` teaches the program, ``tia`` is another teacher; ``ann`` is a student, ``sue`` support,
``fay`` financial. Anonymous callers get 401 on everything but reading programs.
"""

from __future__ import annotations

import pytest

from tests.fixture_types import Enrol, MakeProgram
from tests.tenant_apps.school.programs.conftest import Site, enrolments_url, error_code, in_days, programs_url, results

ROLES = [None, "ann", "tom", "tia", "sue", "fay", "admin"]
IDS = ["anonymous", "student", "its-teacher", "other-teacher", "support", "financial", "admin"]


def _expect(allowed: set[str], who: str | None, ok: int) -> int:
    if who in allowed:
        return ok
    return 401 if who is None else 403


@pytest.mark.parametrize("who", ROLES, ids=IDS)
def test_only_admins_create_change_and_move_programs(site: Site, make_program: MakeProgram, who: str | None) -> None:
    # given
    program = make_program("draft")
    client = site.client(who)
    body = {
        "title": "New",
        "start_date": str(in_days(5)),
        "end_date": str(in_days(10)),
        "capacity": 5,
        "price": "10.00",
        "currency": "USD",
    }
    # when
    created = client.post(programs_url(), body)
    changed = client.patch(programs_url("bootcamps", program.pk), {"title": "Changed"})
    moved = client.post(programs_url("bootcamps", program.pk, "transition"), {"status": "registration_open"})
    # then
    assert created.status_code == _expect({"admin"}, who, 201)
    assert changed.status_code == _expect({"admin"}, who, 200)
    assert moved.status_code == _expect({"admin"}, who, 200)
    if who not in {None, "admin"}:
        assert error_code(changed) == "permission_denied"


@pytest.mark.parametrize("who", ROLES, ids=IDS)
def test_the_students_of_a_program_are_seen_by_its_teachers_support_and_admin(
    site: Site, make_program: MakeProgram, enrol: Enrol, who: str | None
) -> None:
    # given
    program = make_program(teachers=[site.tom.pk])
    enrol(site, program, site.bob, approve=True)
    enrol(site, program, site.cat)  # asked, no seat: not a student of it yet
    # when
    response = site.client(who).get(programs_url("bootcamps", program.pk, "students"))
    # then
    assert response.status_code == _expect({"tom", "sue", "admin"}, who, 200)
    if response.status_code == 200:
        assert [(row["student"]["email"], row["enrolment"] is not None) for row in results(response)] == [
            ("bob@alpha.test", True)
        ]


def test_a_teacher_does_not_learn_about_drafts_of_others_through_students(
    site: Site, make_program: MakeProgram
) -> None:
    # given
    draft = make_program("draft", teachers=[site.tom.pk])
    # when
    response = site.client("tia").get(programs_url("bootcamps", draft.pk, "students"))
    # then
    assert (response.status_code, error_code(response)) == (404, "not_found")


@pytest.mark.parametrize("who", ROLES, ids=IDS)
def test_only_students_ask_for_a_seat(site: Site, make_program: MakeProgram, who: str | None) -> None:
    # given
    program = make_program()
    # when
    response = site.client(who).post(enrolments_url(), {"program": program.pk})
    # then
    assert response.status_code == _expect({"ann"}, who, 201)


@pytest.mark.parametrize("who", ROLES, ids=IDS)
def test_only_support_and_admin_approve_reject_and_cancel(
    site: Site, make_program: MakeProgram, enrol: Enrol, who: str | None
) -> None:
    # given
    program = make_program()
    to_approve, to_reject, to_cancel = (enrol(site, program, s) for s in (site.bob, site.cat, site.dan))
    client = site.client(who)
    # when
    approved = client.post(enrolments_url(pk=to_approve.pk, action="approve"))
    rejected = client.post(enrolments_url(pk=to_reject.pk, action="reject"), {"reason": "No."})
    cancelled = client.post(enrolments_url(pk=to_cancel.pk, action="cancel"), {"reason": "No."})
    # then (others' enrolments are not visible to the other roles: 404, as for a missing id)
    expected = 404 if who not in {None, "sue", "admin"} else _expect({"sue", "admin"}, who, 200)
    assert (approved.status_code, rejected.status_code, cancelled.status_code) == (expected,) * 3


@pytest.mark.parametrize("who", ROLES, ids=IDS)
def test_enrolment_lists_show_everything_to_support_and_admin_and_their_own_to_others(
    site: Site,
    make_program: MakeProgram,
    enrol: Enrol,
    who: str | None,
) -> None:
    # given
    program = make_program()
    ann = enrol(site, program, site.ann)
    bob = enrol(site, program, site.bob)
    # when
    response = site.client(who).get(enrolments_url())
    # then
    if who is None:
        assert response.status_code == 401
        return
    expected = {"sue": {ann.pk, bob.pk}, "admin": {ann.pk, bob.pk}, "ann": {ann.pk}}.get(who, set())
    assert {e["id"] for e in results(response)} == expected


def test_only_the_student_withdraws_their_enrolment(site: Site, make_program: MakeProgram, enrol: Enrol) -> None:
    # given
    enrolment = enrol(site, make_program(), site.ann)
    # when
    by_support = site.client("sue").post(enrolments_url(pk=enrolment.pk, action="withdraw"))
    by_other_student = site.client("bob").post(enrolments_url(pk=enrolment.pk, action="withdraw"))
    # then
    assert (by_support.status_code, error_code(by_support)) == (403, "permission_denied")
    assert (by_other_student.status_code, error_code(by_other_student)) == (404, "not_found")


@pytest.mark.parametrize("who", ROLES, ids=IDS)
def test_everyone_may_read_published_programs(site: Site, make_program: MakeProgram, who: str | None) -> None:
    program = make_program()
    assert site.client(who).get(programs_url("bootcamps", program.pk)).status_code == 200
