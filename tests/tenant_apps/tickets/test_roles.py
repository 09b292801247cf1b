"""The support-staff mapping names real roles, and every kind has made its choice."""

from __future__ import annotations

import pytest

from tenant_apps.accounts.roles import ADMIN, ROLES
from tenant_apps.tickets.roles import SUPPORT_ROLES, support_roles


def test_every_kind_with_roles_has_an_entry_in_the_support_mapping():
    assert set(SUPPORT_ROLES) == set(ROLES)


@pytest.mark.parametrize("kind", sorted(ROLES))
def test_the_support_roles_of_a_kind_are_roles_of_that_kind_and_include_admin(kind):
    assert ADMIN in support_roles(kind)
    assert set(support_roles(kind)) <= set(ROLES[kind])


@pytest.mark.parametrize(("kind", "expected"), [
    ("school", {"support", ADMIN}), ("writing", {"support", ADMIN}), ("rental", {"customer_service", ADMIN}),
    ("store", {ADMIN}),
])
def test_support_staff_per_kind(kind, expected):
    assert set(support_roles(kind)) == expected
