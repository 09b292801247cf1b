"""``accounts/access.py``: admins manage every user of the site; anyone else sees only themselves,
and a user they may not see answers exactly like one that does not exist."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django_tenants.utils import tenant_context

from saas.errors import NotFound
from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.access import access_user, can_manage_users, can_view_user, users_visible_to
from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import Allows
from tests.fixture_types import MakeUser


@pytest.fixture
def people(alpha: Tenant, make_user: MakeUser) -> SimpleNamespace:
    """Alpha's admin and two students."""
    ann = make_user(alpha, "access-ann@alpha.test", roles=["student"])
    bob = make_user(alpha, "access-bob@alpha.test", roles=["student"])
    with tenant_context(alpha):
        admin = User.objects.get(email="admin@alpha.test")
    return SimpleNamespace(admin=admin, ann=ann, bob=bob)


def test_only_admins_manage_users(alpha: Tenant, people: SimpleNamespace) -> None:
    with tenant_context(alpha):
        assert can_manage_users(people.admin) is True
        assert can_manage_users(people.ann) is False
        assert can_manage_users(AnonymousUser()) is False
        assert can_manage_users(None) is False


def test_a_user_sees_themselves_and_admins_see_everyone(alpha: Tenant, people: SimpleNamespace) -> None:
    with tenant_context(alpha):
        assert can_view_user(people.ann, people.ann) is True
        assert can_view_user(people.ann, people.bob) is False
        assert can_view_user(people.admin, people.bob) is True
        assert can_view_user(AnonymousUser(), people.bob) is False
        assert set(users_visible_to(people.ann)) == {people.ann}
        assert {people.admin, people.ann, people.bob} <= set(users_visible_to(people.admin))
        assert not users_visible_to(AnonymousUser()).exists()


def test_access_user_returns_a_visible_user(alpha: Tenant, people: SimpleNamespace) -> None:
    with tenant_context(alpha):
        assert access_user(user=people.admin, pk=people.bob.pk) == people.bob
        assert access_user(user=people.ann, pk=str(people.ann.pk)) == people.ann


@pytest.mark.parametrize("pk", ["bob", "missing", "abc", None, "1.5"])
def test_access_user_answers_an_unseen_or_unknown_user_with_not_found(
    alpha: Tenant, people: SimpleNamespace, pk: Any
) -> None:
    # given: Bob, whom Ann may not see, and ids of nobody
    ids = {"bob": people.bob.pk, "missing": 10**9}
    # when / then
    with tenant_context(alpha), pytest.raises(NotFound) as refused:
        access_user(user=people.ann, pk=ids.get(pk, pk))
    assert (refused.value.code, refused.value.status_code, refused.value.message) == ("not_found", 404, "Not found.")


def test_access_user_with_lock_returns_the_row_locked(alpha: Tenant, people: SimpleNamespace) -> None:
    with tenant_context(alpha), transaction.atomic():
        locked = access_user(user=people.admin, pk=people.bob.pk, lock=True)
        assert locked == people.bob


def test_allows_admits_exactly_the_users_its_predicate_admits(alpha: Tenant, people: SimpleNamespace) -> None:
    # given
    permission = Allows(can_manage_users)

    def allowed(user: Any) -> bool:
        return permission.has_permission(SimpleNamespace(user=user), view=None)

    # when / then
    with tenant_context(alpha):
        assert permission() is permission  # an instance stands in permission_classes
        assert (allowed(people.admin), allowed(people.ann), allowed(AnonymousUser())) == (True, False, False)
    assert permission.message == "Your role does not allow this action."
    assert Allows(can_manage_users, message="Admins only.").message == "Admins only."
