"""The API's one error shape: every failure a client can cause is ``{"error": {code, message[, details]}}``."""

from __future__ import annotations

from typing import Any

import pytest

from shared_apps.tenancy.models import Tenant
from tests.fixture_types import ClientFor, JsonResponse

ERROR_KEYS = {"code", "message", "details"}


def assert_error_shape(response: JsonResponse, status: int, code: str) -> dict[str, Any]:
    """The response is JSON, has exactly the top-level key ``error``, with this status and code."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["error"]
    assert {"code", "message"} <= set(body["error"]) <= ERROR_KEYS
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    return body["error"]


@pytest.mark.parametrize("path", ["/nope/", "/api/v1/nope", "/api/v2/site/", "/api/v1/site"])
@pytest.mark.parametrize("on_tenant", [True, False], ids=["tenant-host", "platform-host"])
def test_url_matching_nothing_is_a_json_404(alpha: Tenant, client_for: ClientFor, path: str, on_tenant: bool) -> None:
    # when
    response = client_for(alpha if on_tenant else None).get(path)
    # then
    error = assert_error_shape(response, 404, "not_found")
    assert path in error["message"]


def test_invalid_input_is_a_400_naming_each_field(alpha: Tenant, client_for: ClientFor) -> None:
    # when
    response = client_for(alpha).post("/api/v1/auth/login/", {}, format="json")
    # then
    error = assert_error_shape(response, 400, "validation_error")
    assert set(error["details"]) == {"email", "password"}
    assert all(isinstance(messages, list) and messages for messages in error["details"].values())


@pytest.mark.parametrize(
    ("tenant", "path"), [("alpha", "/api/v1/users/"), (None, "/api/v1/tenants/")], ids=["tenant", "platform"]
)
def test_missing_credentials_are_a_401(
    session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, tenant: str | None, path: str
) -> None:
    # when
    response = client_for(session_tenants[tenant] if tenant else None).get(path)
    # then
    assert_error_shape(response, 401, "not_authenticated")


def test_malformed_json_body_is_a_400_parse_error(alpha: Tenant, client_for: ClientFor) -> None:
    # when
    response = client_for(alpha).post("/api/v1/auth/login/", data='{"email": ', content_type="application/json")
    # then
    error = assert_error_shape(response, 400, "parse_error")
    assert "details" not in error


def test_unsupported_method_is_a_405(alpha: Tenant, client_for: ClientFor) -> None:
    response = client_for(alpha).put("/api/v1/site/", {}, format="json")
    assert_error_shape(response, 405, "method_not_allowed")


@pytest.mark.parametrize(
    ("tenant", "path"),
    [
        ("alpha", "/api/v1/auth/login"),
        ("alpha", "/api/v1/users"),
        (None, "/api/v1/tenants"),
        (None, "/api/v1/auth/login"),
    ],
)
def test_post_without_trailing_slash_gets_a_json_answer_not_a_crash_or_redirect(
    session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, tenant: str | None, path: str
) -> None:
    # when
    response = client_for(session_tenants[tenant] if tenant else None).post(
        path, {"email": "x@example.com"}, format="json"
    )
    # then: a client error in the one shape; a redirect would drop the body
    assert 400 <= response.status_code < 500, response.content
    assert list(response.json()) == ["error"]


def test_a_unique_constraint_race_is_answered_with_409_conflict_not_500() -> None:
    from django.db import IntegrityError

    from saas.api.errors import exception_handler

    response = exception_handler(IntegrityError("duplicate key value violates unique constraint"), {})
    assert response is not None
    assert response.status_code == 409
    assert response.data == {
        "error": {
            "code": "conflict",
            "message": ("This conflicts with a change made at the same time. Reload and try again."),
        }
    }


def _wrapped(cause: Exception) -> Exception:
    """``cause`` as Django raises it: its ``OperationalError`` with psycopg's error as the cause."""
    from django.db import OperationalError

    try:
        try:
            raise cause
        except Exception as exc:
            raise OperationalError(str(exc)) from exc
    except OperationalError as wrapped:
        return wrapped


def test_a_connection_that_broke_under_the_request_is_a_503_not_a_500() -> None:
    import psycopg

    from saas.api.errors import exception_handler

    response = exception_handler(_wrapped(psycopg.OperationalError("server closed the connection unexpectedly")), {})
    assert response is not None and response.status_code == 503
    assert response.data["error"]["code"] == "database_unavailable"
    assert response["Retry-After"] == "1"


@pytest.mark.parametrize("sqlstate_error", ["QueryCanceled", "LockNotAvailable", "SerializationFailure"])
def test_database_errors_of_the_query_itself_are_not_taken_for_a_lost_connection(sqlstate_error: str) -> None:
    import psycopg.errors

    from saas.db.pool import is_connection_lost

    assert not is_connection_lost(_wrapped(getattr(psycopg.errors, sqlstate_error)("no")))
    assert is_connection_lost(_wrapped(psycopg.errors.AdminShutdown("terminating connection")))
    assert is_connection_lost(_wrapped(psycopg.errors.ConnectionFailure("gone")))


@pytest.mark.parametrize("sqlstate_error", ["DeadlockDetected", "SerializationFailure", "LockNotAvailable"])
def test_a_transaction_aborted_for_another_is_a_409_to_retry_and_an_error_in_the_logs(
    sqlstate_error: str, caplog: pytest.LogCaptureFixture
) -> None:
    import psycopg.errors

    from saas.api.errors import exception_handler

    # when: PostgreSQL gave up on the request's transaction (a deadlock, say)
    response = exception_handler(_wrapped(getattr(psycopg.errors, sqlstate_error)("aborted")), {})
    # then: the client may retry; operators hear of it (a deadlock means two lock orders disagree)
    assert response is not None and response.status_code == 409
    assert response.data["error"]["code"] == "conflict"
    assert [r.levelname for r in caplog.records if r.name == "saas.api.errors"] == ["ERROR"]


def test_a_query_cancelled_by_its_statement_timeout_is_not_answered_as_a_conflict() -> None:
    import psycopg.errors

    from saas.api.errors import exception_handler

    response = exception_handler(_wrapped(psycopg.errors.QueryCanceled("canceling statement due to timeout")), {})
    assert response is None  # a 500: the query was too slow, retrying will not help
