"""``accounts.selectors.users_with_roles``: who "the admins" or "the support team" are when a service
notifies them: active holders of any of the roles, each once, without the actor."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.accounts.selectors import users_with_roles
from tests.fixture_types import MakeUser

pytestmark = pytest.mark.django_db


def test_active_holders_of_any_role_once_each_without_the_actor(alpha: Tenant, make_user: MakeUser) -> None:
    both = make_user(alpha, "roles-both@alpha.test", roles=["support", "teacher"])
    teacher = make_user(alpha, "roles-teacher@alpha.test", roles=["teacher"])
    gone = make_user(alpha, "roles-gone@alpha.test", roles=["teacher"])
    student = make_user(alpha, "roles-student@alpha.test", roles=["student"])
    with tenant_context(alpha):
        User.objects.filter(pk=gone.pk).update(is_active=False)
        found = list(users_with_roles("support", "teacher").filter(email__startswith="roles-"))
        without = list(users_with_roles("support", "teacher", exclude=both.pk).filter(email__startswith="roles-"))
    assert found == [both, teacher]
    assert without == [teacher]
    assert student not in found
