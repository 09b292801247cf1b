"""What programs and enrolments share: the error helpers, the program row lock, audit facts."""

from __future__ import annotations

from typing import Any

from saas.api.errors import ApplicationError
from saas.errors import PermissionDenied
from tenant_apps.school.programs.models import (
    Program,
    program_type_of,
)


def _denied() -> ApplicationError:
    return PermissionDenied("Your role does not allow this action.")


def _invalid(field: str, message: str, code: str = "validation_error") -> ApplicationError:
    return ApplicationError(message, code=code, details={field: [message]})


def _facts(program: Program) -> dict[str, Any]:
    program_type = program_type_of(program)
    return {
        "program_type": program_type.key,
        "program": program.pk,
        "program_title": program.title,
        "program_slug": program.slug,
    }
