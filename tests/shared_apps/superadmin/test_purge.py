"""Deletion done properly (issue 17, point 5): archive (410, a purge date), resume before the purge,
and the purge of an archived tenant: Stripe subscription, files, cache keys, schema, row, audit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists, tenant_context
from pytest_django import Settings
from rest_framework.test import APIClient

from shared_apps.billing.models import BillingAccount
from shared_apps.superadmin import purge
from shared_apps.superadmin.models import PlatformAuditEntry
from shared_apps.superadmin.tasks import tenants_purge_due_task
from shared_apps.tenancy.models import Tenant
from shared_apps.tenancy.services import tenant_transition
from tests.factories.tenancy import TenantFactory
from tests.fixture_types import ClientFor, Login

ME = "/api/v1/auth/user/"


@pytest.fixture
def staff(session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, login: Login) -> APIClient:
    return client_for(None, login(None, "staff@localhost")["access"])


@pytest.fixture
def doomed(session_tenants: dict[str, Tenant], db: None) -> Iterator[Tenant]:
    """A tenant of this test only (never purge a session tenant), with two files and one cache key;
    files and cache keys are outside the test's transaction: removed afterwards."""
    tenant: Tenant = TenantFactory(slug="doomed")
    default_storage.save("doomed/files/a1/report.txt", ContentFile(b"doomed data"))
    default_storage.save("doomed/avatars/b2/me.txt", ContentFile(b"doomed avatar"))
    with tenant_context(tenant):
        cache.set("greeting", "doomed")
    yield tenant
    purge._delete_files("doomed")
    purge._delete_cache_keys("doomed")


