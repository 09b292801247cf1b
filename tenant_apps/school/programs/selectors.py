"""Reads on programs and enrolments. Every read starts from what the user may see
(``access.programs_visible_to``, ``access.enrolments_visible_to``); one object is fetched, checked,
by ``access.access_program`` and ``access.access_enrolment``."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from tenant_apps.school.programs.access import enrolments_visible_to, programs_visible_to
from tenant_apps.school.programs.models import (
    FINAL,
    PROGRAM_TYPES,
    Enrolment,
    EnrolmentStatus,
    Program,
    ProgramType,
    program_type_of,
)


def _enrolments_counted(programs: QuerySet[Any], status: str) -> Coalesce:
    """How many enrolments in ``status`` the outer query's program has: a correlated subquery on the
    queue index (program, status, ...), which PostgreSQL runs for the rows it returns only."""
    counted = (
        program_type_of(programs.model)
        .enrolments()
        .filter(program_id=OuterRef("pk"), status=status)
        .order_by()
        .values("program_id")
        .annotate(n=Count("*"))  # not the id: the count then reads the index alone
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_seats(programs: QuerySet[Any]) -> QuerySet[Any]:
    """``programs`` annotated with ``seats_taken`` (approved enrolments) and ``waitlist_length``,
    teachers prefetched.

    The counts are subqueries per program rather than a join grouped over every enrolment: a page
    costs the same however many enrolments the other programs have.
    """
    return programs.annotate(
        seats_taken=_enrolments_counted(programs, EnrolmentStatus.APPROVED),
        waitlist_length=_enrolments_counted(programs, EnrolmentStatus.WAITLISTED),
    ).prefetch_related("teachers")


def program_list(program_type: ProgramType, *, user: Any) -> QuerySet[Any]:
    """Visible programs with seat counts, by start date (the API's filters and ordering apply on top)."""
    return with_seats(programs_visible_to(program_type, user)).order_by("start_date", "id")


def program_get(program: Program) -> Any:
    """``program`` read again with seat counts (after a write, for the response)."""
    program_type = program_type_of(program)
    return with_seats(program_type.programs().filter(pk=program.pk)).get()


def seats_taken(program: Program) -> int:
    """Approved enrolments of ``program``, counted now (under the program's lock in services)."""
    return int(
        program_type_of(program).enrolments().filter(program_id=program.pk, status=EnrolmentStatus.APPROVED).count()
    )


def waitlist(program: Program) -> QuerySet[Any]:
    """``program``'s waitlisted enrolments, first in first."""
    return (
        program_type_of(program)
        .enrolments()
        .filter(program_id=program.pk, status=EnrolmentStatus.WAITLISTED)
        .order_by("waitlisted_at", "id")
    )


def _enrolment_details(enrolments: QuerySet[Any]) -> QuerySet[Any]:
    """``enrolments`` with program, student, invoice and decider, and ``waitlist_position``
    (see ``waitlist_position``) computed in the same query."""
    return enrolments.select_related("program", "student", "invoice", "decided_by").annotate(
        waitlist_position=Case(
            When(
                status=EnrolmentStatus.WAITLISTED,
                waitlisted_at__isnull=False,
                then=_waitlisted_ahead(enrolments.model) + 1,
            ),
            default=None,
            output_field=IntegerField(),
        )
    )


def _waitlisted_ahead(enrolment_model: Any) -> Coalesce:
    """The waitlisted enrolments ahead of the outer query's in its program's queue (the queue index)."""
    ahead = (
        enrolment_model._default_manager.filter(
            Q(waitlisted_at__lt=OuterRef("waitlisted_at"))
            | Q(waitlisted_at=OuterRef("waitlisted_at"), pk__lt=OuterRef("pk")),
            program_id=OuterRef("program_id"),
            status=EnrolmentStatus.WAITLISTED,
        )
        .order_by()
        .values("program_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0))


def enrolment_list(program_type: ProgramType, *, user: Any) -> QuerySet[Any]:
    """Visible enrolments, newest request first, with program, student and invoice loaded."""
    return _enrolment_details(enrolments_visible_to(program_type, user)).order_by("-requested_at", "-id")


def enrolment_get(enrolment: Enrolment) -> Any:
    """``enrolment`` read again with its program, student and invoice (after a write)."""
    program_type = program_type_of(enrolment)
    return _enrolment_details(program_type.enrolments().filter(pk=enrolment.pk)).get()


def my_enrolments(program_type: ProgramType, *, user: Any) -> QuerySet[Any]:
    """ "My bootcamps" / "My courses": ``user``'s enrolments of every status, live ones first, then
    by the program's start date; with program and invoice (the payment state)."""
    live_first = Q(status__in=[EnrolmentStatus.REQUESTED, EnrolmentStatus.WAITLISTED, EnrolmentStatus.APPROVED])
    enrolments = _enrolment_details(program_type.enrolments().filter(student=user))
    return enrolments.annotate(
        _order=Case(When(live_first, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("_order", "program__start_date", "-requested_at", "-id")


def program_students(program: Program) -> QuerySet[Any]:
    """The enrolments that hold a seat in ``program`` (approved), by student name, with students."""
    return (
        program_type_of(program)
        .enrolments()
        .filter(program_id=program.pk, status=EnrolmentStatus.APPROVED)
        .select_related("student")
        .order_by("student__full_name", "student__email", "id")
    )


def waitlist_position(enrolment: Enrolment) -> int | None:
    """1 for the first waitlisted enrolment of its program, and so on; ``None`` when not waitlisted.

    Read from the enrolment when it was loaded by these selectors (``_enrolment_details``, one
    query for a whole page), else counted now.
    """
    if enrolment.status != EnrolmentStatus.WAITLISTED or enrolment.waitlisted_at is None:
        return None
    loaded = getattr(enrolment, "waitlist_position", None)
    if loaded is not None:
        return int(loaded)
    ahead = (
        program_type_of(enrolment)
        .enrolments()
        .filter(
            Q(waitlisted_at__lt=enrolment.waitlisted_at)
            | Q(waitlisted_at=enrolment.waitlisted_at, pk__lt=enrolment.pk),
            program_id=enrolment.program_id,
            status=EnrolmentStatus.WAITLISTED,
        )
        .count()
    )
    return int(ahead) + 1


def programs_count() -> int:
    """The site's usage of its plan's ``programs`` limit (``school/kind.py``): bootcamps and
    advanced courses that are not ``completed`` or ``cancelled`` (a finished program stays as a
    record and frees its slot; deleting a draft or cancelling one frees it too). One query per type."""
    return sum(program_type.programs().exclude(status__in=FINAL).count() for program_type in PROGRAM_TYPES)
