"""Hostile input never crashes the server and always gets the API's one error shape.

Each test sends what a client can send (odd Unicode digits, impossible dates, NUL bytes, format
suffixes, oversized or malformed bodies, unknown URLs with unsafe methods) to the real stack:
Host routing, middleware, DRF, PostgreSQL. Every answer must be a 4xx with a JSON body
``{"error": {"code", "message"[, "details"]}}``; before the fix each of these was a 500, an HTML
page or another shape.
"""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from pytest_django import Settings
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tests.fixture_types import ClientFor, Login
from tests.saas.test_errors import assert_error_shape
from tests.tenant_apps.notifications.sse_client import open_stream, sync_code_in_test_thread
from tests.tenant_apps.payments.conftest import WEBHOOK, sign

USERS = "/api/v1/users/"
AUDIT_LOG = "/api/v1/audit-log/"


@pytest.fixture
def admin_client(alpha: Tenant, client_for: ClientFor, login: Login) -> APIClient:
    """An API client of alpha's admin."""
    return client_for(alpha, login(alpha, "admin@alpha.test")["access"])


# --------------------------------------------------------------------------------------------
# Format-suffix routes are gone: ``/users/1.json`` is an unknown URL, not a crash.
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["delete", "get", "patch"])
def test_format_suffix_route_on_users_is_a_json_404_not_a_500(admin_client: APIClient, method: str) -> None:
    # when
    response = getattr(admin_client, method)(f"{USERS}1.json")
    # then
    assert_error_shape(response, 404, "not_found")


def test_format_suffix_route_on_tenants_is_a_json_404(
    session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, login: Login
) -> None:
    # given
    staff = client_for(None, login(None, "staff@localhost")["access"])
    # when
    response = staff.get("/api/v1/tenants.json")
    # then
    assert_error_shape(response, 404, "not_found")


# --------------------------------------------------------------------------------------------
# Query parameters are validated: a bad value is a 400 naming the parameter.
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"actor": "²"}, "actor"),
        ({"actor": "99999999999999999999999"}, "actor"),
        ({"since": "2024-02-30T10:00:00Z"}, "since"),
        ({"until": "2024-01-01T10:00:00+99:00"}, "until"),
        ({"since": "2024-01-01T10:00:00"}, "since"),
    ],
    ids=["superscript-digit-actor", "huge-actor", "impossible-date", "impossible-offset", "naive-date-time"],
)
def test_audit_log_rejects_bad_filter_values_with_a_400(
    admin_client: APIClient, params: dict[str, str], field: str
) -> None:
    # when
    response = admin_client.get(AUDIT_LOG, params)
    # then
    error = assert_error_shape(response, 400, "validation_error")
    assert field in error["details"]


def test_audit_log_still_filters_by_a_valid_actor_and_range(admin_client: APIClient) -> None:
    # when
    response = admin_client.get(
        AUDIT_LOG,
        {"actor": "1", "since": "2000-01-01T00:00:00Z", "until": "2999-01-01T00:00:00+02:00", "verb": "user."},
    )
    # then
    assert response.status_code == 200, response.content
    assert "results" in response.json()


@pytest.mark.parametrize(
    ("path", "query"),
    [
        (AUDIT_LOG, "verb=%00"),
        (AUDIT_LOG, "target_id=a%00b"),
        (USERS, "role=%00"),
        (USERS, "search=%00"),
        (USERS, "ordering=%00"),
        ("/api/v1/tickets/", "search=x%00"),
    ],
)
def test_nul_byte_in_the_query_string_is_a_400_not_a_500(admin_client: APIClient, path: str, query: str) -> None:
    # when
    response = admin_client.get(f"{path}?{query}")
    # then
    assert_error_shape(response, 400, "invalid_request")


def test_nul_byte_in_the_path_is_a_400_not_a_500(admin_client: APIClient) -> None:
    # when
    response = admin_client.get(f"{USERS}%00/")
    # then
    assert_error_shape(response, 400, "invalid_request")


@pytest.mark.parametrize(
    ("params", "field"),
    [({"role": "wizard"}, "role"), ({"is_active": "maybe"}, "is_active"), ({"role": "²"}, "role")],
)
def test_users_list_rejects_unknown_filter_values_with_a_400(
    admin_client: APIClient, params: dict[str, str], field: str
) -> None:
    # when
    response = admin_client.get(USERS, params)
    # then
    error = assert_error_shape(response, 400, "validation_error")
    assert field in error["details"]


