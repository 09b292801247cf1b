"""Two approvals racing for the last seat, on committed data, from two threads with their own
database connections (as two concurrent requests have): exactly one gets the seat, the other is
waitlisted.

A pause is injected where the seats are counted, so without the program's row lock both
approvals would count the same free seat every time; the second test removes the lock and shows
exactly that, so the first one cannot pass by luck. Everything committed is deleted afterwards
and the tenant's invoice counter restored.
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
from tests.factories import BootcampEnrolmentFactory, BootcampFactory, UserFactory


@pytest.fixture
def last_seat(alpha: Tenant) -> Iterator[dict[str, Any]]:
    """Committed in alpha: a bootcamp with 2 seats, one taken, and two students' requests."""
    from tenant_apps.accounts.models import User
    from tenant_apps.audit.models import AuditLogEntry
    from tenant_apps.notifications.models import Notification
    from tenant_apps.payments.models import Invoice, InvoiceCounter
    from tenant_apps.school.programs.models import BootcampEnrolment

    def marks() -> dict[str, Any]:
        with tenant_context(alpha):
            counter = InvoiceCounter.objects.filter(key="invoice").first()
            return {
                "audit": AuditLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0,
                "notification": Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0,
                "counter": counter.value if counter else None,
            }

    def setup() -> dict[str, Any]:
        with tenant_context(alpha):
            admin = User.objects.get(email="admin@alpha.test")
            students = [UserFactory(email=f"racer{i}@alpha.test", roles=["student"]) for i in range(3)]
            start = timezone.localdate() + timedelta(days=30)
            program = BootcampFactory(
                actor=admin,
                title="Race Bootcamp",
                start_date=start,
                end_date=start + timedelta(days=30),
                capacity=2,
                price=Decimal("100.00"),
                currency="USD",
                status="registration_open",
            )
            BootcampEnrolmentFactory(program=program, student=students[0], approved=True, decided_by=admin)
            requests = [BootcampEnrolmentFactory(program=program, student=s) for s in students[1:]]
            return {"admin": admin, "students": students, "program": program, "requests": requests}

    before = in_thread(marks)
    rows = in_thread(setup)
    try:
        yield rows
    finally:

        def cleanup() -> None:
            with tenant_context(alpha):
                enrolments = BootcampEnrolment.objects.filter(program=rows["program"])
                invoice_ids = [pk for pk in enrolments.values_list("invoice_id", flat=True) if pk]
                enrolments.delete()
                Invoice.objects.filter(pk__in=invoice_ids).delete()
                rows["program"].delete()
                User.objects.filter(pk__in=[s.pk for s in rows["students"]]).delete()
                AuditLogEntry.objects.filter(id__gt=before["audit"]).delete()
                Notification.objects.filter(id__gt=before["notification"]).delete()
                if before["counter"] is None:
                    InvoiceCounter.objects.filter(key="invoice").delete()
                else:
                    InvoiceCounter.objects.filter(key="invoice").update(value=before["counter"])

        in_thread(cleanup)
        tenant_connection().set_schema_to_public()


def _slow_seat_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every seat count pauses after reading, so both approvals read before either writes
    unless the program lock queues them."""
    from tenant_apps.school.programs import services

    real = services.enrolments._seats_taken

    def slow(program: Any) -> int:
        taken = real(program)
        time.sleep(0.3)
        return taken

    monkeypatch.setattr(services.enrolments, "_seats_taken", slow)


def _approve_both(alpha: Tenant, rows: dict[str, Any]) -> list[Any]:
    from tenant_apps.school.programs import services

    def approve(enrolment: Any) -> Callable[[], Any]:
        def run() -> Any:
            with tenant_context(alpha):
                return services.enrolment_approve(enrolment=enrolment, actor=rows["admin"]).status

        return run

    return race([approve(enrolment) for enrolment in rows["requests"]])


def _statuses(alpha: Tenant, rows: dict[str, Any]) -> dict[str, int]:
    from tenant_apps.school.programs.models import BootcampEnrolment

    def read() -> dict[str, int]:
        with tenant_context(alpha):
            found: dict[str, int] = {}
            for status in BootcampEnrolment.objects.filter(program=rows["program"]).values_list("status", flat=True):
                found[status] = found.get(status, 0) + 1
            return found

    return dict(in_thread(read))


def test_two_approvals_racing_for_the_last_seat_give_one_seat_and_one_waitlist_entry(
    alpha: Tenant,
    last_seat: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given
    _slow_seat_count(monkeypatch)
    # when
    outcomes = _approve_both(alpha, last_seat)
    # then
    assert sorted(outcomes) == ["approved", "waitlisted"], outcomes
    assert _statuses(alpha, last_seat) == {"approved": 2, "waitlisted": 1}

    def invoices() -> int:
        from tenant_apps.school.programs.models import BootcampEnrolment

        with tenant_context(alpha):
            return BootcampEnrolment.objects.filter(program=last_seat["program"], invoice__isnull=False).count()

    assert in_thread(invoices) == 2  # the waitlisted one was not billed


def test_without_the_program_lock_the_same_race_overbooks(
    alpha: Tenant, last_seat: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the lock replaced by a plain read (what the first test guards against)
    from tenant_apps.school.programs import services

    _slow_seat_count(monkeypatch)
    monkeypatch.setattr(
        services.enrolments, "program_lock", lambda program_type, pk: program_type.programs().get(pk=pk)
    )
    # when
    outcomes = _approve_both(alpha, last_seat)
    # then: both counted the same free seat
    assert outcomes == ["approved", "approved"], outcomes
    assert _statuses(alpha, last_seat) == {"approved": 3}
