"""The users' admin: roles and active changed through ``user_update`` (with its rules and audit),
"Log out everywhere", no secrets shown, one tenant's users never on another's admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.audit.models import AuditLogEntry
from tests.admin import (
    admin_client,
    admin_url,
    assert_admin_pages,
    assert_list_queries_fixed,
    messages_of,
    run_action,
)
from tests.conftest import host_of
from tests.factories import UserFactory, create_in
from tests.fixture_types import ClientFor, Login, MakeUser

pytestmark = pytest.mark.django_db

USERS = admin_url("accounts.user")


def _page(user: User) -> str:
    return admin_url("accounts.user", "change", user.pk)


def _save(client: Client, user: User, *, roles: list[str], is_active: bool = True) -> Any:
    data: dict[str, Any] = {"roles": roles, "_save": "Save"}
    if is_active:
        data["is_active"] = "on"
    return client.post(_page(user), data, follow=True)


def _refreshed(tenant: Tenant, user: User) -> tuple[bool, list[str], int]:
    with tenant_context(tenant):
        fresh = User.objects.get(pk=user.pk)
        return fresh.is_active, fresh.role_names, fresh.token_version


def test_the_users_pages_answer_the_admin_only(alpha: Tenant, make_user: MakeUser) -> None:
    student = make_user(alpha, "ann@alpha.test", roles=["student"], full_name="Ann Lee")
    make_user(alpha, "tom@alpha.test", roles=["teacher"], full_name="Tom Teacher")

    assert_admin_pages(
        alpha,
        "accounts.user",
        student.pk,
        query="?role=student&is_active__exact=1&q=ann",
        shows="ann@alpha.test",
        non_admin="ann@alpha.test",
    )
    listed = admin_client(alpha).get(USERS + "?role=student").content.decode()
    assert "ann@alpha.test" in listed and "tom@alpha.test" not in listed  # the role filter filters


def test_the_change_page_edits_only_roles_and_active_and_shows_no_secret(alpha: Tenant, make_user: MakeUser) -> None:
    student = make_user(alpha, "ann@alpha.test", roles=["student"])

    page = admin_client(alpha).get(_page(student)).content.decode()

    assert 'name="roles"' in page and 'type="checkbox"' in page and 'name="is_active"' in page
    for role in ("student", "teacher", "support", "financial", "admin"):
        assert f'value="{role}"' in page  # the school's roles, no others
    assert 'name="email"' not in page and 'name="full_name"' not in page
    with tenant_context(alpha):
        password_hash = User.objects.get(pk=student.pk).password
    assert (
        password_hash not in page
        and "token_version" not in page
        and "password" not in page.lower().split("<form", 1)[1].split("</form>", 1)[0]
    )


def test_making_a_student_admin_lets_them_use_admin_endpoints_and_is_audited(
    alpha: Tenant, make_user: MakeUser, login: Login, client_for: ClientFor
) -> None:
    student = make_user(alpha, "ann@alpha.test", roles=["student"])
    token = login(alpha, "ann@alpha.test")["access"]
    assert client_for(alpha, token).get("/api/v1/wallets/").status_code == 403

    response = _save(admin_client(alpha), student, roles=["student", "admin"])

    assert response.status_code == 200
    assert _refreshed(alpha, student)[:2] == (True, ["admin", "student"])
    assert client_for(alpha, token).get("/api/v1/wallets/").status_code == 200
    with tenant_context(alpha):
        entries = AuditLogEntry.objects.filter(target_id=str(student.pk), actor__email="admin@alpha.test")
        updated = entries.get(verb="user.updated")
        assert updated.changes["roles"] == [["student"], ["admin", "student"]]
        assert entries.filter(verb="admin.changed").exists()  # the admin's own change record


def test_deactivating_a_user_revokes_their_tokens(
    alpha: Tenant, make_user: MakeUser, login: Login, client_for: ClientFor
) -> None:
    student = make_user(alpha, "ann@alpha.test", roles=["student"])
    token = login(alpha, "ann@alpha.test")["access"]

    _save(admin_client(alpha), student, roles=["student"], is_active=False)

    assert _refreshed(alpha, student)[0] is False
    assert client_for(alpha, token).get("/api/v1/auth/user/").status_code == 401


@pytest.mark.parametrize("change", ["deactivate", "drop_admin_role"])
def test_the_last_active_admin_cannot_be_removed(alpha: Tenant, change: str) -> None:
    with tenant_context(alpha):
        owner = User.objects.get(email="admin@alpha.test")
        before = (AuditLogEntry.objects.count(), owner.token_version)
    client = admin_client(alpha)

    if change == "deactivate":
        response = _save(client, owner, roles=["admin"], is_active=False)
    else:
        response = _save(client, owner, roles=["teacher"])

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == _page(owner)  # back on the change page
    assert any("at least one active admin" in m for m in messages_of(response))
    assert not any("was changed successfully" in m for m in messages_of(response))
    assert _refreshed(alpha, owner) == (True, ["admin"], before[1])
    with tenant_context(alpha):
        assert AuditLogEntry.objects.count() == before[0]
    assert client.get("/admin/").status_code == 200  # still signed in, still admin


def test_log_out_everywhere_revokes_the_users_tokens(
    alpha: Tenant, make_user: MakeUser, login: Login, client_for: ClientFor
) -> None:
    student = make_user(alpha, "ann@alpha.test", roles=["student"])
    other = make_user(alpha, "bob@alpha.test", roles=["student"])
    token = login(alpha, "ann@alpha.test")["access"]
    other_token = login(alpha, "bob@alpha.test")["access"]

    response = run_action(admin_client(alpha), USERS, "log_out_everywhere", [student])

    assert "1 logged out everywhere." in messages_of(response)
    assert client_for(alpha, token).get("/api/v1/auth/user/").status_code == 401
    assert client_for(alpha, other_token).get("/api/v1/auth/user/").status_code == 200  # only who was selected
    with tenant_context(alpha):
        assert AuditLogEntry.objects.filter(verb="user.tokens_revoked", target_id=str(student.pk)).count() == 1
    assert other.pk != student.pk


def test_adding_a_user_goes_through_the_service(alpha: Tenant, make_user: MakeUser) -> None:
    make_user(alpha, "taken@alpha.test", roles=["student"], phone="+447911123456")
    client = admin_client(alpha)
    assert 'name="roles"' in client.get(USERS + "add/").content.decode()

    taken = client.post(USERS + "add/", {"email": "Taken@Alpha.test", "roles": ["student"]})
    bad_phone = client.post(USERS + "add/", {"email": "new@alpha.test", "phone": "12", "roles": ["student"]})
    added = client.post(
        USERS + "add/", {"email": "new@alpha.test", "full_name": "New Teacher", "roles": ["teacher"]}, follow=True
    )

    assert taken.status_code == 200 and "Already registered." in taken.content.decode()
    assert bad_phone.status_code == 200 and "Not a valid international phone number." in bad_phone.content.decode()
    assert "new@alpha.test was added." in messages_of(added)
    with tenant_context(alpha):
        new = User.objects.get(email="new@alpha.test")
        assert (new.full_name, new.role_names, new.has_usable_password()) == ("New Teacher", ["teacher"], False)
        assert AuditLogEntry.objects.filter(
            verb="user.created", target_id=str(new.pk), actor__email="admin@alpha.test"
        ).exists()
        assert User.objects.filter(email__in=["taken@alpha.test", "new@alpha.test"]).count() == 2
    assert added.redirect_chain[-1][0] == _page(new)


def test_no_delete_and_groups_are_not_registered(alpha: Tenant, make_user: MakeUser) -> None:
    student = make_user(alpha, "ann@alpha.test", roles=["student"])
    client = admin_client(alpha)

    assert client.get(admin_url("accounts.user", "change", student.pk).replace("change/", "delete/")).status_code == 403
    assert client.get("/admin/auth/group/").status_code == 404
    assert "delete_selected" not in client.get(USERS).content.decode()


def test_another_sites_users_never_show(alpha: Tenant, beta: Tenant) -> None:
    stranger = create_in(beta, UserFactory, email="stranger@beta.test", roles=["student"])
    client = admin_client(alpha)

    found = client.get(USERS + "?q=stranger")
    page = client.get(_page(stranger))

    assert "stranger@beta.test" not in found.content.decode()
    # ids repeat across schemas: the same id is alpha's own user or nobody, never beta's
    assert page.status_code in (200, 302, 404) and "stranger@beta.test" not in page.content.decode()
    beta_session_cookie = client.cookies["sessionid"].value
    on_beta = Client(HTTP_HOST=host_of(beta))
    on_beta.cookies["sessionid"] = beta_session_cookie
    assert on_beta.get(_page(stranger)).status_code == 302


def test_the_users_list_costs_the_same_queries_for_2_and_10_users(alpha: Tenant) -> None:
    assert_list_queries_fixed(alpha, USERS, lambda: UserFactory(roles=["student", "teacher"]))