def test_users_list_filters_by_role_and_activity(admin_client: APIClient) -> None:
    # when
    response = admin_client.get(USERS, {"role": "admin", "is_active": "true"})
    # then
    assert response.status_code == 200, response.content
    assert [user["email"] for user in response.json()["results"]] == ["admin@alpha.test"]
    assert admin_client.get(USERS, {"role": "student"}).json()["count"] == 0
    assert admin_client.get(USERS, {"is_active": "false"}).json()["count"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page_size": "null"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "-5"}, "page_size"),
        ({"page_size": "101"}, "page_size"),
        ({"page_size": "²"}, "page_size"),
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "null"}, "page"),
        ({"page": "²"}, "page"),
    ],
)
def test_bad_pagination_parameters_are_a_400(admin_client: APIClient, params: dict[str, str], field: str) -> None:
    # when
    response = admin_client.get(USERS, params)
    # then
    error = assert_error_shape(response, 400, "validation_error")
    assert field in error["details"]


def test_a_page_past_the_end_is_a_json_404(admin_client: APIClient) -> None:
    response = admin_client.get(USERS, {"page": "99"})
    assert_error_shape(response, 404, "not_found")


# --------------------------------------------------------------------------------------------
# The notification stream (ASGI).
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("last_event_id", ["²", "-1", "abc"])
def test_notification_stream_rejects_a_bad_last_event_id_with_a_400(
    alpha: Tenant, login: Login, last_event_id: str
) -> None:
    # given
    token = login(alpha, "admin@alpha.test")["access"]

    async def scenario() -> tuple[int, dict[str, str], bytes]:
        async with open_stream("alpha.localhost", token=token, query={"last_event_id": last_event_id}) as response:
            return response.status, response.headers, await response.body()

    # when
    with sync_code_in_test_thread():
        status, headers, body = async_to_sync(scenario)()
    # then
    assert status == 400, body
    assert headers["content-type"].startswith("application/json")
    error = json.loads(body)["error"]
    assert error["code"] == "validation_error"
    assert "last_event_id" in error["details"]


# --------------------------------------------------------------------------------------------
# Bodies: a signed Stripe webhook that is not an event, an oversized body, an unknown URL.
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "payload",
    [
        "[]",
        '"evt"',
        "42",
        '{"id": "evt_1", "type": "payment_intent.succeeded", "data": []}',
        '{"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": "pi_1"}}',
        '{"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {"metadata": "x"}}}',
    ],
    ids=["list", "string", "number", "data-list", "object-string", "metadata-string"],
)
def test_signed_stripe_webhook_that_is_not_an_event_object_is_a_400(
    alpha: Tenant, client_for: ClientFor, payload: str
) -> None:
    # when
    response = client_for(alpha).generic(
        "POST", WEBHOOK, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(payload)
    )
    # then
    assert_error_shape(response, 400, "invalid_payload")


def test_body_over_the_size_limit_is_a_413_in_the_error_shape(
    alpha: Tenant, client_for: ClientFor, settings: Settings
) -> None:
    # given
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({"email": "a@example.com", "password": "x" * 4096})
    # when
    response = client_for(alpha).generic("POST", "/api/v1/auth/login/", body, content_type="application/json")
    # then
    assert_error_shape(response, 413, "request_too_large")


def test_oversized_webhook_body_is_a_413_in_the_error_shape(
    alpha: Tenant, client_for: ClientFor, settings: Settings
) -> None:
    # given
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    payload = json.dumps({"id": "evt_1", "type": "x", "pad": "x" * 4096})
    # when
    response = client_for(alpha).generic(
        "POST", WEBHOOK, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(payload)
    )
    # then
    assert_error_shape(response, 413, "request_too_large")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("on_tenant", [True, False], ids=["tenant-host", "platform-host"])
def test_unsafe_method_on_an_unknown_url_is_the_json_404_not_the_csrf_page(
    alpha: Tenant, method: str, on_tenant: bool
) -> None:
    # given: a browser-like client that enforces CSRF, as Django does in production
    client = Client(enforce_csrf_checks=True, HTTP_HOST="alpha.localhost" if on_tenant else "localhost")
    # when
    response = getattr(client, method)("/api/v1/nothing-here/", {"a": 1})
    # then
    assert_error_shape(response, 404, "not_found")


def test_csrf_failure_is_a_json_403_in_the_error_shape(alpha: Tenant) -> None:
    # given: a plain Django view (not DRF) that accepts POST, with CSRF enforced
    client = Client(enforce_csrf_checks=True, HTTP_HOST="alpha.localhost")
    # when
    response = client.post("/api/v1/auth/password/reset/confirm/abc/def/", {"a": 1})
    # then
    assert_error_shape(response, 403, "csrf_failed")