@pytest.fixture
def stripe_calls(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Stripe configured, its two subscription calls recorded (a subscription is active until cancelled)."""
    from shared_apps.billing import gateway

    settings.STRIPE_SECRET_KEY = "sk_test_purge"
    calls: list[tuple[str, str]] = []
    cancelled: set[str] = set()

    def retrieve(*, subscription_id: str) -> dict[str, Any]:
        calls.append(("retrieve", subscription_id))
        return {"id": subscription_id, "status": "canceled" if subscription_id in cancelled else "active"}

    def cancel(*, subscription_id: str) -> dict[str, Any]:
        calls.append(("cancel", subscription_id))
        cancelled.add(subscription_id)
        return {"id": subscription_id, "status": "canceled"}

    monkeypatch.setattr(gateway, "subscription_retrieve", retrieve)
    monkeypatch.setattr(gateway, "subscription_cancel", cancel)
    return calls


def _files_of(slug: str) -> list[str]:
    return list(purge._storage_keys(default_storage, slug))


def test_archive_answers_410_and_shows_the_purge_date(staff: APIClient, doomed: Tenant, client_for: ClientFor) -> None:
    # when
    response = staff.post("/api/v1/tenants/doomed/archive/")
    # then
    assert response.status_code == 200
    assert client_for(doomed).get("/api/v1/site/").status_code == 410
    detail = staff.get("/api/v1/tenants/doomed/").json()
    archived_at = datetime.fromisoformat(detail["archived_at"])
    purge_after = datetime.fromisoformat(detail["purge_after"])
    assert purge_after - archived_at == timedelta(days=settings.TENANT_PURGE_AFTER_DAYS)
    entry = PlatformAuditEntry.objects.get(verb="tenant.archive", tenant_slug="doomed")
    assert entry.actor_email == "staff@localhost"
    assert entry.details["purge_after"] == purge_after.isoformat()


def test_resume_before_the_purge_serves_the_intact_site_and_clears_the_date(
    staff: APIClient, doomed: Tenant, client_for: ClientFor
) -> None:
    # given
    staff.post("/api/v1/tenants/doomed/archive/")
    # when
    response = staff.post("/api/v1/tenants/doomed/resume/")
    # then
    assert response.json()["status"] == "active"
    assert response.json()["archived_at"] is None and response.json()["purge_after"] is None
    assert client_for(doomed).get("/api/v1/site/").status_code == 200
    assert sorted(_files_of("doomed")) == ["doomed/avatars/b2/me.txt", "doomed/files/a1/report.txt"]
    with tenant_context(doomed):
        assert cache.get("greeting") == "doomed"
    assert PlatformAuditEntry.objects.filter(verb="tenant.resume", tenant_slug="doomed").exists()
    # and the sweep, long after, leaves the resumed site alone
    with time_machine.travel(timezone.now() + timedelta(days=365)):
        assert tenants_purge_due_task() == {"purged": 0, "failed": 0}
    assert schema_exists("doomed")


def test_purge_before_the_date_or_of_a_live_tenant_is_refused(doomed: Tenant) -> None:
    # a live tenant: never
    with pytest.raises(CommandError, match="invalid_status_transition"):
        call_command("purge_tenant", "doomed", "--force")
    # archived, not due yet: refused without --force
    tenant_transition(tenant=doomed, action="archive")
    with pytest.raises(CommandError, match="not due yet"):
        call_command("purge_tenant", "doomed")
    assert tenants_purge_due_task() == {"purged": 0, "failed": 0}
    assert schema_exists("doomed")
    assert _files_of("doomed")


def test_sweep_after_the_date_purges_everything_of_the_tenant_and_nothing_else(
    alpha: Tenant, doomed: Tenant, stripe_calls: list[tuple[str, str]], client_for: ClientFor, login: Login
) -> None:
    # given: a token of the doomed tenant, its subscription, and another tenant's file and cache key
    token = login(doomed, "admin@doomed.test")["access"]
    BillingAccount.objects.filter(tenant=doomed).update(stripe_subscription_id="sub_doomed")
    default_storage.save("alpha/files/c3/keep.txt", ContentFile(b"alpha data"))
    with tenant_context(alpha):
        cache.set("greeting", "alpha")
    tenant_transition(tenant=doomed, action="archive")
    # when: the retention period has passed and the hourly sweep runs
    with (
        time_machine.travel(timezone.now() + timedelta(days=settings.TENANT_PURGE_AFTER_DAYS, minutes=1)),
        schema_context("public"),  # where beat sends it
    ):
        result = tenants_purge_due_task()
    # then
    assert result == {"purged": 1, "failed": 0}
    assert not schema_exists("doomed")
    assert not Tenant.objects.filter(schema_name="doomed").exists()
    assert not BillingAccount.objects.filter(stripe_subscription_id="sub_doomed").exists()
    assert _files_of("doomed") == []
    with schema_context("doomed"):
        assert cache.get("greeting") is None
    assert ("cancel", "sub_doomed") in stripe_calls
    assert client_for(None).get("/api/v1/site/", HTTP_HOST="doomed.localhost").status_code == 404
    entry = PlatformAuditEntry.objects.get(verb="tenant.purged", tenant_slug="doomed")
    assert entry.actor_email == ""
    assert entry.details["subscription_cancelled"] is True and entry.details["files_deleted"] == 2
    assert entry.details["cache_keys_deleted"] >= 1  # the greeting, and the login's own keys
    assert purge._delete_cache_keys("doomed") == 0  # no key of its prefix left
    # isolation: the other tenant keeps its files and cache
    assert default_storage.exists("alpha/files/c3/keep.txt")
    with tenant_context(alpha):
        assert cache.get("greeting") == "alpha"
    default_storage.delete("alpha/files/c3/keep.txt")
    # the purged tenant's token is refused, even by a new tenant under the same slug
    reborn: Tenant = TenantFactory(slug="doomed")
    assert reborn.uuid != doomed.uuid
    assert client_for(reborn, token).get(ME).status_code == 401
    purge._delete_cache_keys("alpha")


def test_a_purge_that_crashed_between_steps_completes_when_run_again(
    doomed: Tenant, stripe_calls: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a forced purge that dies after Stripe, files and cache, before the schema is dropped
    BillingAccount.objects.filter(tenant=doomed).update(stripe_subscription_id="sub_doomed")
    tenant_transition(tenant=doomed, action="archive")

    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("worker killed")

    with monkeypatch.context() as patch:
        patch.setattr(purge, "_drop", crash)
        with pytest.raises(RuntimeError):
            purge.tenant_purge(tenant=doomed, force=True)
    assert schema_exists("doomed") and _files_of("doomed") == []
    # when
    report = purge.tenant_purge(tenant=doomed, force=True)
    # then: done, the subscription cancelled once
    assert not schema_exists("doomed")
    assert not Tenant.objects.filter(schema_name="doomed").exists()
    assert [call for call in stripe_calls if call[0] == "cancel"] == [("cancel", "sub_doomed")]
    assert report.subscription_cancelled is False and report.files_deleted == 0
    assert PlatformAuditEntry.objects.filter(verb="tenant.purged", tenant_slug="doomed").count() == 1


def test_a_stripe_failure_stops_the_purge_and_the_sweep_retries_it(
    doomed: Tenant, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: Stripe failing
    from saas.errors import ApplicationError, ErrorCode
    from shared_apps.billing import gateway

    settings.STRIPE_SECRET_KEY = "sk_test_purge"
    BillingAccount.objects.filter(tenant=doomed).update(stripe_subscription_id="sub_doomed")
    tenant_transition(tenant=doomed, action="archive")

    def down(**kwargs: Any) -> dict[str, Any]:
        raise ApplicationError("Stripe is down.", code=ErrorCode.PAYMENT_PROVIDER_ERROR, status_code=502)

    monkeypatch.setattr(gateway, "subscription_retrieve", down)
    # when
    with time_machine.travel(timezone.now() + timedelta(days=settings.TENANT_PURGE_AFTER_DAYS + 1)):
        result = tenants_purge_due_task()
    # then: nothing deleted, the tenant still archived (and blocked) for the next sweep
    assert result == {"purged": 0, "failed": 1}
    assert Tenant.objects.get(schema_name="doomed").status == "archived"
    assert len(_files_of("doomed")) == 2


def test_the_command_purges_at_once_with_force(doomed: Tenant) -> None:
    # given
    tenant_transition(tenant=doomed, action="archive")
    # when
    call_command("purge_tenant", "doomed", "--force")
    # then
    assert not Tenant.objects.filter(schema_name="doomed").exists()
    assert not schema_exists("doomed")


def test_the_sweep_is_an_hourly_public_beat_entry() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["tenancy-purge-archived"]
    assert entry == {
        "task": "shared_apps.superadmin.tasks.tenants_purge_due_task",
        "schedule": 3600.0,
        "public": True,
    }


def test_a_subscription_stripe_no_longer_knows_does_not_block_the_purge(
    doomed: Tenant, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: Stripe answers resource_missing for the tenant's subscription
    from saas.errors import ApplicationError, ErrorCode
    from shared_apps.billing import gateway

    settings.STRIPE_SECRET_KEY = "sk_test_purge"
    BillingAccount.objects.filter(tenant=doomed).update(stripe_subscription_id="sub_gone")
    tenant_transition(tenant=doomed, action="archive")

    def missing(**kwargs: Any) -> dict[str, Any]:
        raise ApplicationError(
            "No such subscription.",
            code=ErrorCode.PAYMENT_PROVIDER_REJECTED,
            details={"provider_code": "resource_missing"},
        )

    monkeypatch.setattr(gateway, "subscription_retrieve", missing)
    # when
    report = purge.tenant_purge(tenant=doomed, force=True)
    # then
    assert report.subscription_cancelled is False
    assert not Tenant.objects.filter(schema_name="doomed").exists()


def test_archive_through_the_console_shows_the_purge_date_and_is_audited(doomed: Tenant) -> None:
    # given
    from tests.admin import admin_client, admin_url, messages_of, run_action

    staff = admin_client(None)
    # when
    archived = run_action(staff, Tenant, "archive_tenants", [doomed])
    # then
    assert messages_of(archived) == ["1 archived."]
    purge_after = Tenant.objects.get(pk=doomed.pk).purge_after
    assert purge_after is not None
    page = staff.get(admin_url(doomed, "change"))
    fields = {
        line.field["name"]: str(line.contents())
        for fieldset in page.context["adminform"]
        for row in fieldset
        for line in row
    }
    assert str(purge_after.year) in fields["purge_after"] and fields["archived_at"] not in ("", "-")
    entry = PlatformAuditEntry.objects.get(verb="tenant.archive", tenant_slug="doomed")
    assert entry.actor_email == "staff@localhost"
