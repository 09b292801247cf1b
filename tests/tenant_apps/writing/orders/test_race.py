"""Two writers requesting one available order at the same moment, in ``first_request`` mode, on
committed rows from threads with their own connections (as concurrent requests are): one gets the
assignment, the other 409 ``invalid_status_transition``, and the order has one writer.

A pause is injected after the status check (where the service reads the site's settings), so both
requests read ``available`` before either writes unless the order's lock (its invoice, then the
order) makes the second wait. With the lock taken away, both pass the check and both are told the
order is theirs: the lock alone does the work. Everything committed is deleted afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import DatabaseError, connection
from django_tenants.utils import tenant_context

from saas.db.tenant import tenant_connection
from saas.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tests.concurrency import in_thread, race
from tests.factories import OrderFactory, UserFactory

PAUSE = 0.3
_TABLES = (
    "notifications_notification",
    "audit_auditlogentry",
    "writing_orders_orderuserobjectpermission",
    "writing_orders_writerrequest",
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


def _an_available_order_and_two_writers() -> dict[str, Any]:
    from tenant_apps.writing.orders.services import order_settings

    row = order_settings()
    row.assignment_mode = "first_request"
    row.save()
    writers = [UserFactory(email=f"race-writer{i}@golf.test", roles=["writer"]) for i in range(2)]
    client = UserFactory(email="race-client@golf.test", roles=["client"])
    return {"order": OrderFactory(client=client, available=True), "writers": writers}


def _slow_settings(monkeypatch: pytest.MonkeyPatch, *, locking: bool) -> None:
    """The request pauses after its status check; ``locking=False`` takes the order's locks away."""
    from tenant_apps.writing.orders.models import Order
    from tenant_apps.writing.orders.services import assignment

    real = assignment.order_settings

    def slow() -> Any:
        time.sleep(PAUSE)
        return real()

    monkeypatch.setattr(assignment, "order_settings", slow)
    if not locking:
        monkeypatch.setattr(assignment, "order_with_invoice_lock", lambda pk: Order.objects.get(pk=pk))


@pytest.mark.parametrize("locking", [True, False], ids=["order_lock", "without_the_lock"])
def test_two_writers_requesting_one_order_get_one_assignment(
    golf: Tenant,
    committed: Callable[[Callable[[], Any]], Any],
    monkeypatch: pytest.MonkeyPatch,
    locking: bool,
) -> None:
    from tenant_apps.writing.orders.models import Order
    from tenant_apps.writing.orders.services import order_request

    # given: an available order, two writers, first_request mode, committed
    rows = committed(_an_available_order_and_two_writers)
    _slow_settings(monkeypatch, locking=locking)
    order = rows["order"]

    def ask(writer: Any) -> Callable[[], Any]:
        def call() -> Any:
            return order_request(order=order, writer=writer)

        return call

    # when: both request it at once
    outcomes = race([ask(writer) for writer in rows["writers"]], tenant=golf)
    # then
    won = [o for o in outcomes if isinstance(o, Order)]
    lost = [o for o in outcomes if isinstance(o, ApplicationError)]
    if locking:
        assert (len(won), len(lost)) == (1, 1), outcomes
        assert (lost[0].status_code, lost[0].code) == (409, "invalid_status_transition")
        stored = committed(lambda: Order.objects.get(pk=order.pk))
        assert stored.writer_id == won[0].writer_id
    else:
        # the negative control: both passed the check and both were told they got it
        assert len(won) == 2, outcomes
        assert {o.writer_id for o in won} == {w.pk for w in rows["writers"]}
