"""Races on committed rows, from threads with their own connections (as concurrent requests are):
two agents claiming the same queued inquiry at once. With the inquiry's row lock
(``locks.inquiry_lock``, taken by ``access.access_inquiry(lock=True)``) one gets it and the other
finds it gone from the queue (404); without the lock both read it unassigned and both are granted
it: two agents answering one guest.

Each racer is held after the read the lock protects (``after_read``), so without the lock both transactions read
before either writes, every time: the negative control cannot pass by luck. Everything committed is
deleted afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from saas.db.tenant import tenant_connection
from saas.errors import NotFound
from shared_apps.tenancy.models import Tenant
from tests.concurrency import after_read, in_thread, race
from tests.factories import InquiryFactory, UserFactory


def _marks(echo: Tenant) -> dict[str, int]:
    from tenant_apps.accounts.models import User
    from tenant_apps.audit.models import AuditLogEntry
    from tenant_apps.notifications.models import Notification

    with tenant_context(echo):
        return {
            model.__name__: model.objects.order_by("-id").values_list("id", flat=True).first() or 0
            for model in (AuditLogEntry, Notification, User)
        }


def _cleanup(echo: Tenant, before: dict[str, int]) -> None:
    """Delete every row the test committed in echo (users made after ``before``, or named
    ``race-*`` by a run that crashed before its clean-up, and all theirs)."""
    from tenant_apps.accounts.models import User
    from tenant_apps.audit.models import AuditLogEntry
    from tenant_apps.notifications.models import Notification
    from tenant_apps.rental.inquiries.models import Inquiry

    with tenant_context(echo):
        made = User.objects.filter(id__gt=before["User"]) | User.objects.filter(email__startswith="race-")
        users = list(made.values_list("id", flat=True))
        Notification.objects.filter(id__gt=before["Notification"]).delete()
        Inquiry.objects.filter(created_by_id__in=users).delete()  # their messages and grants go with them
        AuditLogEntry.objects.filter(id__gt=before["AuditLogEntry"]).delete()
        _delete_users(users)


def _delete_users(users: list[int]) -> None:
    """Delete ``users`` and the rows naming them, in SQL: the ORM's cascade would visit every
    installed app's tables, other kinds' too, which a rental schema does not have."""
    from django.db import DatabaseError

    with connection.cursor() as cursor:
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
        for _ in range(3):  # rows naming rows that name users go first, over a few passes
            for table, column in references:
                try:
                    cursor.execute(f'DELETE FROM "{table}" WHERE "{column}" = ANY(%s)', [users])
                except DatabaseError:
                    continue
        cursor.execute("DELETE FROM accounts_user WHERE id = ANY(%s)", [users])


@pytest.fixture
def committed(echo: Tenant) -> Iterator[Callable[[Callable[[], Any]], Any]]:
    """``committed(fn)``: run ``fn`` in echo on its own connection (committed); all of it is
    deleted after the test."""
    in_thread(lambda: _cleanup(echo, _marks(echo)))  # what a crashed run left behind
    before = in_thread(lambda: _marks(echo))

    def run(fn: Callable[[], Any]) -> Any:
        def inside() -> Any:
            with tenant_context(echo):
                return fn()

        return in_thread(inside)

    try:
        yield run
    finally:
        in_thread(lambda: _cleanup(echo, before))
        tenant_connection().set_schema_to_public()


def _queued_inquiry() -> dict[str, Any]:
    guest = UserFactory(email="race-guest@echo.test", roles=["guest"])
    agents = [UserFactory(email=f"race-agent{i}@echo.test", roles=["customer_service"]) for i in range(2)]
    return {"inquiry": InquiryFactory(author=guest), "agents": agents}


def _slow_inquiry_lock(monkeypatch: pytest.MonkeyPatch, *, locking: bool) -> None:
    """The inquiry's read pauses after reading; ``locking=False`` reads without a row lock."""
    from tenant_apps.rental.inquiries import access, locks
    from tenant_apps.rental.inquiries.models import Inquiry

    hold = after_read(locking=locking)

    def slow(pk: int) -> Inquiry:
        found = locks.inquiry_lock(pk) if locking else Inquiry.objects.get(pk=pk)
        hold()
        return found

    monkeypatch.setattr(access, "inquiry_lock", slow)


def _claim_both(echo: Tenant, rows: dict[str, Any]) -> list[Any]:
    from tenant_apps.rental.inquiries.services import inquiry_assign

    def claim(agent: Any) -> Callable[[], Any]:
        return lambda: inquiry_assign(actor=agent, inquiry_id=rows["inquiry"].pk, agent_id=agent.pk).assigned_to_id

    return race([claim(agent) for agent in rows["agents"]], tenant=echo)


def _who_sees_it(echo: Tenant, rows: dict[str, Any]) -> set[int]:
    from tenant_apps.rental.inquiries.access import can_view_inquiry
    from tenant_apps.rental.inquiries.models import Inquiry

    def read() -> set[int]:
        with tenant_context(echo):
            inquiry = Inquiry.objects.get(pk=rows["inquiry"].pk)
            return {agent.pk for agent in rows["agents"] if can_view_inquiry(agent, inquiry)}

    result: set[int] = in_thread(read)
    return result


def test_two_agents_claiming_one_inquiry_one_gets_it_the_other_finds_it_gone(
    echo: Tenant, committed: Callable[[Callable[[], Any]], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    rows = committed(_queued_inquiry)
    _slow_inquiry_lock(monkeypatch, locking=True)
    # when
    outcomes = _claim_both(echo, rows)
    # then: one claim, one 404; only the winner sees it
    winners = [o for o in outcomes if isinstance(o, int)]
    assert len(winners) == 1 and sum(isinstance(o, NotFound) for o in outcomes) == 1, outcomes
    assert _who_sees_it(echo, rows) == set(winners)


def test_without_the_inquiry_lock_both_agents_claim_it(
    echo: Tenant, committed: Callable[[Callable[[], Any]], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    rows = committed(_queued_inquiry)
    _slow_inquiry_lock(monkeypatch, locking=False)
    # when
    outcomes = _claim_both(echo, rows)
    # then: the negative control: both succeed and both hold it
    assert all(isinstance(o, int) for o in outcomes), outcomes
    assert _who_sees_it(echo, rows) == {agent.pk for agent in rows["agents"]}
