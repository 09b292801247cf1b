"""Self-registration, password login and the logged-in user's own details."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tests.conftest import PASSWORD
from tests.fixture_types import ApiResponse, AuthClient, ClientFor, MakeUser
from tests.tenant_apps.accounts.conftest import LOGIN, ME, REGISTER, error_code


def register(client: APIClient, email: str, **extra: str) -> ApiResponse:
    body = {"email": email, "password1": PASSWORD, "password2": PASSWORD, "full_name": "New Person", **extra}
    return client.post(REGISTER, body)


@pytest.mark.parametrize(("slug", "role"), [("alpha", "student"), ("gamma", "customer")])
def test_registration_returns_tokens_and_gives_the_kinds_default_role(
    session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, slug: str, role: str
) -> None:
    # given
    tenant = session_tenants[slug]
    # when
    response = register(client_for(tenant), f"new@{slug}.test")
    # then
    assert response.status_code == 201, response.content
    me = client_for(tenant, response.json()["access"]).get(ME)
    assert me.status_code == 200
    assert me.json()["email"] == f"new@{slug}.test"
    assert me.json()["full_name"] == "New Person"
    assert me.json()["roles"] == [role]


def test_registered_user_can_log_in_with_the_password(alpha: Tenant, client_for: ClientFor) -> None:
    # given
    assert register(client_for(alpha), "Mixed@Alpha.test").status_code == 201
    # when
    response = client_for(alpha).post(LOGIN, {"email": "mixed@alpha.test", "password": PASSWORD})
    wrong = client_for(alpha).post(LOGIN, {"email": "mixed@alpha.test", "password": "not-the-password"})
    # then
    assert response.status_code == 200
    assert {"access", "refresh"} <= set(response.json())
    assert wrong.status_code == 400
    assert error_code(wrong) == "validation_error"


def test_registration_tokens_are_bound_to_the_tenant(alpha: Tenant, beta: Tenant, client_for: ClientFor) -> None:
    # given
    access = register(client_for(alpha), "bound@alpha.test").json()["access"]
    # when
    response = client_for(beta, access).get(ME)
    # then
    assert response.status_code == 401


def test_user_endpoint_returns_own_details_with_roles(
    alpha: Tenant, client_for: ClientFor, auth_client: AuthClient, make_user: MakeUser
) -> None:
    # given
    make_user(alpha, "teach@alpha.test", roles=["teacher", "support"], full_name="Tea Cher")
    # when
    response = auth_client(alpha, "teach@alpha.test").get(ME)
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "teach@alpha.test"
    assert body["full_name"] == "Tea Cher"
    assert body["roles"] == ["support", "teacher"]
    assert "password" not in body


def test_user_endpoint_needs_a_token(alpha: Tenant, client_for: ClientFor) -> None:
    response = client_for(alpha).get(ME)
    assert response.status_code == 401
    assert error_code(response) == "not_authenticated"


def test_user_cannot_grant_themselves_roles_through_their_details(
    alpha: Tenant, auth_client: AuthClient, make_user: MakeUser
) -> None:
    # given
    make_user(alpha, "sneaky@alpha.test", roles=["student"])
    client = auth_client(alpha, "sneaky@alpha.test")
    # when
    response = client.patch(ME, {"roles": ["admin"], "email": "other@alpha.test", "full_name": "Sneaky"})
    # then
    assert response.status_code == 200
    me = client.get(ME).json()
    assert me["roles"] == ["student"]
    assert me["email"] == "sneaky@alpha.test"
    assert me["full_name"] == "Sneaky"


@pytest.mark.parametrize("email", ["taken@alpha.test", "TAKEN@alpha.test"])
def test_registering_an_email_of_an_existing_user_is_refused(
    alpha: Tenant, client_for: ClientFor, make_user: MakeUser, email: str
) -> None:
    # given: a user created by the site (not through registration)
    make_user(alpha, "taken@alpha.test")
    # when
    response = register(client_for(alpha), email)
    # then
    assert response.status_code == 400, response.content
    assert error_code(response) == "validation_error"
    assert "email" in response.json()["error"]["details"]


def test_registering_the_same_email_twice_is_refused(alpha: Tenant, client_for: ClientFor) -> None:
    # given
    assert register(client_for(alpha), "twice@alpha.test").status_code == 201
    # when
    response = register(client_for(alpha), "twice@alpha.test")
    # then
    assert response.status_code == 400, response.content
    assert error_code(response) == "validation_error"
    assert "email" in response.json()["error"]["details"]


def test_the_same_email_may_register_on_two_tenants(alpha: Tenant, beta: Tenant, client_for: ClientFor) -> None:
    assert register(client_for(alpha), "both@example.test").status_code == 201
    assert register(client_for(beta), "both@example.test").status_code == 201


def test_registration_with_mismatched_passwords_is_refused(alpha: Tenant, client_for: ClientFor) -> None:
    response = register(client_for(alpha), "typo@alpha.test", password2=PASSWORD + "x")
    assert response.status_code == 400
    assert error_code(response) == "validation_error"
    assert client_for(alpha).post(LOGIN, {"email": "typo@alpha.test", "password": PASSWORD}).status_code == 400


def test_registration_is_not_served_on_the_platform_host(
    db: None, session_tenants: dict[str, Tenant], client_for: ClientFor
) -> None:
    response = register(client_for(None), "new@localhost")
    assert response.status_code == 404


def test_registration_stores_the_phone_in_international_form_and_refuses_a_taken_one(
    alpha: Tenant, client_for: ClientFor
) -> None:
    # given
    first = register(client_for(alpha), "phone@alpha.test", phone="+44 7911 123456")
    # when
    second = register(client_for(alpha), "other@alpha.test", phone="+447911123456")
    # then
    assert first.status_code == 201, first.content
    assert client_for(alpha, first.json()["access"]).get(ME).json()["phone"] == "+447911123456"
    assert second.status_code == 400
    assert "phone" in second.json()["error"]["details"]
