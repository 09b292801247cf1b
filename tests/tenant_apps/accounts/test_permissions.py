"""``HasRole``: admits authenticated users holding at least one of the named roles."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import HasRole
from tests.fixture_types import MakeUser


def allows(permission: HasRole, user: User | AnonymousUser | None) -> bool:
    return permission.has_permission(SimpleNamespace(user=user), view=None)


def test_has_role_needs_at_least_one_role() -> None:
    with pytest.raises(ValueError, match="at least one role"):
        HasRole()


def test_has_role_instance_can_stand_in_permission_classes() -> None:
    # DRF instantiates each entry of permission_classes by calling it
    permission = HasRole("admin")
    assert permission() is permission


@pytest.mark.parametrize(
    ("roles", "required", "allowed"),
    [
        (["teacher"], ("teacher",), True),
        (["teacher"], ("admin", "teacher"), True),
        (["student", "support"], ("support",), True),
        (["student"], ("admin", "teacher"), False),
        ([], ("student",), False),
    ],
)
def test_has_role_admits_users_holding_any_of_the_roles(
    alpha: Tenant, make_user: MakeUser, roles: list[str], required: tuple[str, ...], allowed: bool
) -> None:
    # given
    make_user(alpha, "member@alpha.test", roles=roles)
    # when / then
    with tenant_context(alpha):
        user = User.objects.get(email="member@alpha.test")
        assert allows(HasRole(*required), user) is allowed


def test_has_role_refuses_anonymous_users() -> None:
    assert allows(HasRole("student"), AnonymousUser()) is False
    assert allows(HasRole("student"), None) is False
