"""The admin sites: who signs in where, what each site shows, sessions bound to their site."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from saas.admin import platform_admin_site, tenant_admin_site
from saas.admin.sites import _sites_for
from shared_apps.tenancy.models import Tenant
from tests.admin import admin_client, sign_in
from tests.conftest import PASSWORD, host_of
from tests.fixture_types import MakeUser

pytestmark = pytest.mark.django_db


def test_the_tenant_admin_signs_in_and_sees_their_site(alpha: Tenant) -> None:
    client = Client(HTTP_HOST=host_of(alpha))
    assert client.get("/admin/").status_code == 302  # to the login page

    response = sign_in(client, "admin@alpha.test")

    assert response.status_code == 302 and response["Location"] == "/admin/"
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "Alpha administration" in index.content.decode()


@pytest.mark.parametrize("password", [PASSWORD, "wrong-password"])
def test_other_roles_are_refused_even_with_their_password(alpha: Tenant, make_user: MakeUser, password: str) -> None:
    make_user(alpha, "student@alpha.test", roles=["student"])
    client = Client(HTTP_HOST=host_of(alpha))

    response = sign_in(client, "student@alpha.test", password)

    assert response.status_code == 200  # the form again, with the reason
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_a_session_works_only_on_the_site_that_issued_it(alpha: Tenant, beta: Tenant) -> None:
    client = admin_client(alpha)
    cookie = client.cookies["sessionid"].value

    other = Client(HTTP_HOST=host_of(beta))
    other.cookies["sessionid"] = cookie  # alpha's session cookie replayed on beta's host

    assert other.get("/admin/").status_code == 302
    assert Client(HTTP_HOST=host_of(None)).get("/admin/", HTTP_COOKIE=f"sessionid={cookie}").status_code == 302


def test_log_out_everywhere_ends_admin_sessions(alpha: Tenant, login: Any) -> None:
    client = admin_client(alpha)
    assert client.get("/admin/").status_code == 200
    tokens = login(alpha, "admin@alpha.test")

    Client(HTTP_HOST=host_of(alpha)).post(
        "/api/v1/auth/tokens/revoke/", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}"
    )

    assert client.get("/admin/").status_code == 302


def test_sign_in_is_throttled_with_the_api_login_budget(alpha: Tenant, settings: Any) -> None:
    settings.AUTH_THROTTLE_RATES = {**settings.AUTH_THROTTLE_RATES, "login_address": "3/h"}
    client = Client(HTTP_HOST=host_of(alpha))
    for _ in range(3):
        assert sign_in(client, "admin@alpha.test", "wrong-password").status_code == 200

    refused = sign_in(client, "admin@alpha.test")  # even the right password, once over the budget

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many sign-in attempts" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_platform_console_lets_staff_in_and_nobody_else(alpha: Tenant) -> None:
    staff = Client(HTTP_HOST=host_of(None))
    assert sign_in(staff, "staff@localhost").status_code == 302
    assert "Platform console" in staff.get("/admin/").content.decode()

    for email in ("nonstaff@localhost", "admin@alpha.test"):  # a tenant's admin is nobody here
        client = Client(HTTP_HOST=host_of(None))
        assert sign_in(client, email).status_code == 200
        assert client.get("/admin/").status_code == 302


def test_each_kind_shows_the_shared_services_and_its_own_apps_only() -> None:
    from tenant_apps.school.programs.models import Bootcamp
    from tenant_apps.tickets.models import Ticket

    assert _sites_for(Ticket) == [tenant_admin_site(k) for k in ("school", "store", "writing", "rental")]
    assert _sites_for(Bootcamp) == [tenant_admin_site("school")]
    assert _sites_for(Tenant) == [platform_admin_site]
    school = tenant_admin_site("school")._registry
    assert not any(m._meta.app_label.startswith(("store", "writing", "rental")) for m in school)


def test_each_kind_shows_users_tickets_invoices_payments_wallets_files_and_the_audit_log() -> None:
    from django.contrib.auth.models import Group

    from tenant_apps.accounts.models import User
    from tenant_apps.audit.models import AuditLogEntry
    from tenant_apps.files.models import StoredFile
    from tenant_apps.notifications.models import Notification
    from tenant_apps.payments.models import Invoice, Payment
    from tenant_apps.tickets.models import Ticket
    from tenant_apps.wallet.models import LedgerEntry, Wallet

    shared = {User, Ticket, Invoice, Payment, Wallet, LedgerEntry, StoredFile, AuditLogEntry, Notification}
    for kind in ("school", "store", "writing", "rental"):
        registry = tenant_admin_site(kind)._registry
        assert shared <= set(registry), kind
        assert Group not in registry  # roles are declared in code, assigned on the user's page
    assert not shared & set(platform_admin_site._registry)


def test_the_admin_styles_are_served() -> None:
    response = Client(HTTP_HOST=host_of(None)).get("/static/admin/css/base.css")
    assert response.status_code == 200


def test_passwords_do_not_change_in_the_admin(alpha: Tenant) -> None:
    client = admin_client(alpha)

    index = client.get("/admin/").content.decode()
    refused = client.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": "another-long-pass-1", "new_password2": "another-long-pass-1"},
    )

    assert "password_change" not in index
    assert refused.status_code == 404 and refused["Content-Type"].startswith("application/json")
    still = sign_in(Client(HTTP_HOST=host_of(alpha)), "admin@alpha.test")
    assert still.status_code == 302  # the old password still works
