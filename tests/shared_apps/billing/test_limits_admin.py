"""Plan limits in the tenant admin site: it calls the same services as the API, so adding or
re-activating a user beyond the plan is refused there too, with the service's message, and
nothing is written."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tests.admin import admin_client, admin_url, messages_of
from tests.fixture_types import MakeUser
from tests.shared_apps.billing.plans import plan_for

USERS = admin_url("accounts.user")


def _active(tenant: Tenant) -> int:
    with tenant_context(tenant):
        return User.objects.filter(is_active=True).count()


def test_adding_a_user_in_the_admin_beyond_the_plan_shows_the_refusal_and_adds_nobody(alpha: Tenant) -> None:
    # given
    plan_for(alpha, users=_active(alpha))
    client = admin_client(alpha)
    # when
    response = client.post(USERS + "add/", {"email": "late@alpha.test", "roles": ["student"]})
    # then
    assert response.status_code == 200
    assert "plan allows" in response.content.decode()
    with tenant_context(alpha):
        assert not User.objects.filter(email="late@alpha.test").exists()


def test_reactivating_a_user_in_the_admin_beyond_the_plan_is_refused(alpha: Tenant, make_user: MakeUser) -> None:
    # given
    parked = make_user(alpha, "parked@alpha.test", roles=["student"], is_active=False)
    plan_for(alpha, users=_active(alpha))
    client = admin_client(alpha)
    data: dict[str, Any] = {"roles": ["student"], "is_active": "on", "_save": "Save"}
    # when
    response = client.post(admin_url("accounts.user", "change", parked.pk), data, follow=True)
    # then
    assert any("plan allows" in message for message in messages_of(response)), messages_of(response)
    with tenant_context(alpha):
        assert User.objects.get(pk=parked.pk).is_active is False
