"""Helpers of the rental tests: the people of the ``echo`` rental site and their API clients.

Rows are made by the factories of ``tests/factories/``, through the services.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tests.factories import UserFactory
from tests.fixture_types import ClientFor, Login


class Rental(SimpleNamespace):
    """The people of a rental site and ``client(name)`` for a logged-in API client
    (``client(None)``: anonymous)."""

    tenant: Tenant
    client: Callable[[str | None], APIClient]
    admin: User
    hana: User  # host
    hugo: User  # another host
    gia: User  # guest
    gus: User  # another guest
    cora: User  # customer service
    cole: User  # another customer service agent


def make_rental(tenant: Tenant, client_for: ClientFor, login: Login) -> Rental:
    """``tenant`` (a rental site) with ``admin``, hosts ``hana`` and ``hugo``, guests ``gia`` and
    ``gus``, customer-service agents ``cora`` and ``cole``."""
    slug = tenant.schema_name
    with tenant_context(tenant):
        users: dict[str, Any] = {
            "admin": User.objects.get(email=f"admin@{slug}.test"),
            "hana": UserFactory(email=f"hana@{slug}.test", full_name="Hana Host", roles=["host"]),
            "hugo": UserFactory(email=f"hugo@{slug}.test", full_name="Hugo Host", roles=["host"]),
            "gia": UserFactory(email=f"gia@{slug}.test", full_name="Gia Guest", roles=["guest"]),
            "gus": UserFactory(email=f"gus@{slug}.test", full_name="Gus Guest", roles=["guest"]),
            "cora": UserFactory(email=f"cora@{slug}.test", full_name="Cora Agent", roles=["customer_service"]),
            "cole": UserFactory(email=f"cole@{slug}.test", full_name="Cole Agent", roles=["customer_service"]),
        }
    clients: dict[str | None, APIClient] = {}

    def client(name: str | None) -> APIClient:
        if name not in clients:
            token = login(tenant, users[name].email)["access"] if name else None
            clients[name] = client_for(tenant, token)
        return clients[name]

    return Rental(tenant=tenant, client=client, **users)


@pytest.fixture
def rental(echo: Tenant, client_for: ClientFor, login: Login) -> Rental:
    """The ``echo`` rental site with its people (``make_rental``)."""
    return make_rental(echo, client_for, login)
