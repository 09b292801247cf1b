"""Helpers of the writing orders tests: URLs, an order body, orders walked to a status, and
``committed`` for the race tests (rows committed from another thread, deleted afterwards).

The table is the session site's default one (``writing/pricing/defaults.py``): undergraduate is
12.00 a page for 14 days, so the default 2-page double-spaced order due in 14 days is 24.00.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import DatabaseError, connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from saas.db.tenant import tenant_connection
from shared_apps.tenancy.models import Tenant
from tenant_apps.wallet.services import wallet_open, wallet_top_up
from tenant_apps.writing.orders.models import Order, OrderSettings
from tenant_apps.writing.orders.services import order_settings
from tests.api import error_code
from tests.concurrency import in_thread
from tests.factories import OrderFactory
from tests.tenant_apps.writing.conftest import Writing

ORDERS = "/api/v1/orders/"
TOTAL = Decimal("24.00")

__all__ = ["ORDERS", "TOTAL", "error_code", "fund", "make_order", "order_body", "order_url", "set_settings"]


def order_url(pk: Any, action: str = "") -> str:
    """``/api/v1/orders/{pk}/{action}``."""
    return f"{ORDERS}{pk}/{action}"


def order_body(**overrides: Any) -> dict[str, Any]:
    """A ``POST /orders/`` body: 2 double-spaced undergraduate pages due in 14 days (24.00)."""
    deadline = (timezone.now() + timedelta(days=14)).isoformat()
    body: dict[str, Any] = {
        "topic": "The causes of the First World War",
        "academic_level": "undergraduate",
        "deadline": deadline,
        "pages": 2,
        "spacing": "double",
        "sources": 5,
        "instructions": "Chicago style, footnotes.",
    }
    body.update(overrides)
    return body


def make_order(writing: Writing, status: str = "unpaid", **kwargs: Any) -> Order:
    """An order of cleo's in ``status`` (``OrderFactory``), wren writing and eddie editing it."""
    kwargs.setdefault("client", writing.cleo)
    kwargs.setdefault("writer", writing.wren)
    kwargs.setdefault("editor", writing.eddie)
    with tenant_context(writing.tenant):
        return OrderFactory(status=status, **kwargs)


def fund(writing: Writing, who: str, amount: Decimal | str) -> None:
    """Top up ``who``'s wallet with ``amount``."""
    with tenant_context(writing.tenant):
        wallet_top_up(wallet=wallet_open(user=getattr(writing, who)), amount=amount, memo="test funds")


def set_settings(writing: Writing, **fields: Any) -> OrderSettings:
    """Change the site's order settings directly (test set-up)."""
    with tenant_context(writing.tenant):
        row = order_settings()
        for field, value in fields.items():
            setattr(row, field, value)
        row.save()
        return row


#: The tables a race test's committed rows go to, cleaned up after it (children first).
_TABLES = (
    "notifications_notification",
    "audit_auditlogentry",
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
