"""Helpers of the store tests: the people of the ``gamma`` store and their API clients.

Rows are made by the factories of ``tests/factories/``, through the services (catalog products,
orders walked to their state, auctions, returns, reviews).
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
from tests.factories import CustomerFactory, UserFactory
from tests.fixture_types import ClientFor, Login, ModelT


class Store(SimpleNamespace):
    """The people of a store site and ``client(name)`` for a logged-in API client
    (``client(None)``: anonymous)."""

    tenant: Tenant
    client: Callable[[str | None], APIClient]
    admin: User
    sam: User  # seller
    sid: User  # another seller
    cal: User  # customer, with a location and 1000.00
    cora: User  # another customer, with a location and 1000.00
    dave: User  # delivery
    dina: User  # another delivery user


def make_store(tenant: Tenant, client_for: ClientFor, login: Login) -> Store:
    """``tenant`` (a store site) with ``admin``, sellers ``sam`` and ``sid``, customers ``cal``
    and ``cora`` (a location, 1000.00 each), delivery users ``dave`` and ``dina``."""
    slug = tenant.schema_name
    with tenant_context(tenant):
        users: dict[str, Any] = {
            "admin": User.objects.get(email=f"admin@{slug}.test"),
            "sam": UserFactory(email=f"sam@{slug}.test", full_name="Sam Seller", roles=["seller"]),
            "sid": UserFactory(email=f"sid@{slug}.test", full_name="Sid Seller", roles=["seller"]),
            "cal": CustomerFactory(email=f"cal@{slug}.test", full_name="Cal Customer", funds="1000.00"),
            "cora": CustomerFactory(email=f"cora@{slug}.test", full_name="Cora Customer", funds="1000.00"),
            "dave": UserFactory(email=f"dave@{slug}.test", full_name="Dave Delivery", roles=["delivery"]),
            "dina": UserFactory(email=f"dina@{slug}.test", full_name="Dina Delivery", roles=["delivery"]),
        }
    clients: dict[str | None, APIClient] = {}

    def client(name: str | None) -> APIClient:
        if name not in clients:
            token = login(tenant, users[name].email)["access"] if name else None
            clients[name] = client_for(tenant, token)
        return clients[name]

    return Store(tenant=tenant, client=client, **users)


@pytest.fixture
def store(gamma: Tenant, client_for: ClientFor, login: Login) -> Store:
    """The ``gamma`` store with its people (``make_store``)."""
    return make_store(gamma, client_for, login)


def reload(store: Store, obj: ModelT) -> ModelT:
    """``obj`` read again from the store's schema."""
    with tenant_context(store.tenant):
        return type(obj)._default_manager.get(pk=obj.pk)


def remove_committed_since(tenant: Tenant, marks: dict[str, int]) -> None:
    """Delete what race tests committed in ``tenant`` after ``marks`` (``committed_marks``): the
    store's rows, wallets and their ledger (past its append-only guard), notifications, audit rows,
    then the users. Runs on the calling thread's connection (call it through ``in_thread``)."""
    from django.db import connection

    with tenant_context(tenant), connection.cursor() as cursor:
        for table in _TABLES:
            cursor.execute(f'DELETE FROM "{table}" WHERE id > %s', [marks[table]])
        # the ORM's cascade would look into other kinds' tables, absent from this schema
        groups = User.groups.through._meta.db_table
        cursor.execute(f'DELETE FROM "{groups}" WHERE user_id > %s', [marks["user"]])
        cursor.execute(f'DELETE FROM "{User._meta.db_table}" WHERE id > %s', [marks["user"]])


def committed_marks(tenant: Tenant) -> dict[str, int]:
    """The highest id of every table ``remove_committed_since`` cleans, in ``tenant``."""
    from django.db import connection

    with tenant_context(tenant), connection.cursor() as cursor:
        marks = {}
        for table in (*_TABLES, User._meta.db_table):
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
            marks[table] = int(cursor.fetchone()[0])
        marks["user"] = marks[User._meta.db_table]
        return marks


def _tables() -> tuple[str, ...]:
    from tenant_apps.audit.models import AuditLogEntry
    from tenant_apps.notifications.models import Notification
    from tenant_apps.store.auctions.models import Auction, Bid
    from tenant_apps.store.catalog.models import Category, Product
    from tenant_apps.store.orders.models import CartItem, DeliveryProof, Order, OrderItem
    from tenant_apps.store.returns.models import ReturnItem, ReturnRequest
    from tenant_apps.store.reviews.models import Review
    from tenant_apps.store.shop.models import PointsEntry, SellerAccount, StoreProfile
    from tenant_apps.wallet.models import LedgerEntry, Wallet

    models = (
        Notification,
        AuditLogEntry,
        Bid,
        Auction,
        Review,
        ReturnItem,
        ReturnRequest,
        DeliveryProof,
        CartItem,
        OrderItem,
        Order,
        LedgerEntry,
        Wallet,
        PointsEntry,
        SellerAccount,
        StoreProfile,
        Product,
        Category,
    )
    return tuple(model._meta.db_table for model in models)


_TABLES = _tables()
