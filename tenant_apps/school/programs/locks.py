"""Row locks of the programs app, in the order a transaction takes them: a program, then its
enrolments (the platform-wide order is in docs/architecture.md, "Locks in one order")."""

from __future__ import annotations

from typing import Any

from tenant_apps.school.programs.models import ProgramType


def program_lock(program_type: ProgramType, pk: int) -> Any:
    """The program row, locked until the transaction ends (call inside ``transaction.atomic``)."""
    return program_type.programs().select_for_update(of=("self",)).get(pk=pk)


def enrolment_lock(program_type: ProgramType, pk: int) -> Any:
    """The enrolment row, locked; lock its program first (``program_lock``)."""
    return program_type.enrolments().select_for_update(of=("self",)).select_related("student").get(pk=pk)
