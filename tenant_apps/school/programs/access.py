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
see answer 403.
"""

from __future__ import annotations

from typing import Any

from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.accounts.roles import ADMIN
from tenant_apps.school.kind import STUDENT, SUPPORT, TEACHER

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
