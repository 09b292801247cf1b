"""The one JSON error shape of the API, and the exception handler that produces it.

Every error response, from a view, the tenant middleware or a URL that matches nothing, has
this body (``details`` is present only when there is something to add)::

    {"error": {"code": "validation_error",
               "message": "Invalid input.",
               "details": {"email": ["Enter a valid email address."]}}}

``code`` is stable and machine-readable (one of ``saas.errors.ErrorCode``); ``message`` is for
people. Domain code raises ``saas.errors.ApplicationError`` or one of its typed subclasses
(``NotFound``, ``PermissionDenied``, ``Conflict``...); DRF's exceptions,
Django's ``ValidationError``, ``Http404`` and ``PermissionDenied`` are converted here.
"""

from __future__ import annotations

import logging
import math
import sys
from typing import Any

import redis
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from saas.db.pool import busy_error, database_unavailable_error, is_connection_lost, is_pool_exhausted
from saas.errors import ApplicationError, ErrorCode, ServiceUnavailable

__all__ = ["ApplicationError", "error_body", "error_response", "exception_handler"]

logger = logging.getLogger(__name__)


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The error shape as a dict."""
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return {"error": body}


def error_response(code: str, message: str, status_code: int, details: Any = None) -> JsonResponse:
    """A plain Django ``JsonResponse`` in the error shape, for code outside DRF views."""
    return JsonResponse(error_body(code, message, details), status=status_code)


def _code_of(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    if isinstance(codes, dict) and isinstance(codes.get("code"), str):
        return str(codes["code"])  # simplejwt's InvalidToken carries {"detail", "code", "messages"}
    return str(exc.default_code)


def _message_of(exc: exceptions.APIException) -> str:
    detail = exc.detail
    if isinstance(detail, dict) and "detail" in detail:
        return str(detail["detail"])
    if isinstance(detail, list) and len(detail) == 1:
        return str(detail[0])
    if isinstance(detail, str):
        return detail
    return str(exc.default_detail)


def _too_large_body() -> dict[str, Any]:
    return error_body("request_too_large", "The request body is larger than this server accepts.")


def _redis_down(exc: BaseException | None) -> bool:
    return isinstance(exc, (redis.ConnectionError, redis.TimeoutError))


def redis_unavailable_error() -> ServiceUnavailable:
    """503 ``service_unavailable`` with ``Retry-After`` (``REDIS_RETRY_SECONDS``): Redis, which the
    request needed for a write (a sign-in throttle's counter, say), is unreachable. Reads never get
    here: the cache answers a miss (``saas.cache``)."""
    return ServiceUnavailable(
        "The service is unavailable for a moment. Try again shortly.",
        code=ErrorCode.SERVICE_UNAVAILABLE,
        details={"retry_after": math.ceil(float(settings.REDIS_RETRY_SECONDS))},
    )


#: SQLSTATEs of a transaction PostgreSQL gave up on because of another one: ``deadlock_detected``,
#: ``serialization_failure``, ``lock_not_available`` (a ``lock_timeout``). Retrying may succeed.
_LOCK_CONFLICT_SQLSTATES = frozenset({"40P01", "40001", "55P03"})


def _lock_conflict(exc: BaseException | None) -> bool:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if getattr(exc, "sqlstate", None) in _LOCK_CONFLICT_SQLSTATES:
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _conflict() -> Response:
    return Response(
        error_body("conflict", "This conflicts with a change made at the same time. Reload and try again."),
        status=status.HTTP_409_CONFLICT,
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF ``EXCEPTION_HANDLER``: every handled exception becomes the one error shape.

    No free database connection within ``DB_POOL_TIMEOUT`` is a 503 with ``Retry-After``
    (``saas.db.pool.busy_error``), not a 500; nor is a connection that broke under the request
    (503 ``database_unavailable``, ``saas.db.pool.database_unavailable_error``), nor Redis being
    unreachable for a write (503 ``service_unavailable``, ``redis_unavailable_error``).

    A transaction PostgreSQL aborted for another one (a deadlock, a serialization failure, a
    ``lock_timeout``) is a 409 ``conflict`` the client may retry, logged as an error: the services
    take their locks in one order (docs/architecture.md, "Locks in one order"), so a deadlock is a
    bug to fix."""
    if is_pool_exhausted(exc):
        logger.warning("database connection pool exhausted: %s", exc)
        exc = busy_error()
    elif is_connection_lost(exc):
        logger.warning("database connection lost: %s", exc)
        exc = database_unavailable_error()
    elif _redis_down(exc):
        logger.warning("redis unavailable: %s", exc)
        exc = redis_unavailable_error()
    if isinstance(exc, ApplicationError):
        answer = Response(error_body(exc.code, exc.message, exc.details), status=exc.status_code)
        if isinstance(exc.details.get("retry_after"), int):  # a rate limit says when to come back
            answer["Retry-After"] = str(exc.details["retry_after"])
        return answer
    if isinstance(exc, RequestDataTooBig):
        return Response(_too_large_body(), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, IntegrityError):
        # Only reachable through a race the services' own checks could not see (two requests
        # creating the same unique thing at once): the loser gets a conflict, not a 500.
        logger.warning("integrity error answered with 409: %s", exc)
        return _conflict()
    if _lock_conflict(exc):
        logger.error("transaction aborted by a lock conflict, answered with 409: %s", exc)
        return _conflict()
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response

    if isinstance(exc, exceptions.ValidationError):
        fields: dict[str, Any] = dict(exc.detail) if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        message = "Invalid input."
        non_field = fields.get("non_field_errors")
        if non_field and len(fields) == 1:
            message = str(non_field[0])
        response.data = error_body("validation_error", message, fields)
    else:
        extra = None
        if isinstance(exc.detail, dict):
            extra = {k: v for k, v in exc.detail.items() if k not in {"detail", "code"}} or None
        response.data = error_body(_code_of(exc), _message_of(exc), extra)
    return response


def not_found_view(request: Any, exception: Exception | None = None) -> JsonResponse:
    """``handler404`` and the catch-all route: a JSON 404 for any URL that matches nothing."""
    return error_response("not_found", f"No endpoint at {request.path}.", status.HTTP_404_NOT_FOUND)


def server_error_view(request: Any) -> JsonResponse:
    """``handler500``: a JSON 500 without internals (the error itself goes to logs and Sentry).

    Django calls it while handling the exception, so ``sys.exc_info()`` is that exception: when it
    is the connection pool giving up or a broken connection (outside a DRF view, e.g. in the tenant
    middleware), the answer is the pool's 503 with ``Retry-After`` instead."""
    failure = sys.exc_info()[1]
    if is_pool_exhausted(failure) or is_connection_lost(failure) or _redis_down(failure):
        if is_pool_exhausted(failure):
            busy = busy_error()
        elif is_connection_lost(failure):
            busy = database_unavailable_error()
        else:
            busy = redis_unavailable_error()
        answer = error_response(busy.code, busy.message, busy.status_code, busy.details)
        answer["Retry-After"] = str(busy.details["retry_after"])
        return answer
    return error_response("server_error", "Internal server error.", status.HTTP_500_INTERNAL_SERVER_ERROR)


def permission_denied_view(request: Any, exception: Exception | None = None) -> JsonResponse:
    """``handler403``."""
    return error_response("permission_denied", "You do not have permission to perform this action.", 403)


def bad_request_view(request: Any, exception: Exception | None = None) -> JsonResponse:
    """``handler400``: Django's ``SuspiciousOperation`` family. A body over
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (``RequestDataTooBig``) is a 413 ``request_too_large``."""
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse(_too_large_body(), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    return error_response("bad_request", "Bad request.", 400)


def csrf_failure_view(request: Any, reason: str = "") -> JsonResponse:
    """``CSRF_FAILURE_VIEW``: 403 ``csrf_failed`` instead of Django's HTML page.

    Only plain Django views that accept unsafe methods are CSRF-checked (DRF views and the
    catch-all 404 are exempt); an API client authenticates with a bearer token, not a cookie.
    """
    return error_response("csrf_failed", f"CSRF verification failed. {reason}".strip(), 403)
