"""Support staff per kind come from the kinds' declarations and name real roles."""

from __future__ import annotations

import pytest
from django.conf import settings

from tenant_apps.accounts.roles import ADMIN, roles_of
from tenant_apps.tickets.roles import support_roles

KINDS = sorted(kind for kind in settings.TENANT_TYPES if kind != "public")


@pytest.mark.parametrize("kind", KINDS)
def test_the_support_roles_of_a_kind_are_roles_of_that_kind_and_include_admin(kind: str) -> None:
    assert ADMIN in support_roles(kind)
    assert set(support_roles(kind)) <= set(roles_of(kind))


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("school", {"support", ADMIN}),
        ("writing", {"support", ADMIN}),
        ("rental", {"customer_service", ADMIN}),
        ("store", {ADMIN}),
    ],
)
def test_support_staff_per_kind(kind: str, expected: set[str]) -> None:
    assert set(support_roles(kind)) == expected
