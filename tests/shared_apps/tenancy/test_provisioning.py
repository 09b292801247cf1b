"""Provisioning: all-or-nothing, slug rules, CLI, and what a new site has."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_exists, tenant_context
from pytest_django import DjangoCaptureOnCommitCallbacks

from saas.api.errors import ApplicationError
from saas.db.tenant import tenant_connection
from shared_apps.tenancy import services
from shared_apps.tenancy.models import Domain, Tenant, TenantStatus
from tenant_apps.accounts.models import User
from tenant_apps.accounts.roles import roles_of
from tenant_apps.kinds import all_kinds
from tests.conftest import PASSWORD
from tests.fixture_types import ClientFor, Login


def _provision(slug: str = "kappa", kind: str = "store", **kwargs: Any) -> Tenant:
    return services.tenant_provision(
        kind=kind,
        slug=slug,
        name="Kappa",
        owner_email="Owner@Kappa.test",
        owner_password=kwargs.pop("owner_password", PASSWORD),
        **kwargs,
    )


def test_provision_creates_row_domain_schema_roles_and_owner(session_tenants: dict[str, Tenant], db: None) -> None:
    # when
    tenant = _provision()
    # then
    assert tenant.status == TenantStatus.ACTIVE
    assert tenant.kind == "store"
    assert Domain.objects.get(tenant=tenant).domain == "kappa.localhost"
    assert schema_exists("kappa")
    with tenant_context(tenant):
        assert sorted(Group.objects.values_list("name", flat=True)) == sorted(roles_of("store"))
        owner = User.objects.get()
        assert owner.email == "owner@kappa.test"
        assert owner.check_password(PASSWORD)
        assert owner.role_names == ["admin"]


def test_new_tenant_is_served_and_its_owner_can_log_in(
    session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, login: Login
) -> None:
    tenant = _provision()
    tokens = login(tenant, "owner@kappa.test")
    response = client_for(tenant, tokens["access"]).get("/api/v1/users/")
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_owner_without_password_is_emailed_a_set_password_link(
    session_tenants: dict[str, Tenant],
    db: None,
    client_for: ClientFor,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # when
    with django_capture_on_commit_callbacks(execute=True):
        tenant = _provision(owner_password=None)
    # then
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["owner@kappa.test"]
    assert message.from_email == "Kappa <no-reply@localhost>"  # sent as the new site
    assert "/api/v1/auth/password/reset/confirm/" in message.body
    uid = message.body.split("uid: ")[1].split()[0]
    token = message.body.split("token: ")[1].split()[0]
    # and the link sets the password
    response = client_for(tenant).post(
        "/api/v1/auth/password/reset/confirm/",
        {
            "uid": uid,
            "token": token,
            "new_password1": "a-new-Passw0rd!",
            "new_password2": "a-new-Passw0rd!",
        },
    )
    assert response.status_code == 200, response.content
    assert (
        client_for(tenant)
        .post("/api/v1/auth/login/", {"email": "owner@kappa.test", "password": "a-new-Passw0rd!"})
        .status_code
        == 200
    )


@pytest.mark.parametrize("failing_step", range(len(services.PROVISIONING_STEPS)))
def test_failure_at_any_step_leaves_no_schema_row_or_domain(
    session_tenants: dict[str, Tenant], db: None, monkeypatch: pytest.MonkeyPatch, failing_step: int
) -> None:
    # given: the step runs, then fails
    real = services.PROVISIONING_STEPS[failing_step]

    def fail_after(ctx: services.ProvisioningContext) -> None:
        real(ctx)
        raise RuntimeError(f"injected failure in {real.__name__}")

    steps = list(services.PROVISIONING_STEPS)
    steps[failing_step] = fail_after
    monkeypatch.setattr(services, "PROVISIONING_STEPS", tuple(steps))
    # when
    with pytest.raises(RuntimeError, match="injected failure"):
        _provision(slug="doomed")
    # then
    tenant_connection().set_schema_to_public()
    assert not Tenant.objects.filter(schema_name="doomed").exists()
    assert not Domain.objects.filter(domain__startswith="doomed.").exists()
    assert not schema_exists("doomed")
    # and the slug can be used afterwards
    monkeypatch.undo()
    assert _provision(slug="doomed").status == TenantStatus.ACTIVE


@pytest.mark.parametrize(
    ("slug", "code"),
    [
        ("www", "reserved_slug"),
        ("api", "reserved_slug"),
        ("admin", "reserved_slug"),
        ("public", "reserved_slug"),
        ("Acme", "invalid_slug"),
        ("-acme", "invalid_slug"),
        ("acme-", "invalid_slug"),
        ("ac_me", "invalid_slug"),
        ("ac.me", "invalid_slug"),
        ("a" * 64, "invalid_slug"),
        ("", "invalid_slug"),
        ("12345", "invalid_slug"),
        ("pg-temp", "reserved_slug"),
    ],
)
def test_invalid_or_reserved_slug_is_refused(
    session_tenants: dict[str, Tenant], db: None, slug: str, code: str
) -> None:
    with pytest.raises(ApplicationError) as caught:
        _provision(slug=slug)
    assert caught.value.code == code
    assert not Tenant.objects.filter(schema_name=slug).exists()


def test_valid_slugs_are_accepted(session_tenants: dict[str, Tenant], db: None) -> None:
    for slug in ("a", "acme-2", "x" * 63):
        assert _provision(slug=slug).schema_name == slug


def test_taken_slug_is_refused_with_409(session_tenants: dict[str, Tenant], db: None) -> None:
    with pytest.raises(ApplicationError) as caught:
        _provision(slug="alpha")
    assert (caught.value.code, caught.value.status_code) == ("slug_taken", 409)


def test_weak_owner_password_is_refused_before_anything_is_created(
    session_tenants: dict[str, Tenant], db: None
) -> None:
    with pytest.raises(ApplicationError) as caught:
        _provision(owner_password="123")
    assert caught.value.details.get("owner_password")
    assert not schema_exists("kappa")


def test_cli_provisions_a_tenant(
    session_tenants: dict[str, Tenant], db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command(
        "provision_tenant",
        "--kind",
        "rental",
        "--slug",
        "cli-site",
        "--name",
        "CLI Site",
        "--owner-email",
        "o@cli.test",
        "--owner-password",
        PASSWORD,
    )
    assert "cli-site.localhost" in capsys.readouterr().out
    tenant = Tenant.objects.get(schema_name="cli-site")
    assert tenant.kind == "rental"
    with tenant_context(tenant):
        assert User.objects.get().email == "o@cli.test"


def test_cli_reports_a_bad_slug_as_an_error(session_tenants: dict[str, Tenant], db: None) -> None:
    with pytest.raises(CommandError, match="reserved_slug"):
        call_command("provision_tenant", "--kind", "store", "--slug", "www", "--name", "X", "--owner-email", "o@x.test")


def test_schema_of_one_kind_has_no_tables_of_apps_outside_its_kind(
    session_tenants: dict[str, Tenant], db: None
) -> None:

    def tables(schema: str) -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema])
            return {row[0] for row in cursor.fetchall()}

    school, store = tables("alpha"), tables("gamma")
    assert "accounts_user" in school and "accounts_user" in store
    # public-only apps never reach a tenant schema
    assert "tenancy_tenant" not in school | store
    # each kind's own apps' tables exist only in that kind's schemas
    for kind, spec in all_kinds().items():
        for app in spec.apps:
            # the app's label (``writing_files``), not its last name: ``files`` is a shared app too
            label = next(config.label for config in django_apps.get_app_configs() if config.name == app)
            own = {t for t in (school if kind == "school" else store) if t.startswith(f"{label}_")}
            other = {t for t in (store if kind == "school" else school) if t.startswith(f"{label}_")}
            assert not other, f"{kind} tables {other} leaked into another kind"
            if kind in {"school", "store"}:
                assert own
