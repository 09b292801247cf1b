"""Who may do what with programs and enrolments (school roles, ``accounts/roles.py``).

| who | programs | enrolments |
| --- | --- | --- |
| anyone, anonymous included | list and read those not in ``draft`` | — |
| ``student`` | as anyone | request, withdraw their own, read their own ("mine") |
| ``teacher`` | as anyone, plus the drafts they teach | the students of the programs they teach |
| ``support`` | every program, drafts included | read all, approve, reject, cancel |
| ``financial`` | as anyone | (invoices and payments, in the payments app) |
| ``admin`` | create, change, delete drafts, move status | as support |

Objects a user may not see answer 404; actions their role does not allow on objects they may
see answer 403. Every read starts from ``programs_visible_to`` or ``enrolments_visible_to``; one
object is fetched, checked, by ``access_program`` or ``access_enrolment``, in the shape the API
answers with (``selectors``: seat counts; the enrolment's program, student and invoice).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from saas.errors import ApplicationError, NotFound
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.accounts.roles import ADMIN
from tenant_apps.school.kind import STUDENT, SUPPORT, TEACHER
from tenant_apps.school.programs.models import Program, ProgramStatus, ProgramType, program_type_of

#: Create, change, delete and move programs.
PROGRAM_MANAGER_ROLES: tuple[str, ...] = (ADMIN,)
#: Approve, reject and cancel enrolments; see every program and enrolment.
ENROLMENT_MANAGER_ROLES: tuple[str, ...] = (SUPPORT, ADMIN)
#: May ask for a seat.
STUDENT_ROLES: tuple[str, ...] = (STUDENT,)


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_manage_programs(user: Any) -> bool:
    """Create, change, delete (drafts) and move programs: ``admin``."""
    return _active(user) and user_has_role(user, *PROGRAM_MANAGER_ROLES)


def can_manage_enrolments(user: Any) -> bool:
    """Decide enrolments and see all programs, drafts included: ``support`` and ``admin``."""
    return _active(user) and user_has_role(user, *ENROLMENT_MANAGER_ROLES)


def can_request_enrolment(user: Any) -> bool:
    """Ask for a seat: ``student``."""
    return _active(user) and user_has_role(user, *STUDENT_ROLES)


def teaches(user: Any, program: Any) -> bool:
    """Whether ``user`` is one of ``program``'s teachers (and still holds the teacher role)."""
    return _active(user) and user_has_role(user, TEACHER) and program.teachers.filter(pk=user.pk).exists()


def can_see_students(user: Any, program: Any) -> bool:
    """Read the students of ``program``: its teachers, support and admin."""
    return can_manage_enrolments(user) or teaches(user, program)


def programs_visible_to(program_type: ProgramType, user: Any) -> QuerySet[Any]:
    """The programs of ``program_type`` that ``user`` (anonymous allowed) may see: all for support
    and admin; for anyone else those out of ``draft``, and for teachers also the drafts they teach."""
    programs = program_type.programs()
    if can_manage_enrolments(user):
        return programs
    visible = ~Q(status=ProgramStatus.DRAFT)
    if _active(user) and user_has_role(user, TEACHER):
        visible |= Q(teachers=user)
        # a subquery, not a join: the join on teachers would multiply the seat counts' rows
        return programs.filter(pk__in=programs.filter(visible).values("pk"))
    return programs.filter(visible)


def enrolments_visible_to(program_type: ProgramType, user: Any) -> QuerySet[Any]:
    """The enrolments of ``program_type`` that ``user`` may see: every one for support and admin,
    their own for anyone else (none for an anonymous or deactivated user)."""
    enrolments = program_type.enrolments()
    if not _active(user):
        return enrolments.none()
    if can_manage_enrolments(user):
        return enrolments
    return enrolments.filter(student=user)


def can_link_ticket(user: Any, program: Program) -> bool:
    """Ticket-target rule (``kind.py``): ``user`` may open a ticket about ``program`` if they may see it."""
    program_type = program_type_of(program)
    return bool(programs_visible_to(program_type, user).filter(pk=program.pk).exists())


def _not_found(program_type: ProgramType, what: str = "") -> ApplicationError:
    return NotFound(f"No such {what or program_type.label}.")


def _lookup(ref: Any) -> Q:
    """An id (digits) or a slug (never only digits: ``services`` refuses such slugs)."""
    text = str(ref).strip()
    return Q(pk=int(text)) if text.isdigit() else Q(slug=text)


def access_program(program_type: ProgramType, *, user: Any, ref: Any) -> Any:
    """The program of ``program_type`` with id or slug ``ref``, if ``user`` may see it
    (``programs_visible_to``), with its seat counts (``selectors.program_list``).

    Raises ``NotFound`` (404 ``not_found``) for an unknown ``ref`` and for a program ``user`` may not
    see alike. No ``lock``: services lock the program themselves (``locks.program_lock``).
    """
    from tenant_apps.school.programs import selectors  # the answer's shape; selectors import this module

    program = selectors.program_list(program_type, user=user).filter(_lookup(ref)).first()
    if program is None:
        raise _not_found(program_type)
    return program


def access_enrolment(program_type: ProgramType, *, user: Any, pk: Any) -> Any:
    """The enrolment ``pk`` of ``program_type``, if ``user`` may see it (``enrolments_visible_to``),
    with its program, student and invoice (``selectors.enrolment_list``).

    Raises ``NotFound`` (404 ``not_found``) for an unknown id, one that is no number, and an
    enrolment ``user`` may not see alike. No ``lock``: services lock the program, then the
    enrolment (``locks``).
    """
    from tenant_apps.school.programs import selectors  # the answer's shape; selectors import this module

    try:
        key = int(pk)
    except (TypeError, ValueError):
        key = None
    enrolment = selectors.enrolment_list(program_type, user=user).filter(pk=key).first() if key is not None else None
    if enrolment is None:
        raise _not_found(program_type, "enrolment")
    return enrolment
