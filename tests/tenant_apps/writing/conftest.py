"""Helpers of the writing tests: the people of the ``golf`` writing site and their API clients,
and ``committed`` for the race tests (rows committed from another thread, deleted afterwards).

Rows are made by the factories of ``tests/factories/``, through the services.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import DatabaseError, connection
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from saas.db.tenant import tenant_connection
from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tests.concurrency import in_thread
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


#: The tables a race test's committed rows go to, cleaned up after it (children first).
_TABLES = (
    "notifications_notification",
    "audit_auditlogentry",
    "writing_fines_fineappeal",
    "writing_fines_finededuction",
    "writing_fines_fine",
    "writing_fines_workclock",
    "writing_files_orderfile",
    "writing_messages_ordermessage_attachments",
    "writing_messages_ordermessage",
    "writing_wallets_payoutrequest",
    "writing_wallets_wallettopup",
    "writing_orders_orderuserobjectpermission",
    "writing_orders_writerrequest",
    "writing_orders_orderrefund",
    "writing_writers_writerprofile",
    "writing_orders_order",
    "payments_payment",
    "payments_invoiceline",
    "payments_invoice",
    "wallet_ledgerentry",
    "wallet_wallet",
)


def _marks() -> dict[str, int]:
    with connection.cursor() as cursor:
        marks = {}
        for table in (*_TABLES, "accounts_user"):
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
            marks[table] = int(cursor.fetchone()[0])
        cursor.execute("SELECT COALESCE(MAX(value), 0) FROM payments_invoicecounter WHERE key = 'invoice'")
        marks["counter"] = int(cursor.fetchone()[0])
        return marks


def _cleanup(marks: dict[str, int]) -> None:
    """Delete what was committed after ``marks`` (the users and every row naming them too)."""
    with connection.cursor() as cursor:
        for table in _TABLES:
            cursor.execute(f'DELETE FROM "{table}" WHERE id > %s', [marks[table]])
        # the settings row is created with the defaults on first use: the test changed it, so it goes
        cursor.execute("DELETE FROM writing_orders_ordersettings")
        cursor.execute("DELETE FROM writing_fines_finesettings")
        cursor.execute("UPDATE payments_invoicecounter SET value = %s WHERE key = 'invoice'", [marks["counter"]])
        cursor.execute(
            """
            SELECT cl.relname, att.attname FROM pg_constraint con
            JOIN pg_class cl ON cl.oid = con.conrelid
            JOIN pg_namespace ns ON ns.oid = cl.relnamespace
            JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = ANY(con.conkey)
            WHERE con.contype = 'f' AND con.confrelid = 'accounts_user'::regclass AND ns.nspname = current_schema()
            """
        )
        references = cursor.fetchall()
        for _ in range(3):
            for table, column in references:
                try:
                    cursor.execute(f'DELETE FROM "{table}" WHERE "{column}" > %s', [marks["accounts_user"]])
                except DatabaseError:
                    continue
        cursor.execute("DELETE FROM accounts_user WHERE id > %s", [marks["accounts_user"]])


@pytest.fixture
def committed(golf: Tenant) -> Iterator[Callable[[Callable[[], Any]], Any]]:
    """``committed(fn)``: run ``fn`` in golf on its own connection (committed); all of it is deleted
    after the test."""

    def inside(fn: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            with tenant_context(golf):
                return fn()

        return run

    before = in_thread(inside(_marks))
    try:
        yield lambda fn: in_thread(inside(fn))
    finally:
        in_thread(inside(lambda: _cleanup(before)))
        tenant_connection().set_schema_to_public()
