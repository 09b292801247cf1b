"""The audit log: written by services, readable by the tenant admin only, per tenant."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.audit.models import AuditLogEntry
from tests.factories import AuditLogEntryFactory
from tests.fixture_types import ClientFor, Login, MakeUser


def _record(tenant: Tenant, verb: str, actor_email: str | None = None, **changes: Any) -> AuditLogEntry:
    with tenant_context(tenant):
        actor = User.objects.get(email=actor_email) if actor_email else None
        target = User.objects.get(email=f"admin@{tenant.schema_name}.test")
        return AuditLogEntryFactory(actor=actor, verb=verb, target=target, changes=changes, ip="203.0.113.9")


def test_admin_reads_the_log_newest_first_with_actor_target_and_ip(
    alpha: Tenant, client_for: ClientFor, login: Login
) -> None:
    _record(alpha, "ticket.created", "admin@alpha.test")
    _record(alpha, "ticket.closed", None, status=["open", "closed"])
    admin = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    results = admin.get("/api/v1/audit-log/").json()["results"]
    assert [e["verb"] for e in results[:2]] == ["ticket.closed", "ticket.created"]
    closed, created = results[0], results[1]
    assert closed["actor"] is None
    assert closed["changes"] == {"status": ["open", "closed"]}
    assert created["actor"]["email"] == "admin@alpha.test"
    assert created["target"]["type"] == "accounts.user"
    assert created["ip"] == "203.0.113.9"


def test_filters_by_verb_prefix_and_time(alpha: Tenant, client_for: ClientFor, login: Login) -> None:
    _record(alpha, "ticket.created")
    _record(alpha, "payment.approved")
    admin = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    verbs = {e["verb"] for e in admin.get("/api/v1/audit-log/?verb=ticket.").json()["results"]}
    assert verbs == {"ticket.created"}
    assert admin.get("/api/v1/audit-log/?since=2999-01-01T00:00:00Z").json()["count"] == 0
    response = admin.get("/api/v1/audit-log/?since=yesterday")
    assert response.status_code == 400
    assert "since" in response.json()["error"]["details"]


def test_only_the_admin_may_read_the_log(
    alpha: Tenant, client_for: ClientFor, login: Login, make_user: MakeUser
) -> None:
    make_user(alpha, "support@example.com", roles=["support"])
    support = client_for(alpha, login(alpha, "support@example.com")["access"])
    assert support.get("/api/v1/audit-log/").status_code == 403
    assert client_for(alpha).get("/api/v1/audit-log/").status_code == 401


def test_one_tenants_log_is_not_visible_on_another(
    alpha: Tenant, beta: Tenant, client_for: ClientFor, login: Login
) -> None:
    _record(alpha, "secret.alpha.event")
    beta_admin = client_for(beta, login(beta, "admin@beta.test")["access"])
    verbs = {e["verb"] for e in beta_admin.get("/api/v1/audit-log/?page_size=100").json()["results"]}
    assert "secret.alpha.event" not in verbs
