"""Two seats freed at the same moment go to the first two waitlisted students, one seat each.

Two approved students of a full bootcamp withdraw at once, from two threads with their own database
connections (as two concurrent requests have), on committed data. Each withdrawal hands its seat to
the head of the waitlist, read with ``locks.waitlist_head_lock`` under the program's lock.

The program's lock alone already queues the two withdrawals; the waitlist's row lock is what keeps
the queue right where a writer does not hold it. The second test removes the program lock and shows
the waitlist lock still hands each seat to a different student; the third removes both and shows
the same student approved twice while the next one waits on, so the first two cannot pass by luck.
Everything committed is deleted afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from saas.db.tenant import tenant_connection
from shared_apps.tenancy.models import Tenant
from tests.concurrency import in_thread, race
from tests.conftest import PASSWORD

PAUSE = 0.3


@pytest.fixture
def full_bootcamp(alpha: Any) -> Iterator[dict[str, Any]]:
    """Committed in alpha: a free bootcamp with 2 seats held by ``seated`` and 2 ``waiting`` students
    on its waitlist, first in first."""
    from tenant_apps.accounts.models import User
    from tenant_apps.accounts.services import user_create
    from tenant_apps.audit.models import AuditLogEntry
    from tenant_apps.notifications.models import Notification
    from tenant_apps.school.programs import services
    from tenant_apps.school.programs.models import BOOTCAMPS, BootcampEnrolment

    def marks() -> dict[str, int]:
        with tenant_context(alpha):
            return {
                "audit": AuditLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0,
                "notification": Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0,
            }

    def setup() -> dict[str, Any]:
        with tenant_context(alpha):
            admin = User.objects.get(email="admin@alpha.test")
            students = [
                user_create(email=f"waitlist-racer{i}@alpha.test", password=PASSWORD, roles=["student"])
                for i in range(4)
            ]
            start = timezone.localdate() + timedelta(days=30)
            program = services.program_create(
                program_type=BOOTCAMPS,
                actor=admin,
                title="Waitlist Race Bootcamp",
                start_date=start,
                end_date=start + timedelta(days=30),
                capacity=2,
                price=Decimal("0"),
                currency="USD",
            )
            program = services.program_transition(program=program, actor=admin, status="registration_open")
            enrolments = []
            for student in students:  # the first two get the seats, the others queue in this order
                enrolment = services.enrolment_request(program=program, student=student)
                enrolments.append(services.enrolment_approve(enrolment=enrolment, actor=admin))
            assert [e.status for e in enrolments] == ["approved", "approved", "waitlisted", "waitlisted"]
            return {"program": program, "students": students, "seated": enrolments[:2], "waiting": enrolments[2:]}

    before = in_thread(marks)
    rows = in_thread(setup)
    try:
        yield rows
    finally:

        def cleanup() -> None:
            with tenant_context(alpha):
                BootcampEnrolment.objects.filter(program=rows["program"]).delete()
                rows["program"].delete()
                User.objects.filter(pk__in=[s.pk for s in rows["students"]]).delete()
                AuditLogEntry.objects.filter(id__gt=before["audit"]).delete()
                Notification.objects.filter(id__gt=before["notification"]).delete()

        in_thread(cleanup)
        tenant_connection().set_schema_to_public()


@pytest.fixture
def slow_seat_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every seat count pauses after reading, so both withdrawals reach the waitlist together unless
    the program lock queues them."""
    from tenant_apps.school.programs import services

    real = services.enrolments._seats_taken

    def slow(program: Any) -> int:
        taken = real(program)
        time.sleep(PAUSE)
        return taken

    monkeypatch.setattr(services.enrolments, "_seats_taken", slow)


def _without_the_program_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    from tenant_apps.school.programs import services

    monkeypatch.setattr(
        services.enrolments, "program_lock", lambda program_type, pk: program_type.programs().get(pk=pk)
    )


def _withdraw_both(alpha: Any, rows: dict[str, Any]) -> list[Any]:
    from tenant_apps.school.programs import services

    def withdraw(enrolment: Any) -> Callable[[], Any]:
        def run() -> Any:
            with tenant_context(alpha):
                return services.enrolment_withdraw(enrolment=enrolment, student=enrolment.student).status

        return run

    return race([withdraw(enrolment) for enrolment in rows["seated"]])


def _outcome(alpha: Any, rows: dict[str, Any]) -> tuple[list[str], list[int]]:
    """The waiting enrolments' statuses now, and how many times each was approved from the waitlist."""
    from tenant_apps.audit.models import AuditLogEntry
    from tenant_apps.school.programs.models import BootcampEnrolment

    def read() -> tuple[list[str], list[int]]:
        with tenant_context(alpha):
            ids = [e.pk for e in rows["waiting"]]
            statuses = dict(BootcampEnrolment.objects.filter(pk__in=ids).values_list("pk", "status"))
            approvals = [
                AuditLogEntry.objects.filter(verb="enrolment.approved_from_waitlist", target_id=str(pk)).count()
                for pk in ids
            ]
            return [statuses[pk] for pk in ids], approvals

    return in_thread(read)


def test_two_seats_freed_at_once_go_to_the_first_two_waiting_one_each(
    alpha: Tenant, full_bootcamp: dict[str, Any], slow_seat_count: None
) -> None:
    # when
    results = _withdraw_both(alpha, full_bootcamp)
    # then
    assert results == ["withdrawn", "withdrawn"], results
    assert _outcome(alpha, full_bootcamp) == (["approved", "approved"], [1, 1])


def test_without_the_program_lock_the_waitlist_lock_still_seats_each_once(
    alpha: Tenant, full_bootcamp: dict[str, Any], slow_seat_count: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the program lock replaced by a plain read; both withdrawals reach the waitlist together
    _without_the_program_lock(monkeypatch)
    # when
    results = _withdraw_both(alpha, full_bootcamp)
    # then: the second waited for the first's head of the queue and took the next one
    assert results == ["withdrawn", "withdrawn"], results
    assert _outcome(alpha, full_bootcamp) == (["approved", "approved"], [1, 1])


def test_without_the_program_and_waitlist_locks_one_student_is_seated_twice(
    alpha: Tenant, full_bootcamp: dict[str, Any], slow_seat_count: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: neither lock (the head read plainly, with a pause before it is approved)
    from tenant_apps.school.programs import services
    from tenant_apps.school.programs.models import EnrolmentStatus

    _without_the_program_lock(monkeypatch)

    def plain_head(program: Any) -> Any:
        head = (
            type(full_bootcamp["waiting"][0])
            .objects.select_related("student")
            .filter(program_id=program.pk, status=EnrolmentStatus.WAITLISTED)
            .order_by("waitlisted_at", "id")
            .first()
        )
        time.sleep(PAUSE)
        return head

    monkeypatch.setattr(services.enrolments, "waitlist_head_lock", plain_head)
    # when
    _withdraw_both(alpha, full_bootcamp)
    # then: both seats went to the first in line, the second still waits for a seat that is free
    assert _outcome(alpha, full_bootcamp) == (["approved", "waitlisted"], [2, 0])
