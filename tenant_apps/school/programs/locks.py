"""Row locks of the programs app, in the order a transaction takes them: a program, then its
enrolments (the platform-wide order is in docs/architecture.md, "Locks in one order").

Every write on enrolments holds their program's lock first, so enrolments are only ever locked
under it: the invoice rows an approval or a withdrawal locks after them never wait for an
enrolment another transaction holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from tenant_apps.school.programs.models import EnrolmentStatus, Program, ProgramType, program_type_of


def program_lock(program_type: ProgramType, pk: int) -> Any:
    """The program row, locked until the transaction ends (call inside ``transaction.atomic``)."""
    return program_type.programs().select_for_update(no_key=True, of=("self",)).get(pk=pk)


def enrolment_lock(program_type: ProgramType, pk: int) -> Any:
    """The enrolment row, locked; lock its program first (``program_lock``)."""
    return program_type.enrolments().select_for_update(no_key=True, of=("self",)).select_related("student").get(pk=pk)


def waitlist_head_lock(program: Program) -> Any:
    """The first waitlisted enrolment of ``program`` (first in, first out: ``waitlisted_at``, then id),
    with its student, locked until the transaction ends; ``None`` when nobody is waiting. Lock the
    program first (``program_lock``).

    Read again after each approval: an enrolment decided meanwhile is no longer waitlisted, so a
    second reader waiting on it gets the next one in line.
    """
    return (
        program_type_of(program)
        .enrolments()
        .select_for_update(no_key=True, of=("self",))
        .select_related("student")
        .filter(program_id=program.pk, status=EnrolmentStatus.WAITLISTED)
        .order_by("waitlisted_at", "id")
        .first()
    )


def program_enrolments_lock(program: Program, *, statuses: Iterable[str]) -> QuerySet[Any]:
    """``program``'s enrolments in ``statuses``, with their students, locked in primary-key order
    when evaluated (inside the transaction that holds the program's lock, ``program_lock``)."""
    return (
        program_type_of(program)
        .enrolments()
        .select_for_update(no_key=True, of=("self",))
        .select_related("student")
        .filter(program_id=program.pk, status__in=list(statuses))
        .order_by("pk")
    )
