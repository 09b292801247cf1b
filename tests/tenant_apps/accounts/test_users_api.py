"""The tenant admin's user management at /api/v1/users/."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tests.conftest import PASSWORD
from tests.fixture_types import AuthClient, ClientFor, Login, MakeUser
from tests.tenant_apps.accounts.conftest import LOGIN, ME, USERS, error_code

ADMIN = "admin@alpha.test"


@pytest.fixture
def admin_client(alpha: Tenant, auth_client: AuthClient) -> APIClient:
    return auth_client(alpha, ADMIN)


def test_admin_lists_users_page_by_page(alpha: Tenant, admin_client: APIClient, make_user: MakeUser) -> None:
    # given
    for n in range(3):
        make_user(alpha, f"listed{n}@alpha.test")
    with tenant_context(alpha):
        total = User.objects.count()
    # when
    first = admin_client.get(USERS, {"page_size": 2})
    second = admin_client.get(USERS, {"page_size": 2, "page": 2})
    # then
    assert first.status_code == 200
    assert first.json()["count"] == total
    assert len(first.json()["results"]) == 2
    assert first.json()["next"]
    assert second.json()["results"]
    ids = [u["id"] for u in first.json()["results"] + second.json()["results"]]
    assert len(set(ids)) == len(ids)
    assert {"email", "roles", "is_active"} <= set(first.json()["results"][0])


def test_admin_filters_users_by_role(alpha: Tenant, admin_client: APIClient, make_user: MakeUser) -> None:
    # given
    make_user(alpha, "t@alpha.test", roles=["teacher"])
    make_user(alpha, "s@alpha.test", roles=["student"])
    # when
    response = admin_client.get(USERS, {"role": "teacher", "page_size": "100"})
    # then
    emails = [u["email"] for u in response.json()["results"]]
    assert "t@alpha.test" in emails
    assert "s@alpha.test" not in emails


def test_admin_creates_a_user_with_roles_who_can_then_log_in(
    alpha: Tenant, admin_client: APIClient, client_for: ClientFor
) -> None:
    # when
    response = admin_client.post(
        USERS,
        {
            "email": "Made@Alpha.test",
            "full_name": "Made",
            "password": PASSWORD,
            "roles": ["teacher", "support"],
        },
    )
    # then
    assert response.status_code == 201, response.content
    assert response.json()["email"] == "made@alpha.test"
    assert response.json()["roles"] == ["support", "teacher"]
    login = client_for(alpha).post(LOGIN, {"email": "made@alpha.test", "password": PASSWORD})
    assert login.status_code == 200
    assert client_for(alpha, login.json()["access"]).get(ME).json()["roles"] == ["support", "teacher"]


def test_user_created_without_roles_gets_the_kinds_default_role(alpha: Tenant, admin_client: APIClient) -> None:
    response = admin_client.post(USERS, {"email": "plain@alpha.test"})
    assert response.status_code == 201, response.content
    assert response.json()["roles"] == ["student"]


def test_creating_a_user_with_a_taken_email_is_a_conflict(
    alpha: Tenant, admin_client: APIClient, make_user: MakeUser
) -> None:
    make_user(alpha, "dup@alpha.test")
    response = admin_client.post(USERS, {"email": "DUP@alpha.test"})
    assert response.status_code == 409
    assert error_code(response) == "email_taken"


def test_admin_changes_a_users_roles(alpha: Tenant, admin_client: APIClient, make_user: MakeUser) -> None:
    # given
    user = make_user(alpha, "promote@alpha.test", roles=["student"])
    # when
    response = admin_client.patch(f"{USERS}{user.pk}/", {"roles": ["teacher", "financial"]})
    # then
    assert response.status_code == 200, response.content
    assert response.json()["roles"] == ["financial", "teacher"]
    assert admin_client.get(f"{USERS}{user.pk}/").json()["roles"] == ["financial", "teacher"]


def test_delete_deactivates_the_user_who_can_then_no_longer_log_in(
    alpha: Tenant, admin_client: APIClient, client_for: ClientFor, login: Login, make_user: MakeUser
) -> None:
    # given: a user holding a valid access token
    user = make_user(alpha, "leaver@alpha.test")
    access = login(alpha, "leaver@alpha.test")["access"]
    # when
    response = admin_client.delete(f"{USERS}{user.pk}/")
    # then
    assert response.status_code == 204
    assert client_for(alpha).post(LOGIN, {"email": "leaver@alpha.test", "password": PASSWORD}).status_code == 400
    assert client_for(alpha, access).get(ME).status_code == 401
    kept = admin_client.get(f"{USERS}{user.pk}/")
    assert kept.status_code == 200
    assert kept.json()["is_active"] is False


@pytest.mark.parametrize("role", ["student", "teacher", "support"])
def test_non_admins_are_refused(alpha: Tenant, auth_client: AuthClient, make_user: MakeUser, role: str) -> None:
    # given
    make_user(alpha, "plain@alpha.test", roles=[role])
    other = make_user(alpha, "victim@alpha.test")
    client = auth_client(alpha, "plain@alpha.test")
    # when
    responses = [
        client.get(USERS),
        client.post(USERS, {"email": "new@alpha.test", "roles": ["admin"]}),
        client.patch(f"{USERS}{other.pk}/", {"roles": ["admin"]}),
        client.delete(f"{USERS}{other.pk}/"),
    ]
    # then
    for response in responses:
        assert response.status_code == 403
        assert error_code(response) == "permission_denied"
    with tenant_context(alpha):
        assert not User.objects.filter(email="new@alpha.test").exists()
        assert User.objects.get(pk=other.pk).is_active
        assert User.objects.get(pk=other.pk).role_names == ["student"]


def test_anonymous_requests_are_refused(alpha: Tenant, client_for: ClientFor) -> None:
    response = client_for(alpha).get(USERS)
    assert response.status_code == 401
    assert error_code(response) == "not_authenticated"


def test_unknown_role_is_refused(alpha: Tenant, admin_client: APIClient, make_user: MakeUser) -> None:
    # given
    user = make_user(alpha, "target@alpha.test")
    # when
    created = admin_client.post(USERS, {"email": "ghost@alpha.test", "roles": ["wizard"]})
    patched = admin_client.patch(f"{USERS}{user.pk}/", {"roles": ["wizard"]})
    # then
    for response in (created, patched):
        assert response.status_code == 400
        assert error_code(response) == "invalid_role"
        assert "roles" in response.json()["error"]["details"]
    with tenant_context(alpha):
        assert not User.objects.filter(email="ghost@alpha.test").exists()
        assert User.objects.get(pk=user.pk).role_names == ["student"]


def test_a_role_of_another_kind_is_refused_on_this_site(
    alpha: Tenant, gamma: Tenant, admin_client: APIClient, auth_client: AuthClient
) -> None:
    # when: a store role on a school site
    on_school = admin_client.post(USERS, {"email": "seller@alpha.test", "roles": ["seller"]})
    # then
    assert on_school.status_code == 400
    assert error_code(on_school) == "invalid_role"
    # while the store site accepts it, and refuses a school role
    store_admin = auth_client(gamma, "admin@gamma.test")
    assert store_admin.post(USERS, {"email": "seller@gamma.test", "roles": ["seller"]}).status_code == 201
    assert error_code(store_admin.post(USERS, {"email": "t@gamma.test", "roles": ["teacher"]})) == "invalid_role"


def test_the_last_admin_cannot_lose_the_admin_role_or_be_deactivated(
    alpha: Tenant, admin_client: APIClient, client_for: ClientFor
) -> None:
    # given: the site's only admin
    with tenant_context(alpha):
        admin = User.objects.get(email=ADMIN)
        assert list(User.objects.filter(groups__name="admin", is_active=True)) == [admin]
    # when
    demoted = admin_client.patch(f"{USERS}{admin.pk}/", {"roles": ["teacher"]})
    deactivated = admin_client.patch(f"{USERS}{admin.pk}/", {"is_active": False})
    deleted = admin_client.delete(f"{USERS}{admin.pk}/")
    # then
    for response in (demoted, deactivated, deleted):
        assert response.status_code == 409, response.content
        assert error_code(response) == "last_admin"
    with tenant_context(alpha):
        admin.refresh_from_db()
        assert admin.is_active
        assert admin.role_names == ["admin"]


def test_an_admin_can_step_down_when_another_admin_remains(
    alpha: Tenant, admin_client: APIClient, make_user: MakeUser
) -> None:
    # given
    make_user(alpha, "second@alpha.test", roles=["admin"])
    with tenant_context(alpha):
        admin = User.objects.get(email=ADMIN)
    # when
    response = admin_client.patch(f"{USERS}{admin.pk}/", {"roles": ["teacher"]})
    # then
    assert response.status_code == 200, response.content
    assert response.json()["roles"] == ["teacher"]
    assert admin_client.get(USERS).status_code == 403  # the token's user is no admin any more


def test_a_user_of_another_tenant_is_not_found(
    alpha: Tenant, beta: Tenant, admin_client: APIClient, make_user: MakeUser
) -> None:
    # given: a beta user whose id no alpha user has
    with tenant_context(alpha):
        free_id = (User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    with tenant_context(beta):
        stranger = User.objects.create_user(email="stranger@beta.test", password=PASSWORD, id=free_id)
    url = f"{USERS}{stranger.pk}/"
    # when
    responses = [
        admin_client.get(url),
        admin_client.patch(url, {"roles": ["admin"], "full_name": "Hijacked"}),
        admin_client.delete(url),
    ]
    # then
    for response in responses:
        assert response.status_code == 404
        assert error_code(response) == "not_found"
    with tenant_context(beta):
        stranger.refresh_from_db()
        assert stranger.is_active
        assert stranger.full_name == ""


def test_user_and_role_changes_are_in_the_audit_log(alpha: Tenant, client_for: ClientFor, login: Login) -> None:
    admin = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    user_id = admin.post("/api/v1/users/", {"email": "audited@example.com", "roles": ["student"]}).json()["id"]
    admin.patch(f"/api/v1/users/{user_id}/", {"roles": ["teacher"]})
    admin.delete(f"/api/v1/users/{user_id}/")
    log = admin.get(f"/api/v1/audit-log/?verb=user.&target_type=accounts.user&target_id={user_id}").json()["results"]
    assert [(e["verb"], e["changes"]) for e in reversed(log)] == [
        ("user.created", {"roles": ["student"]}),
        ("user.updated", {"roles": [["student"], ["teacher"]]}),
        ("user.updated", {"is_active": [True, False]}),
    ]
    assert {e["actor"]["email"] for e in log} == {"admin@alpha.test"}

    # and the owner created at provisioning was recorded as done by the system
    owner_entry = admin.get("/api/v1/audit-log/?verb=user.created").json()["results"][-1]
    assert (owner_entry["actor"], owner_entry["changes"]) == (None, {"roles": ["admin"]})
