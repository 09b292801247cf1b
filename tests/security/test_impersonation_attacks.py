"""Attacks on impersonation: forged or tampered tokens, tokens carried to another site, expired
tokens, callers without the right, admins protected by the setting, and cross-site listing."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.utils import timezone
from rest_framework.test import APIClient

from saas.db.tenant import tenant_connection
from shared_apps.superadmin.models import PlatformAuditEntry
from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tests.conftest import PASSWORD
from tests.fixture_types import ClientFor, Login, MakeUser

REASON = {"reason": "reproduce a bug"}


@pytest.fixture
def staff(session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, login: Login) -> APIClient:
    return client_for(None, login(None, "staff@localhost")["access"])


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_forged_impersonator_claim_on_a_normal_token_is_refused(
    alpha: Tenant, make_user: MakeUser, client_for: ClientFor, login: Login
) -> None:
    # given: a user's own token with an impersonator claim spliced into its payload
    make_user(alpha, "att-forge@alpha.test")
    header, payload, signature = login(alpha, "att-forge@alpha.test")["access"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = f"{header}.{_b64({**claims, 'impersonator': {'email': 'x@y.z', 'id': '1'}})}.{signature}"
    # when
    response = client_for(alpha, forged).get("/api/v1/auth/user/")
    # then
    assert response.status_code == 401 and response.json()["error"]["code"] == "token_not_valid"


def test_an_impersonation_token_is_worthless_on_another_site_and_on_the_platform(
    staff: APIClient, alpha: Tenant, beta: Tenant, make_user: MakeUser, client_for: ClientFor
) -> None:
    make_user(alpha, "att-other@alpha.test")
    access = staff.post("/api/v1/tenants/alpha/impersonate/", {"email": "att-other@alpha.test", **REASON}).json()[
        "access"
    ]
    assert client_for(beta, access).get("/api/v1/auth/user/").status_code == 401
    assert client_for(None, access).get("/api/v1/tenants/").status_code == 401


def test_an_expired_impersonation_token_is_refused(
    staff: APIClient, alpha: Tenant, make_user: MakeUser, client_for: ClientFor, settings: Any
) -> None:
    settings.IMPERSONATION_TOKEN_MINUTES = 15
    make_user(alpha, "att-exp@alpha.test")
    access = staff.post("/api/v1/tenants/alpha/impersonate/", {"email": "att-exp@alpha.test", **REASON}).json()[
        "access"
    ]
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = client_for(alpha, access).get("/api/v1/auth/user/")
    assert response.status_code == 401


def test_non_staff_staff_without_the_permission_and_tenant_users_are_refused(
    session_tenants: dict[str, Tenant], alpha: Tenant, db: None, client_for: ClientFor, login: Login
) -> None:
    # given
    plain_staff, _ = User.objects.get_or_create(email="att-plainstaff@localhost", defaults={"is_staff": True})
    plain_staff.set_password(PASSWORD)
    plain_staff.save()
    body = {"email": "admin@alpha.test", **REASON}
    # then
    assert client_for(None).post("/api/v1/tenants/alpha/impersonate/", body).status_code == 401
    nonstaff = client_for(None, login(None, "nonstaff@localhost")["access"])
    assert nonstaff.post("/api/v1/tenants/alpha/impersonate/", body).status_code == 403
    staff_without = client_for(None, login(None, "att-plainstaff@localhost")["access"])
    refused = staff_without.post("/api/v1/tenants/alpha/impersonate/", body)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"
    tenant_admin = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    assert tenant_admin.post("/api/v1/tenants/alpha/impersonate/", body).status_code == 404  # not served there
    assert not PlatformAuditEntry.objects.filter(verb="impersonation.started").exists()
    # and once granted, the same staff member may
    tenant_connection().set_schema_to_public()
    plain_staff.user_permissions.add(Permission.objects.get(codename="impersonate_tenant_user"))
    staff_with = client_for(None, login(None, "att-plainstaff@localhost")["access"])
    assert staff_with.post("/api/v1/tenants/alpha/impersonate/", body).status_code == 201


def test_an_admin_cannot_be_impersonated_when_the_setting_forbids_it(
    staff: APIClient, alpha: Tenant, settings: Any
) -> None:
    settings.IMPERSONATION_ALLOW_ADMINS = False
    response = staff.post("/api/v1/tenants/alpha/impersonate/", {"email": "admin@alpha.test", **REASON})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "impersonation_of_admin_forbidden"
    assert "access" not in response.json()


def test_a_site_admin_never_sees_another_sites_sessions(
    staff: APIClient, alpha: Tenant, beta: Tenant, make_user: MakeUser, client_for: ClientFor, login: Login
) -> None:
    # given: a session on alpha only
    make_user(alpha, "att-iso@alpha.test")
    staff.post("/api/v1/tenants/alpha/impersonate/", {"email": "att-iso@alpha.test", **REASON})
    # when
    beta_admin = client_for(beta, login(beta, "admin@beta.test")["access"])
    # then
    assert beta_admin.get("/api/v1/impersonations/").json()["count"] == 0
    alpha_admin_token = login(alpha, "admin@alpha.test")["access"]
    assert client_for(beta, alpha_admin_token).get("/api/v1/impersonations/").status_code == 401
