"""Attacks on the platform console (``/admin/`` on the platform host): cross-site requests, forged
selections and malformed parameters, tenant credentials and sessions, pages that only read."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from saas.db.tenant import tenant_connection
from shared_apps.tenancy.models import Domain, Tenant, TenantStatus
from tests.admin import admin_client, admin_url
from tests.api import error_code
from tests.conftest import host_of

pytestmark = pytest.mark.django_db

TENANTS = admin_url(Tenant)
DOMAINS = admin_url(Domain)


def status_of(slug: str) -> str:
    tenant_connection().set_schema_to_public()
    return Tenant.objects.values_list("status", flat=True).get(schema_name=slug)


def test_a_cross_site_action_without_the_csrf_token_is_refused(alpha: Tenant) -> None:
    # given: staff's browser, signed in, carrying the session cookie to a forged form
    staff = Client(HTTP_HOST=host_of(None), enforce_csrf_checks=True)
    staff.cookies["sessionid"] = admin_client(None).cookies["sessionid"].value

    # when
    response = staff.post(TENANTS, {"action": "suspend_tenants", "_selected_action": [alpha.pk]})

    # then: the JSON 403, and the site still served
    assert response.status_code == 403 and error_code(response) == "csrf_failed"
    assert status_of("alpha") == TenantStatus.ACTIVE


def test_forged_selections_change_nothing_and_never_fail(alpha: Tenant) -> None:
    staff = admin_client(None)

    for selection in (["999999"], ["not-a-number"], ["-1"], [""]):
        response = staff.post(TENANTS, {"action": "suspend_tenants", "_selected_action": selection})
        assert response.status_code in (200, 302), (selection, response.status_code)
    for action in ("delete_selected", "drop_tenants", "__init__", ""):
        response = staff.post(TENANTS, {"action": action, "_selected_action": [alpha.pk]})
        assert response.status_code in (200, 302), (action, response.status_code)

    assert set(Tenant.objects.values_list("status", flat=True)) == {TenantStatus.ACTIVE}


@pytest.mark.parametrize(
    "query",
    [
        {"kind": "casino"},
        {"kind": "school'--"},
        {"status__exact": "<script>"},
        {"o": "99"},
        {"o": "x.y"},
        {"owner_email__regex": "(a+)+$"},  # a lookup not offered: refused, not run
        {"schema_name__startswith": "a"},
        {"q": "a" * 5000},
        {"p": "-1"},
        {"created_at__gte": "yesterday"},
    ],
)
def test_malformed_list_parameters_never_fail(session_tenants: Any, db: None, query: dict[str, str]) -> None:
    response = admin_client(None).get(TENANTS, query)

    assert response.status_code in (200, 302), response.status_code  # 302: Django's "?e=1" for a bad lookup


@pytest.mark.parametrize(
    "path",
    [
        admin_url(Tenant, "change", "abc"),
        admin_url(Tenant, "change", 999999),
        admin_url(Domain, "change", 0),
    ],
)
def test_an_unknown_or_malformed_id_is_a_redirect_not_an_error(session_tenants: Any, db: None, path: str) -> None:
    response = admin_client(None).get(path)

    assert response.status_code == 302  # back to the admin's index, with "does not exist"


def test_a_tenant_admin_cannot_reach_the_console_with_their_session(alpha: Tenant) -> None:
    # given: alpha's admin signed in on alpha's site
    tenant_admin = admin_client(alpha)
    cookie = tenant_admin.cookies["sessionid"].value

    # when: the session replayed on the platform host
    console = Client(HTTP_HOST=host_of(None))
    console.cookies["sessionid"] = cookie
    response = console.post(TENANTS, {"action": "suspend_tenants", "_selected_action": [alpha.pk]})

    # then
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert status_of("alpha") == TenantStatus.ACTIVE


def test_the_tenant_and_domain_pages_only_read(alpha: Tenant) -> None:
    staff = admin_client(None)
    domain = alpha.domains.get()

    forged = [
        staff.post(admin_url(alpha, "change"), {"name": "Owned", "status": "archived", "kind": "store"}),
        staff.post(admin_url(Tenant, "add"), {"schema_name": "evil", "name": "Evil", "kind": "store"}),
        staff.post(admin_url(alpha, "delete"), {"post": "yes"}),
        staff.post(admin_url(domain, "change"), {"domain": "evil.localhost", "tenant": alpha.pk}),
        staff.post(admin_url(domain, "delete"), {"post": "yes"}),
    ]

    assert [response.status_code for response in forged] == [403] * len(forged)
    alpha.refresh_from_db()
    assert (alpha.name, alpha.status, alpha.kind) == ("Alpha", TenantStatus.ACTIVE, "school")
    assert alpha.domains.get().domain == "alpha.localhost"
    assert not Tenant.objects.filter(schema_name="evil").exists()
