"""Audited impersonation (issue 17, point 2): staff with the permission get a short-lived access
token of a site's user; each request made with it is in the site's audit log; the site's admin
sees the sessions."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from shared_apps.superadmin.models import PlatformAuditEntry
from shared_apps.tenancy.models import Tenant
from tenant_apps.audit.models import AuditLogEntry
from tests.fixture_types import ClientFor, Login, MakeUser


@pytest.fixture
def staff(session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, login: Login) -> APIClient:
    return client_for(None, login(None, "staff@localhost")["access"])


def impersonate(staff: APIClient, slug: str, **body: Any) -> Any:
    return staff.post(f"/api/v1/tenants/{slug}/impersonate/", {"reason": "ticket 42: cannot see grades", **body})


def test_staff_impersonates_a_user_and_both_audit_logs_record_it(
    staff: APIClient, alpha: Tenant, make_user: MakeUser, client_for: ClientFor
) -> None:
    # given
    user = make_user(alpha, "imp-support@alpha.test", roles=["support"])
    # when
    response = impersonate(staff, "alpha", email="imp-support@alpha.test")
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"access", "expires_at", "user"}  # no refresh token
    assert body["user"] == {"id": user.pk, "email": "imp-support@alpha.test", "roles": ["support"]}
    me = client_for(alpha, body["access"]).get("/api/v1/auth/user/")
    assert me.status_code == 200 and me.json()["email"] == "imp-support@alpha.test"
    platform = PlatformAuditEntry.objects.get(verb="impersonation.started", tenant_slug="alpha")
    assert platform.actor_email == "staff@localhost"
    assert platform.details["reason"] == "ticket 42: cannot see grades"
    assert platform.details["email"] == "imp-support@alpha.test"
    with tenant_context(alpha):
        started = AuditLogEntry.objects.get(verb="impersonation.started")
        assert started.actor_repr == "staff@localhost" and started.target_id == str(user.pk)
        assert started.changes["reason"] == "ticket 42: cannot see grades"


def test_the_token_lives_for_the_configured_minutes(
    staff: APIClient, alpha: Tenant, make_user: MakeUser, settings: Any
) -> None:
    # given
    import jwt

    settings.IMPERSONATION_TOKEN_MINUTES = 5
    make_user(alpha, "imp-short@alpha.test")
    # when
    access = impersonate(staff, "alpha", email="imp-short@alpha.test").json()["access"]
    # then
    payload = jwt.decode(access, options={"verify_signature": False})
    assert payload["exp"] - payload["iat"] == 300
    assert payload["impersonator"]["email"] == "staff@localhost"
    assert payload["tenant"] == "alpha"


def test_each_request_made_with_the_token_is_recorded_with_the_impersonator(
    staff: APIClient, alpha: Tenant, make_user: MakeUser, client_for: ClientFor
) -> None:
    # given
    make_user(alpha, "imp-req@alpha.test")
    access = impersonate(staff, "alpha", email="imp-req@alpha.test").json()["access"]
    # when
    client_for(alpha, access).get("/api/v1/auth/user/")
    client_for(alpha, access).get("/api/v1/users/")  # refused by role: recorded too
    # then
    with tenant_context(alpha):
        rows = list(AuditLogEntry.objects.filter(verb="impersonation.request").order_by("id"))
    assert [(r.changes["method"], r.changes["path"], r.changes["status"]) for r in rows] == [
        ("GET", "/api/v1/auth/user/", 200),
        ("GET", "/api/v1/users/", 403),
    ]
    assert all(r.changes["impersonator"]["email"] == "staff@localhost" for r in rows)
    assert all(r.actor_repr == "imp-req@alpha.test" for r in rows)


def test_an_impersonated_request_costs_one_read_and_one_insert_and_a_normal_one_none(
    staff: APIClient, alpha: Tenant, make_user: MakeUser, client_for: ClientFor, login: Login
) -> None:
    # given
    make_user(alpha, "imp-q@alpha.test")
    impersonated = client_for(alpha, impersonate(staff, "alpha", email="imp-q@alpha.test").json()["access"])
    normal = client_for(alpha, login(alpha, "imp-q@alpha.test")["access"])
    normal.get("/api/v1/auth/user/")
    impersonated.get("/api/v1/auth/user/")  # warm caches
    # when
    with CaptureQueriesContext(connection) as normal_queries:
        normal.get("/api/v1/auth/user/")
    with CaptureQueriesContext(connection) as impersonated_queries:
        impersonated.get("/api/v1/auth/user/")
    # then
    normal_inserts = [q for q in normal_queries.captured_queries if "audit_auditlogentry" in q["sql"]]
    audit = [q["sql"] for q in impersonated_queries.captured_queries if "audit_auditlogentry" in q["sql"]]
    assert normal_inserts == []
    # has the session been ended (an indexed read), then the request's row
    assert [sql.split()[0] for sql in audit] == ["SELECT", "INSERT"]
    assert "impersonation.ended" in audit[0]


def test_audit_rows_written_by_services_during_impersonation_name_the_impersonator(
    staff: APIClient, alpha: Tenant, make_user: MakeUser, client_for: ClientFor
) -> None:
    # given: an impersonated admin deactivates a user (a service writing the audit log)
    make_user(alpha, "imp-admin@alpha.test", roles=["admin"])
    member = make_user(alpha, "imp-member@alpha.test", roles=["support"])
    access = impersonate(staff, "alpha", email="imp-admin@alpha.test").json()["access"]
    # when
    response = client_for(alpha, access).delete(f"/api/v1/users/{member.pk}/")  # deactivates
    # then
    assert response.status_code in (200, 204), response.content
    with tenant_context(alpha):
        row = AuditLogEntry.objects.exclude(verb__startswith="impersonation.").latest("id")
    assert row.changes["impersonator"] == {"email": "staff@localhost", "id": row.changes["impersonator"]["id"]}


def test_credentials_cannot_be_changed_with_an_impersonation_token(
    staff: APIClient, alpha: Tenant, make_user: MakeUser, client_for: ClientFor
) -> None:
    # given
    make_user(alpha, "imp-cred@alpha.test")
    access = impersonate(staff, "alpha", email="imp-cred@alpha.test").json()["access"]
    client = client_for(alpha, access)
    # when
    password = client.post(
        "/api/v1/auth/password/change/",
        {"old_password": "x", "new_password1": "n3w-Passw0rd!", "new_password2": "n3w-Passw0rd!"},
    )
    revoke = client.post("/api/v1/auth/tokens/revoke/")
    refresh = client_for(alpha).post("/api/v1/auth/token/refresh/", {"refresh": access})
    logout = client_for(alpha).post("/api/v1/auth/logout/", {"refresh": access})
    # then
    assert password.status_code == 403 and password.json()["error"]["code"] == "permission_denied"
    assert revoke.status_code == 403 and revoke.json()["error"]["code"] == "permission_denied"
    assert refresh.status_code == 401  # an access token is no refresh token: nothing to refresh
    assert logout.status_code == 401
    assert client.get("/api/v1/auth/user/").status_code == 200  # still valid: nothing was revoked


def test_refusals(staff: APIClient, alpha: Tenant, make_user: MakeUser, settings: Any) -> None:
    # given
    make_user(alpha, "imp-off@alpha.test", is_active=False)
    make_user(alpha, "imp-adm@alpha.test", roles=["admin"])
    # then
    assert impersonate(staff, "nope", email="a@b.test").status_code == 404
    assert impersonate(staff, "alpha", email="nobody@alpha.test").status_code == 404
    assert impersonate(staff, "alpha", user_id=999999).status_code == 404
    inactive = impersonate(staff, "alpha", email="imp-off@alpha.test")
    assert inactive.status_code == 409 and inactive.json()["error"]["code"] == "user_inactive"
    settings.IMPERSONATION_ALLOW_ADMINS = False
    admin = impersonate(staff, "alpha", email="imp-adm@alpha.test")
    assert admin.status_code == 403 and admin.json()["error"]["code"] == "impersonation_of_admin_forbidden"
    settings.IMPERSONATION_ALLOW_ADMINS = True
    assert impersonate(staff, "alpha", email="imp-adm@alpha.test").status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"email": "imp@alpha.test"},
        {"email": "imp@alpha.test", "reason": "no"},
        {"email": "imp@alpha.test", "reason": "x" * 501},
        {"email": "imp@alpha.test", "user_id": 1, "reason": "both given"},
        {"user_id": "abc", "reason": "bad id"},
        {"email": "not-an-email", "reason": "bad email"},
    ],
)
def test_bad_input_answers_400_in_the_error_shape(staff: APIClient, body: dict[str, Any]) -> None:
    response = staff.post("/api/v1/tenants/alpha/impersonate/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert not PlatformAuditEntry.objects.filter(verb="impersonation.started").exists()


def test_a_site_that_is_not_active_cannot_be_impersonated(staff: APIClient, alpha: Tenant, make_user: MakeUser) -> None:
    # given
    make_user(alpha, "imp-sus@alpha.test")
    assert staff.post("/api/v1/tenants/alpha/suspend/").status_code == 200
    try:
        # when
        response = impersonate(staff, "alpha", email="imp-sus@alpha.test")
    finally:
        staff.post("/api/v1/tenants/alpha/resume/")
    # then
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"


def test_the_site_admin_lists_its_impersonation_sessions_with_their_requests(
    staff: APIClient, alpha: Tenant, beta: Tenant, make_user: MakeUser, client_for: ClientFor, login: Login
) -> None:
    # given: one session on alpha with two requests, one on beta
    make_user(alpha, "imp-list@alpha.test", roles=["support"])
    make_user(beta, "imp-list@beta.test")
    alpha_access = impersonate(staff, "alpha", email="imp-list@alpha.test").json()["access"]
    client_for(alpha, alpha_access).get("/api/v1/auth/user/")
    client_for(alpha, alpha_access).get("/api/v1/auth/user/")
    impersonate(staff, "beta", email="imp-list@beta.test", reason="beta's own reason")
    # when
    response = client_for(alpha, login(alpha, "admin@alpha.test")["access"]).get("/api/v1/impersonations/")
    # then
    assert response.status_code == 200, response.content
    [session] = response.json()["results"]
    assert session["staff_email"] == "staff@localhost"
    assert session["reason"] == "ticket 42: cannot see grades"
    assert session["user"] == "imp-list@alpha.test"
    assert session["requests"] == 2
    assert session["expires_at"] and session["started_at"]


def test_only_admins_list_sessions(alpha: Tenant, make_user: MakeUser, client_for: ClientFor, login: Login) -> None:
    make_user(alpha, "imp-nonadmin@alpha.test", roles=["support"])
    support = client_for(alpha, login(alpha, "imp-nonadmin@alpha.test")["access"])
    assert support.get("/api/v1/impersonations/").status_code == 403
    assert client_for(alpha).get("/api/v1/impersonations/").status_code == 401


def test_listing_sessions_costs_the_same_queries_for_one_or_many(
    staff: APIClient, alpha: Tenant, make_user: MakeUser, client_for: ClientFor, login: Login
) -> None:
    # given
    make_user(alpha, "imp-n@alpha.test")
    admin = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    impersonate(staff, "alpha", email="imp-n@alpha.test")
    admin.get("/api/v1/impersonations/")
    with CaptureQueriesContext(connection) as one:
        admin.get("/api/v1/impersonations/")
    for _ in range(3):
        impersonate(staff, "alpha", email="imp-n@alpha.test")
    admin.get("/api/v1/impersonations/")  # the connection back on alpha's schema, as for ``one``
    # when
    with CaptureQueriesContext(connection) as many:
        body = admin.get("/api/v1/impersonations/").json()
    # then
    assert body["count"] == 4
    assert len(many) == len(one)


def test_emails_sent_during_an_impersonated_request_name_the_impersonator(
    staff: APIClient,
    alpha: Tenant,
    make_user: MakeUser,
    client_for: ClientFor,
    login: Login,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given: a support member who gets new tickets by e-mail, and a user impersonated by staff
    from django.core import mail

    make_user(alpha, "imp-mail-support@alpha.test", roles=["support"])
    make_user(alpha, "imp-mail@alpha.test")
    impersonated = client_for(alpha, impersonate(staff, "alpha", email="imp-mail@alpha.test").json()["access"])
    normal = client_for(alpha, login(alpha, "imp-mail@alpha.test")["access"])
    # when
    with django_capture_on_commit_callbacks(execute=True):
        assert impersonated.post("/api/v1/tickets/", {"subject": "S", "body": "B"}).status_code == 201
    marked = list(mail.outbox)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert normal.post("/api/v1/tickets/", {"subject": "S", "body": "B"}).status_code == 201
    # then
    assert marked and all(m.extra_headers.get("X-Impersonated-By") == "staff@localhost" for m in marked)
    assert mail.outbox and all("X-Impersonated-By" not in m.extra_headers for m in mail.outbox)


def test_the_impersonator_ends_the_session_and_the_token_stops_working(
    staff: APIClient, alpha: Tenant, make_user: MakeUser, client_for: ClientFor, login: Login
) -> None:
    # given
    make_user(alpha, "imp-end@alpha.test")
    started = impersonate(staff, "alpha", email="imp-end@alpha.test").json()
    acting = client_for(alpha, started["access"])
    assert acting.get("/api/v1/auth/user/").status_code == 200
    # when
    ended = acting.post("/api/v1/impersonations/end/")
    # then: the token is refused from now on, and both logs say who ended it
    assert ended.status_code == 200, ended.content
    refused = acting.get("/api/v1/auth/user/")
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "session_expired"
    admin = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    [session] = admin.get("/api/v1/impersonations/").json()["results"]
    assert session["ended_at"] == ended.json()["ended_at"]
    assert session["requests"] == 2  # the first GET and the end itself
    assert PlatformAuditEntry.objects.filter(verb="impersonation.ended", tenant_slug="alpha").count() == 1
    # a normal token of the same user is not affected, nor may it "end" anything
    own = client_for(alpha, login(alpha, "imp-end@alpha.test")["access"])
    assert own.get("/api/v1/auth/user/").status_code == 200
    assert own.post("/api/v1/impersonations/end/").status_code == 403


def test_the_site_admin_ends_a_running_session(
    staff: APIClient, alpha: Tenant, beta: Tenant, make_user: MakeUser, client_for: ClientFor, login: Login
) -> None:
    # given: a running session on alpha, and one on beta
    make_user(alpha, "imp-kill@alpha.test")
    make_user(beta, "imp-kill@beta.test")
    alpha_token = impersonate(staff, "alpha", email="imp-kill@alpha.test").json()["access"]
    beta_token = impersonate(staff, "beta", email="imp-kill@beta.test").json()["access"]
    admin = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    [session] = admin.get("/api/v1/impersonations/").json()["results"]
    # when
    first = admin.post(f"/api/v1/impersonations/{session['session']}/end/")
    again = admin.post(f"/api/v1/impersonations/{session['session']}/end/")
    # then: ended once, the token is dead; beta's session is neither visible to alpha nor ended
    assert first.status_code == 200 and again.json()["ended_at"] == first.json()["ended_at"]
    with tenant_context(alpha):
        assert AuditLogEntry.objects.filter(verb="impersonation.ended").count() == 1
    assert client_for(alpha, alpha_token).get("/api/v1/auth/user/").status_code == 401
    assert client_for(beta, beta_token).get("/api/v1/auth/user/").status_code == 200
    beta_admin = client_for(beta, login(beta, "admin@beta.test")["access"])
    [beta_session] = beta_admin.get("/api/v1/impersonations/").json()["results"]
    assert admin.post(f"/api/v1/impersonations/{beta_session['session']}/end/").status_code == 404
    assert beta_admin.get("/api/v1/impersonations/").json()["results"][0]["ended_at"] is None


def test_only_admins_end_sessions(
    staff: APIClient, alpha: Tenant, make_user: MakeUser, client_for: ClientFor, login: Login
) -> None:
    make_user(alpha, "imp-nokill@alpha.test", roles=["support"])
    impersonate(staff, "alpha", email="imp-nokill@alpha.test")
    admin = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    [session] = admin.get("/api/v1/impersonations/").json()["results"]
    support = client_for(alpha, login(alpha, "imp-nokill@alpha.test")["access"])
    assert support.post(f"/api/v1/impersonations/{session['session']}/end/").status_code == 403
    assert client_for(alpha).post(f"/api/v1/impersonations/{session['session']}/end/").status_code == 401


def test_an_impersonated_request_that_fails_with_500_is_recorded_too(
    staff: APIClient,
    alpha: Tenant,
    make_user: MakeUser,
    client_for: ClientFor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: a view that breaks
    from dj_rest_auth.views import UserDetailsView

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    make_user(alpha, "imp-500@alpha.test")
    acting = client_for(alpha, impersonate(staff, "alpha", email="imp-500@alpha.test").json()["access"])
    acting.raise_request_exception = False
    monkeypatch.setattr(UserDetailsView, "get", broken)
    # when
    response = acting.get("/api/v1/auth/user/")
    # then: the staff member's failed request is in the site's log with its status
    assert response.status_code == 500
    with tenant_context(alpha):
        row = AuditLogEntry.objects.filter(verb="impersonation.request").latest("id")
    assert (row.changes["status"], row.changes["path"]) == (500, "/api/v1/auth/user/")
