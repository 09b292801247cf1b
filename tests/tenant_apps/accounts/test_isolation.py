"""Accounts data of one tenant is invisible from another, through the ORM and through the API."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tests.conftest import PASSWORD
from tests.fixture_types import AuthClient, ClientFor, MakeUser
from tests.tenant_apps.accounts.conftest import LOGIN, USERS, error_code


def test_user_created_in_one_tenant_is_invisible_to_another_through_the_orm(
    alpha: Tenant, beta: Tenant, make_user: MakeUser
) -> None:
    # given
    make_user(alpha, "solo@alpha.test")
    # when
    with tenant_context(alpha):
        in_alpha = User.objects.filter(email="solo@alpha.test").exists()
    with tenant_context(beta):
        in_beta = User.objects.filter(email="solo@alpha.test").exists()
        beta_emails = set(User.objects.values_list("email", flat=True))
    # then
    assert in_alpha
    assert not in_beta
    assert "admin@alpha.test" not in beta_emails


def test_the_same_email_is_two_separate_users_in_two_tenants(alpha: Tenant, beta: Tenant, make_user: MakeUser) -> None:
    # given
    in_alpha = make_user(alpha, "same@example.test", roles=["teacher"], full_name="Alpha Person")
    make_user(beta, "same@example.test", roles=["student"], full_name="Beta Person")
    # when
    with tenant_context(alpha):
        User.objects.filter(pk=in_alpha.pk).update(full_name="Renamed")
    # then
    with tenant_context(beta):
        twin = User.objects.get(email="same@example.test")
        assert twin.full_name == "Beta Person"
        assert twin.role_names == ["student"]


def test_admin_list_shows_only_the_own_tenants_users(
    alpha: Tenant, beta: Tenant, auth_client: AuthClient, make_user: MakeUser
) -> None:
    # given
    make_user(alpha, "mine@alpha.test")
    make_user(beta, "theirs@beta.test")
    # when
    alpha_emails = {
        u["email"] for u in auth_client(alpha, "admin@alpha.test").get(USERS, {"page_size": 100}).json()["results"]
    }
    beta_emails = {
        u["email"] for u in auth_client(beta, "admin@beta.test").get(USERS, {"page_size": 100}).json()["results"]
    }
    # then
    assert {"admin@alpha.test", "mine@alpha.test"} <= alpha_emails
    assert {"admin@beta.test", "theirs@beta.test"} <= beta_emails
    assert not alpha_emails & beta_emails


def test_credentials_of_one_tenant_do_not_log_in_on_another(
    alpha: Tenant, beta: Tenant, gamma: Tenant, client_for: ClientFor, make_user: MakeUser
) -> None:
    # given
    make_user(alpha, "ann@alpha.test")
    body = {"email": "ann@alpha.test", "password": PASSWORD}
    # when
    at_home = client_for(alpha).post(LOGIN, body)
    elsewhere = [client_for(beta).post(LOGIN, body), client_for(gamma).post(LOGIN, body)]
    # then
    assert at_home.status_code == 200
    for response in elsewhere:
        assert response.status_code == 400
        assert error_code(response) == "validation_error"
        assert "access" not in response.json()


def test_tenant_admin_credentials_do_not_log_in_on_the_platform_host(alpha: Tenant, client_for: ClientFor) -> None:
    response = client_for(None).post(LOGIN, {"email": "admin@alpha.test", "password": PASSWORD})
    assert response.status_code == 400
