"""The client IP and the impersonator of the request being served, for audit rows written deep in
services.

Set by ``AuditContextMiddleware`` (the IP) and by JWT authentication (the impersonator, for a
request made with an impersonation token); ``None`` outside a request (tasks, commands).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

_client_ip: ContextVar[str | None] = ContextVar("audit_client_ip", default=None)
_impersonator: ContextVar[dict[str, Any] | None] = ContextVar("audit_impersonator", default=None)


def client_ip() -> str | None:
    """The current request's client IP, or ``None``."""
    return _client_ip.get()


def set_client_ip(ip: str | None) -> object:
    """Set the current client IP; returns a token for ``reset_client_ip``."""
    return _client_ip.set(ip)


def reset_client_ip(token: object) -> None:
    """Restore the client IP that ``set_client_ip`` replaced (at the end of the request)."""
    _client_ip.reset(token)  # type: ignore[arg-type]


def impersonator() -> dict[str, Any] | None:
    """``{"email", "id"}`` of the platform staff member acting through an impersonation token in
    the current request, or ``None``."""
    return _impersonator.get()


def set_impersonator(value: dict[str, Any] | None) -> object:
    """Set the current impersonator; returns a token for ``reset_impersonator``."""
    return _impersonator.set(value)


def reset_impersonator(token: object) -> None:
    """Restore the impersonator that ``set_impersonator`` replaced (at the end of the request)."""
    _impersonator.reset(token)  # type: ignore[arg-type]
