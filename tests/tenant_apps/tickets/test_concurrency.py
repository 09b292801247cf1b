"""State changes lock the ticket row: a second change waits for the first and then sees its result,
and replies at the same moment each count the other's message into the stored ``message_count``.

The threads work on committed rows (a test's own ``db`` transaction is invisible to other
connections), so the ticket is set up, and removed afterwards, from threads of their own.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections, transaction
from django_tenants.utils import tenant_context

from saas.api.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.notifications.models import Notification
from tenant_apps.tickets import services
from tenant_apps.tickets.models import Ticket, TicketMessage
from tests.concurrency import race
from tests.factories import TicketFactory, UserFactory

EMAILS = ("tickets-race-ann@alpha.test", "tickets-race-sue@alpha.test")


def _thread(tenant: Tenant, function: Callable[[], Any], results: dict[str, Any], key: str) -> threading.Thread:
    def work() -> None:
        try:
            with tenant_context(tenant):
                results[key] = function()
        except BaseException as exc:  # recorded for the assertions
            results[key] = exc
        finally:
            connections.close_all()

    return threading.Thread(target=work)


def _committed(tenant: Tenant, function: Callable[[], Any]) -> Any:
    results: dict[str, Any] = {}
    thread = _thread(tenant, function, results, "result")
    thread.start()
    thread.join(timeout=60)
    if isinstance(results.get("result"), BaseException):
        raise results["result"]
    return results.get("result")


def _remove(tenant: Tenant) -> None:
    """Delete what the threads committed: the ticket's audit rows and notifications, the ticket
    (its messages and guardian rows go with it), the users."""

    def remove() -> None:
        users = list(User.objects.filter(email__in=EMAILS).values_list("pk", flat=True))
        tickets = Ticket.objects.filter(created_by__in=users)
        ticket_ids = [str(t.pk) for t in tickets]
        AuditLogEntry.objects.filter(verb__startswith="ticket.", target_id__in=ticket_ids).delete()
        Notification.objects.filter(verb__startswith="ticket.", object_id__in=ticket_ids).delete()
        TicketMessage.objects.filter(ticket__in=tickets).delete()
        tickets.delete()
        AuditLogEntry.objects.filter(actor__in=users).delete()
        User.objects.filter(pk__in=users).delete()

    _committed(tenant, remove)


def test_a_close_waits_for_a_concurrent_close_of_the_same_ticket_and_then_refuses(
    session_tenants: dict[str, Tenant], db: None
) -> None:
    # given: a committed ticket, and a support member's close holding the row lock, not yet committed
    alpha = session_tenants["alpha"]

    def setup() -> tuple[User, User, int]:
        ann = UserFactory(email=EMAILS[0], password=None, roles=["student"])
        sue = UserFactory(email=EMAILS[1], password=None, roles=["support"])
        ticket = TicketFactory(created_by=ann, subject="Race", body="Two closes at once.")
        return ann, sue, ticket.pk

    try:
        ann, sue, pk = _committed(alpha, setup)
        locked, release = threading.Event(), threading.Event()

        def close_and_hold() -> str:
            with transaction.atomic():
                ticket = services.ticket_close(actor=sue, ticket_id=pk)
                locked.set()
                release.wait(timeout=30)
            return str(ticket.status)

        results: dict[str, Any] = {}
        first = _thread(alpha, close_and_hold, results, "first")
        second = _thread(alpha, lambda: services.ticket_close(actor=ann, ticket_id=pk), results, "second")
        first.start()
        assert locked.wait(timeout=30)
        # when
        second.start()
        second.join(timeout=1.0)
        waited = second.is_alive()
        release.set()
        first.join(timeout=30)
        second.join(timeout=30)
        # then
        assert waited, "the second close did not wait for the row lock"
        assert results["first"] == "closed"
        refused = results["second"]
        assert isinstance(refused, ApplicationError), refused
        assert (refused.code, refused.status_code) == ("invalid_status_transition", 409)
    finally:
        _remove(alpha)


REPLIES = 4


def test_replies_at_the_same_moment_are_all_counted_in_the_stored_message_count(
    session_tenants: dict[str, Tenant], db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a committed ticket, and replies that pause between adding their message and counting
    # the conversation: without the row lock every reply would count the committed messages and its
    # own only, and the stored count would end at 2
    alpha = session_tenants["alpha"]

    def setup() -> tuple[User, User, int]:
        ann = UserFactory(email=EMAILS[0], password=None, roles=["student"])
        sue = UserFactory(email=EMAILS[1], password=None, roles=["support"])
        ticket = TicketFactory(created_by=ann, subject="Race", body="Many replies at once.")
        return ann, sue, ticket.pk

    add_message = services._add_message

    def slow_add_message(**kwargs: Any) -> TicketMessage:
        message = add_message(**kwargs)
        time.sleep(0.5)  # every reply has written its message before any counts, unless the lock queues them
        return message

    try:
        ann, sue, pk = _committed(alpha, setup)
        monkeypatch.setattr(services, "_add_message", slow_add_message)
        replies: list[Callable[[], Any]] = [
            functools.partial(services.ticket_reply, actor=(ann if i % 2 else sue), ticket_id=pk, body=f"#{i}")
            for i in range(REPLIES)
        ]
        # when
        results = race(replies, tenant=alpha)
        # then
        assert all(isinstance(result, TicketMessage) for result in results), results
        stored, counted = _committed(
            alpha,
            lambda: (Ticket.objects.get(pk=pk).message_count, TicketMessage.objects.filter(ticket_id=pk).count()),
        )
        assert stored == counted == 1 + REPLIES
    finally:
        _remove(alpha)
