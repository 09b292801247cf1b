"""Deleting a user (or any row) cascades only into tables the current schema has."""

from __future__ import annotations

import pytest
from django.db import ProgrammingError, transaction
from django.db.models import deletion
from django_tenants.utils import tenant_context

from saas.db import deletion as schema_deletion
from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tests.fixture_types import MakeUser


@pytest.mark.parametrize("slug", ["alpha", "gamma"], ids=["school", "store"])
def test_a_user_is_deleted_in_a_schema_without_the_other_kinds_tables(
    slug: str, session_tenants: dict[str, Tenant], db: None, make_user: MakeUser
) -> None:
    # given a user of a school site (no store tables) or a store site (no school tables)
    tenant = session_tenants[slug]
    user = make_user(tenant, f"leaving@{slug}.test", roles=["admin"])
    with tenant_context(tenant):
        # when
        user.delete()
        # then
        assert not User.objects.filter(email=f"leaving@{slug}.test").exists()


def test_without_the_narrowing_the_cascade_reaches_another_kinds_missing_table(
    alpha: Tenant, make_user: MakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given Django's own candidate relations (every installed app's)
    user = make_user(alpha, "leaving@alpha.test", roles=["student"])
    monkeypatch.setattr(deletion, "get_candidate_relations_to_delete", schema_deletion._original)
    # when / then: a school schema has no store tables to look into
    with tenant_context(alpha), pytest.raises(ProgrammingError, match="does not exist"), transaction.atomic():
        user.delete()
