"""The OpenAPI schema of every host documents the errors its operations answer, in the one shape.

A client generated from the schema must handle what the server sends: each operation lists its
error statuses (400/401/403/404/409/413/429 as they apply) with the component ``Error``, and a
body whose required fields depend on each other (OTP: e-mail or phone) says so.
"""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from shared_apps.tenancy.models import Tenant
from tests.fixture_types import ClientFor

ERROR_REF = {"$ref": "#/components/schemas/Error"}


def schema_of(client: APIClient) -> dict[str, Any]:
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200, response.content
    return response.json()


def error_schema(operation: dict[str, Any], status: int) -> Any:
    return operation["responses"][str(status)]["content"]["application/json"]["schema"]


@pytest.fixture
def school_schema(alpha: Tenant, client_for: ClientFor) -> dict[str, Any]:
    return schema_of(client_for(alpha))


@pytest.fixture
def platform_schema(session_tenants: dict[str, Tenant], db: None, client_for: ClientFor) -> dict[str, Any]:
    return schema_of(client_for(None))


def test_error_component_is_the_one_error_shape(school_schema: dict[str, Any]) -> None:
    # when
    components = school_schema["components"]["schemas"]
    # then
    assert components["Error"]["required"] == ["error"]
    assert components["Error"]["properties"]["error"] == {"$ref": "#/components/schemas/ErrorBody"}
    body = components["ErrorBody"]
    assert set(body["properties"]) == {"code", "message", "details"}
    assert set(body["required"]) == {"code", "message"}


@pytest.mark.parametrize("which", ["school", "platform"])
def test_every_error_response_of_every_operation_uses_the_error_component(
    school_schema: dict[str, Any], platform_schema: dict[str, Any], which: str
) -> None:
    # given
    schema = school_schema if which == "school" else platform_schema
    # when
    errors = [
        (path, method, status, response)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for status, response in operation["responses"].items()
        if status.startswith(("4", "5"))
    ]
    # then
    assert errors
    for path, method, status, response in errors:
        assert response["content"]["application/json"]["schema"] == ERROR_REF, (method, path, status)


@pytest.mark.parametrize(
    ("path", "method", "expected", "absent"),
    [
        # an authenticated list with filters and pagination
        ("/api/v1/users/", "get", {400, 401, 403, 404}, {409, 413}),
        # a detail route: 404, no body
        ("/api/v1/users/{id}/", "get", {401, 403, 404}, {400, 409, 413}),
        # a write on a detail route with a body
        ("/api/v1/users/{id}/", "patch", {400, 401, 403, 404, 409, 413}, set()),
        # public, no authentication at all: neither 401 nor 403
        ("/api/v1/site/", "get", set(), {400, 401, 403, 404}),
        ("/api/v1/auth/otp/request/", "post", {400, 409, 413}, {401, 403, 404}),
        # anonymous access allowed, but a bad bearer token is still refused
        ("/api/v1/auth/login/", "post", {400, 401}, {403, 404}),
        # simplejwt answers an invalid refresh token with 401
        ("/api/v1/auth/token/refresh/", "post", {400, 401}, {403, 404}),
    ],
)
def test_operations_document_the_errors_they_can_answer(
    school_schema: dict[str, Any], path: str, method: str, expected: set[int], absent: set[int]
) -> None:
    # when
    documented = {int(status) for status in school_schema["paths"][path][method]["responses"]}
    # then
    assert expected <= documented, f"{method.upper()} {path}: missing {expected - documented}"
    assert not documented & absent, f"{method.upper()} {path}: documents {documented & absent}"


def test_platform_tenant_endpoints_document_403_for_non_staff(platform_schema: dict[str, Any]) -> None:
    operation = platform_schema["paths"]["/api/v1/tenants/{slug}/suspend/"]["post"]
    assert {"401", "403", "404"} <= set(operation["responses"])
    assert error_schema(operation, 403) == ERROR_REF


def test_throttled_views_document_429_and_others_do_not() -> None:
    # given: a view with throttles, as the auth endpoints get them
    from tenant_apps.accounts.views import SiteView

    # when
    plain = SchemaGenerator(urlconf="tenant_apps.school.urls").get_schema(request=None, public=True)
    with mock.patch.object(SiteView, "throttle_classes", [AnonRateThrottle]):
        throttled = SchemaGenerator(urlconf="tenant_apps.school.urls").get_schema(request=None, public=True)
    # then
    assert "429" not in plain["paths"]["/api/v1/site/"]["get"]["responses"]
    assert error_schema(throttled["paths"]["/api/v1/site/"]["get"], 429) == ERROR_REF
    assert "429" not in throttled["paths"]["/api/v1/users/"]["get"]["responses"]


def test_otp_request_body_requires_exactly_one_of_email_and_phone(school_schema: dict[str, Any]) -> None:
    # when
    components = school_schema["components"]["schemas"]
    # then
    for name in ("OTPRequestRequest", "OTPVerifyRequest"):
        alternatives = components[name]["oneOf"]
        assert [alternative["required"] for alternative in alternatives] == [["email"], ["phone"]], name
    assert components["OTPVerifyRequest"]["required"] == ["code"]


def test_pagination_parameters_document_their_bounds(school_schema: dict[str, Any]) -> None:
    parameters = {p["name"]: p["schema"] for p in school_schema["paths"]["/api/v1/users/"]["get"]["parameters"]}
    assert parameters["page"] == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert parameters["is_active"]["type"] == "boolean"
    assert "admin" in parameters["role"]["enum"]


def test_no_format_suffix_routes_are_documented(school_schema: dict[str, Any], platform_schema: dict[str, Any]) -> None:
    for schema in (school_schema, platform_schema):
        assert not [path for path in schema["paths"] if "{format}" in path or path.endswith(".json")]


def test_card_payments_document_the_provider_errors_and_other_operations_do_not() -> None:
    # when: the writing kind's schema (card payments of orders and top-ups)
    schema = SchemaGenerator(urlconf="tenant_apps.writing.urls").get_schema(request=None, public=True)
    paths = schema["paths"]
    # then: starting a card payment may meet Stripe down (502) or a site without cards (503)
    for path, method in (
        ("/api/v1/orders/{id}/pay/card/", "post"),
        ("/api/v1/wallet/top-ups/", "post"),
        ("/api/v1/invoices/{id}/stripe-payment-intent/", "post"),
    ):
        assert {"502", "503"} <= set(paths[path][method]["responses"]), f"{method.upper()} {path}"
        assert error_schema(paths[path][method], 503) == ERROR_REF
    # ... listing one's top-ups or paying from the wallet meets neither
    for path, method in (("/api/v1/wallet/top-ups/", "get"), ("/api/v1/orders/{id}/pay/wallet/", "post")):
        assert not {"502", "503"} & set(paths[path][method]["responses"]), f"{method.upper()} {path}"
