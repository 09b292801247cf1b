"""Capacity and the waitlist: a full program waitlists approvals, first in first out, and a freed
seat (withdrawal, cancellation, more capacity) goes to the head of the line at once, with its
invoice and a notification."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tenant_apps.accounts.models import User
from tests.fixture_types import Enrol, MakeProgram
from tests.tenant_apps.school.programs.conftest import Site, enrolments_url, error_code, programs_url, reload


def _notified(site: Site, user: User) -> list[str]:
    from tenant_apps.notifications.models import Notification

    with tenant_context(site.tenant):
        return [n.verb for n in Notification.objects.filter(recipient=user).order_by("id")]


def test_an_approval_beyond_capacity_puts_the_request_on_the_waitlist(
    site: Site, make_program: MakeProgram, enrol: Enrol
) -> None:
    # given
    program = make_program(capacity=1)
    enrol(site, program, site.ann, approve=True)
    second = enrol(site, program, site.bob)
    # when
    response = site.client("sue").post(enrolments_url(pk=second.pk, action="approve"))
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["waitlist_position"], body["payment"]) == ("waitlisted", 1, None)
    assert _notified(site, site.bob) == ["enrolment.waitlisted"]
    detail = site.client(None).get(programs_url("bootcamps", program.pk)).json()
    assert (detail["seats_taken"], detail["seats_left"], detail["waitlist_length"]) == (1, 0, 1)


def test_the_waitlist_keeps_its_order(site: Site, make_program: MakeProgram, enrol: Enrol) -> None:
    # given
    program = make_program(capacity=1)
    enrol(site, program, site.ann, approve=True)
    # when
    bob = enrol(site, program, site.bob, approve=True)
    cat = enrol(site, program, site.cat, approve=True)
    # then
    client = site.client("sue")
    assert [client.get(enrolments_url(pk=e.pk)).json()["waitlist_position"] for e in (bob, cat)] == [1, 2]


def test_a_list_reads_every_waitlist_position_of_its_page_in_its_own_query(
    site: Site, make_program: MakeProgram, enrol: Enrol
) -> None:
    # given: one waitlisted enrolment, then two more
    program = make_program(capacity=1)
    enrol(site, program, site.ann, approve=True)
    bob = enrol(site, program, site.bob, approve=True)
    client = site.client("sue")

    def listed() -> tuple[dict[int, int], int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(enrolments_url(), {"program": program.pk, "status": "waitlisted"})
        assert response.status_code == 200, response.content
        return {item["id"]: item["waitlist_position"] for item in response.json()["results"]}, len(queries)

    one, statements_for_one = listed()
    cat = enrol(site, program, site.cat, approve=True)
    dan = enrol(site, program, site.dan, approve=True)
    # when
    three, statements_for_three = listed()
    # then
    assert one == {bob.pk: 1}
    assert three == {bob.pk: 1, cat.pk: 2, dan.pk: 3}
    assert statements_for_three == statements_for_one


def test_a_withdrawal_gives_the_seat_to_the_first_on_the_waitlist_with_an_invoice(
    site: Site, make_program: MakeProgram, enrol: Enrol
) -> None:
    # given
    from tenant_apps.audit.models import AuditLogEntry

    program = make_program(capacity=1)
    ann = enrol(site, program, site.ann, approve=True)
    bob = enrol(site, program, site.bob, approve=True)
    cat = enrol(site, program, site.cat, approve=True)
    # when
    site.client("ann").post(enrolments_url(pk=ann.pk, action="withdraw"))
    # then
    bob, cat = reload(site, bob, "invoice"), reload(site, cat)
    assert (bob.status, cat.status) == ("approved", "waitlisted")
    assert bob.invoice is not None and bob.invoice.total == program.price
    assert _notified(site, site.bob) == ["enrolment.waitlisted", "enrolment.approved_from_waitlist"]
    assert site.client("sue").get(enrolments_url(pk=cat.pk)).json()["waitlist_position"] == 1
    with tenant_context(site.tenant):
        entry = AuditLogEntry.objects.get(verb="enrolment.approved_from_waitlist", target_id=str(bob.pk))
    assert (entry.actor, entry.changes["trigger"], entry.changes["status"]) == (
        None,
        "enrolment.withdrawn",
        ["waitlisted", "approved"],
    )


def test_a_cancelled_enrolment_frees_its_seat_for_the_waitlist(
    site: Site, make_program: MakeProgram, enrol: Enrol
) -> None:
    # given
    program = make_program(capacity=1)
    ann = enrol(site, program, site.ann, approve=True)
    bob = enrol(site, program, site.bob, approve=True)
    # when
    site.client("sue").post(enrolments_url(pk=ann.pk, action="cancel"), {"reason": "Moved to the next cohort."})
    # then
    assert reload(site, bob).status == "approved"


def test_withdrawing_from_the_waitlist_frees_no_seat(site: Site, make_program: MakeProgram, enrol: Enrol) -> None:
    # given
    program = make_program(capacity=1)
    enrol(site, program, site.ann, approve=True)
    bob = enrol(site, program, site.bob, approve=True)
    cat = enrol(site, program, site.cat, approve=True)
    # when
    site.client("bob").post(enrolments_url(pk=bob.pk, action="withdraw"))
    # then
    assert reload(site, cat).status == "waitlisted"
    assert site.client("sue").get(enrolments_url(pk=cat.pk)).json()["waitlist_position"] == 1


def test_raising_the_capacity_approves_the_waitlist_into_the_new_seats(
    site: Site, make_program: MakeProgram, enrol: Enrol
) -> None:
    # given
    program = make_program(capacity=1)
    enrol(site, program, site.ann, approve=True)
    waiting = [enrol(site, program, student, approve=True) for student in (site.bob, site.cat, site.dan)]
    # when
    response = site.client("admin").patch(programs_url("bootcamps", program.pk), {"capacity": 3})
    # then
    assert response.status_code == 200, response.content
    assert [reload(site, e).status for e in waiting] == ["approved", "approved", "waitlisted"]
    assert all(reload(site, e, "invoice").invoice is not None for e in waiting[:2])
    assert (response.json()["seats_taken"], response.json()["waitlist_length"]) == (3, 1)


def test_the_capacity_cannot_go_below_the_seats_taken(site: Site, make_program: MakeProgram, enrol: Enrol) -> None:
    # given
    program = make_program(capacity=3)
    for student in (site.ann, site.bob):
        enrol(site, program, student, approve=True)
    # when
    response = site.client("admin").patch(programs_url("bootcamps", program.pk), {"capacity": 1})
    # then
    assert (response.status_code, error_code(response)) == (409, "capacity_below_enrolled")
    assert response.json()["error"]["details"]["seats_taken"] == 2


def test_a_waitlisted_student_whose_account_was_deactivated_is_skipped(
    site: Site, make_program: MakeProgram, enrol: Enrol
) -> None:
    # given
    from tenant_apps.accounts.services import user_update

    program = make_program(capacity=1)
    ann = enrol(site, program, site.ann, approve=True)
    bob = enrol(site, program, site.bob, approve=True)
    cat = enrol(site, program, site.cat, approve=True)
    with tenant_context(site.tenant):
        user_update(reload(site, site.bob), is_active=False)
    # when
    site.client("ann").post(enrolments_url(pk=ann.pk, action="withdraw"))
    # then
    assert (reload(site, bob).status, reload(site, cat).status) == ("cancelled", "approved")
