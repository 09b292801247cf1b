"""Structured logs: one JSON object per line, each carrying the request id, the tenant and the user.

Every log record, from a request or from a Celery task, gets three fields (``LogContextFilter``):

* ``request_id``: the id of the request being served (``RequestIdMiddleware``): the client's
  ``X-Request-ID`` when it sends a sane one (1-64 characters of ``[A-Za-z0-9._-]``, so a client
  cannot inject into log lines), else a fresh UUID (32 hex digits). The response returns it in
  ``X-Request-ID``. A task sent while serving a request carries it in its message headers
  (``request_id``) and its log lines show it; a task sent by beat or a command has its own task
  id instead. ``None`` outside both.
* ``tenant``: the schema the connection serves (``public`` on the platform host and in platform
  tasks), read from the connection, so it is right after every switch (``in_tenant``).
* ``user_id``: the authenticated user's id, once authentication ran (JWT in DRF views, or the
  admin's session); ``None`` before and for anonymous requests. Ids are per tenant: read it with
  ``tenant``.

``LOG_FORMAT=json`` (the default) renders records with python-json-logger's ``JsonFormatter``
(``timestamp`` in UTC ISO 8601, ``level``, ``logger``, ``message``, the three fields above, the
exception's traceback in ``exc_info`` and any ``extra=`` keys); ``LOG_FORMAT=plain`` gives one
readable line per record for a developer's terminal (``make run``).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

#: The response (and accepted request) header carrying the request id.
REQUEST_ID_HEADER = "X-Request-ID"
#: The Celery message header carrying the request id of the request that sent the task.
TASK_HEADER = "request_id"
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

_request_id: ContextVar[str | None] = ContextVar("log_request_id", default=None)
_user_id: ContextVar[str | None] = ContextVar("log_user_id", default=None)


def current_request_id() -> str | None:
    """The request id of the request or task being served, or ``None``."""
    return _request_id.get()


def bind_request_id(value: str | None) -> object:
    """Make ``value`` the current request id; returns a token for ``unbind_request_id``."""
    return _request_id.set(value)


def unbind_request_id(token: object) -> None:
    """Restore the request id that ``bind_request_id`` replaced."""
    _request_id.reset(token)  # type: ignore[arg-type]


def bind_user(user: Any) -> None:
    """Record the authenticated ``user`` (its ``pk``) for the rest of the request's log lines; reset
    by ``RequestIdMiddleware`` at the end of the request (and by the task hooks for a task)."""
    pk = getattr(user, "pk", None)
    _user_id.set(str(pk) if pk is not None and getattr(user, "is_authenticated", False) else None)


def reset_user() -> None:
    """Forget the user bound by ``bind_user``."""
    _user_id.set(None)


def request_id_from(header: str | None) -> str:
    """The client's request id ``header`` when it is sane (see the module docstring), else a new one."""
    if header and _SANE_ID.match(header):
        return header
    return uuid.uuid4().hex


def _current_tenant() -> str | None:
    try:
        from django.db import connection

        return getattr(connection, "schema_name", None)
    except Exception:  # a record logged while Django is not set up, or the connection is torn down
        return None


class LogContextFilter(logging.Filter):
    """Adds ``request_id``, ``tenant`` and ``user_id`` to every record (see the module docstring).
    Attach it to handlers, so records of every logger get the fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        record.tenant = _current_tenant()
        record.user_id = _user_id.get()
        return True


class RequestIdMiddleware:
    """First in ``MIDDLEWARE``: binds the request id (and later the user) for the request's log
    lines, and returns the id in the ``X-Request-ID`` response header. Both stay bound until the
    response is closed (``request_context_clear``), so Django's own line about the response has them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        bind_request_id(request_id)
        reset_user()
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


def request_context_clear(**_: Any) -> None:
    """``request_finished``: the request's id and user are forgotten once its response is closed,
    after Django logged the response (``django.request``'s 4xx/5xx lines carry them too)."""
    _request_id.set(None)
    _user_id.set(None)


class SessionUserMiddleware:
    """After ``AuthenticationMiddleware``: binds the id of the user signed in by session (the admin
    sites) for the request's log lines, read from the session without loading the user. JWT users
    are bound by ``TenantJWTAuthentication`` when DRF authenticates them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.contrib.auth import SESSION_KEY

        session = getattr(request, "session", None)
        if session is not None and settings.SESSION_COOKIE_NAME in request.COOKIES:
            pk = session.get(SESSION_KEY)
            _user_id.set(str(pk) if pk is not None else None)
        return self.get_response(request)


def task_headers_add(headers: dict[str, Any] | None) -> None:
    """Celery ``before_task_publish``: put the current request id into a task's message ``headers``."""
    request_id = _request_id.get()
    if headers is not None and request_id and TASK_HEADER not in headers:
        headers[TASK_HEADER] = request_id


#: Per running task id: the tokens that restore the request id and user when it ends.
_task_tokens: dict[str, tuple[object, object]] = {}


def task_context_bind(task: Any) -> None:
    """Celery ``task_prerun``: bind the request id the task was sent with; without one, the id
    already bound (a task run eagerly inside a request keeps the request's) or else the task's own
    id. A task runs for no user (an eager one keeps the request's)."""
    request = getattr(task, "request", None)
    task_id = str(getattr(request, "id", "") or "")
    sent_with = getattr(request, TASK_HEADER, None) or (getattr(request, "headers", None) or {}).get(TASK_HEADER)
    request_id = str(sent_with) if sent_with else (_request_id.get() or task_id or None)
    eager = bool(getattr(request, "is_eager", False))
    _task_tokens[task_id] = (_request_id.set(request_id), _user_id.set(_user_id.get() if eager else None))


def task_context_unbind(task: Any) -> None:
    """Celery ``task_postrun``: restore what ``task_context_bind`` replaced."""
    request = getattr(task, "request", None)
    tokens = _task_tokens.pop(str(getattr(request, "id", "") or ""), None)
    if tokens is not None:
        _request_id.reset(tokens[0])  # type: ignore[arg-type]
        _user_id.reset(tokens[1])  # type: ignore[arg-type]
