"""What the properties services share: role checks, field errors and text clean-up."""

from __future__ import annotations

from typing import Any

from saas.errors import ApplicationError, ErrorCode, PermissionDenied


def require(allowed: bool, message: str = "Your role does not allow this action.") -> None:
    """Raise ``PermissionDenied`` (403 ``permission_denied``) unless ``allowed``."""
    if not allowed:
        raise PermissionDenied(message)


def field_error(field: str, message: str, *, code: str = ErrorCode.VALIDATION_ERROR) -> ApplicationError:
    """A 400 naming ``field`` in ``details`` (the serializers' shape)."""
    return ApplicationError(message, code=code, details={field: [message]})


def clean_text(value: Any, *, field: str, required: bool = True, max_length: int | None = None) -> str:
    """``value`` stripped; raises ``field_error`` (400) when not a string, required and blank, or too long."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise field_error(field, "Not a valid string.")
    text = value.strip()
    if required and not text:
        raise field_error(field, "This field may not be blank.")
    if max_length is not None and len(text) > max_length:
        raise field_error(field, f"At most {max_length} characters.")
    return text
