"""Helpers of the writing tests: the people of the ``golf`` writing site and their API clients.

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
from tests.fixture_types import ClientFor, Login, ModelT


class Writing(SimpleNamespace):
    """The people of a writing site and ``client(name)`` for a logged-in API client
    (``client(None)``: anonymous)."""

    tenant: Tenant
    client: Callable[[str | None], APIClient]
    admin: User
    cleo: User  # client
    carl: User  # another client
    wren: User  # writer
    will: User  # another writer
    eddie: User  # editor
    sue: User  # support


def make_writing(tenant: Tenant, client_for: ClientFor, login: Login) -> Writing:
    """``tenant`` (a writing site) with ``admin``, clients ``cleo`` and ``carl``, writers ``wren``
    and ``will``, editor ``eddie``, support agent ``sue``."""
    slug = tenant.schema_name
    with tenant_context(tenant):
        users: dict[str, Any] = {
            "admin": User.objects.get(email=f"admin@{slug}.test"),
            "cleo": UserFactory(email=f"cleo@{slug}.test", full_name="Cleo Client", roles=["client"]),
            "carl": UserFactory(email=f"carl@{slug}.test", full_name="Carl Client", roles=["client"]),
            "wren": UserFactory(email=f"wren@{slug}.test", full_name="Wren Writer", roles=["writer"]),
            "will": UserFactory(email=f"will@{slug}.test", full_name="Will Writer", roles=["writer"]),
            "eddie": UserFactory(email=f"eddie@{slug}.test", full_name="Eddie Editor", roles=["editor"]),
            "sue": UserFactory(email=f"sue@{slug}.test", full_name="Sue Support", roles=["support"]),
        }
    clients: dict[str | None, APIClient] = {}

    def client(name: str | None) -> APIClient:
        if name not in clients:
            token = login(tenant, users[name].email)["access"] if name else None
            clients[name] = client_for(tenant, token)
        return clients[name]

    return Writing(tenant=tenant, client=client, **users)


@pytest.fixture
def writing(golf: Tenant, client_for: ClientFor, login: Login) -> Writing:
    """The ``golf`` writing site with its people (``make_writing``)."""
    return make_writing(golf, client_for, login)


def reload(writing: Writing, obj: ModelT) -> ModelT:
    """``obj`` read again from the writing site's schema."""
    with tenant_context(writing.tenant):
        return type(obj)._default_manager.get(pk=obj.pk)
