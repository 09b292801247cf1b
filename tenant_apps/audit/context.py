"""The client IP of the request being served, for audit rows written deep in services.

Set by ``AuditContextMiddleware``; ``None`` outside a request (tasks, commands).
"""

from __future__ import annotations

from contextvars import ContextVar

_client_ip: ContextVar[str | None] = ContextVar("audit_client_ip", default=None)


def client_ip() -> str | None:
    """The current request's client IP, or ``None``."""
    return _client_ip.get()


def set_client_ip(ip: str | None) -> object:
    """Set the current client IP; returns a token for ``reset_client_ip``."""
    return _client_ip.set(ip)


def reset_client_ip(token: object) -> None:
    """Restore the client IP that ``set_client_ip`` replaced (at the end of the request)."""
    _client_ip.reset(token)  # type: ignore[arg-type]
