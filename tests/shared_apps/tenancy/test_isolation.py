"""Tenant data never crosses schemas: ORM, API, and cache keys."""

from __future__ import annotations

from django.core.cache import cache
from django_tenants.utils import tenant_context

from saas.db.tenant import tenant_connection
from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tests.fixture_types import ClientFor, Login, MakeUser


def test_row_written_in_one_tenant_is_invisible_in_another(alpha: Tenant, beta: Tenant, make_user: MakeUser) -> None:
    # given
    make_user(alpha, "only-in-alpha@example.com")
    # then: ORM
    with tenant_context(beta):
        assert not User.objects.filter(email="only-in-alpha@example.com").exists()
    with tenant_context(alpha):
        assert User.objects.filter(email="only-in-alpha@example.com").exists()
    # and the platform schema has its own users only
    tenant_connection().set_schema_to_public()
    assert not User.objects.filter(email="only-in-alpha@example.com").exists()


def test_row_written_in_one_tenant_is_invisible_through_another_tenants_api(
    alpha: Tenant, beta: Tenant, make_user: MakeUser, client_for: ClientFor, login: Login
) -> None:
    make_user(alpha, "only-in-alpha@example.com")
    beta_admin = client_for(beta, login(beta, "admin@beta.test")["access"])
    emails = [u["email"] for u in beta_admin.get("/api/v1/users/?page_size=100").json()["results"]]
    assert "only-in-alpha@example.com" not in emails
    assert "admin@beta.test" in emails


def test_same_cache_key_holds_separate_values_per_tenant(alpha: Tenant, beta: Tenant) -> None:
    with tenant_context(alpha):
        cache.set("greeting", "hello from alpha")
    with tenant_context(beta):
        assert cache.get("greeting") is None
        cache.set("greeting", "hello from beta")
    with tenant_context(alpha):
        assert cache.get("greeting") == "hello from alpha"
