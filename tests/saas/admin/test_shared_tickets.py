"""The tickets' admin: read-only list and conversation; close, reopen, assign, prioritise and
reply through the services (status rules, object permissions, notifications, audit)."""

from __future__ import annotations

from typing import Any

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.notifications.models import Notification
from tenant_apps.tickets.models import Ticket, TicketMessage
from tests.admin import (
    admin_client,
    admin_url,
    assert_admin_pages,
    assert_list_queries_fixed,
    audit_verbs,
    count_queries,
    messages_of,
    run_action,
)
from tests.factories import TicketFactory, UserFactory, create_in
from tests.fixture_types import ClientFor, Login

pytestmark = pytest.mark.django_db

TICKETS = admin_url("tickets.ticket")


def _ticket(tenant: Tenant, email: str = "ann@alpha.test", **fields: Any) -> Ticket:
    creator = create_in(tenant, UserFactory, email=email, roles=["student"])
    return create_in(tenant, TicketFactory, created_by=creator, **fields)


def _fresh(tenant: Tenant, ticket: Ticket) -> Ticket:
    with tenant_context(tenant):
        return Ticket.objects.select_related("assignee").get(pk=ticket.pk)


def test_the_ticket_pages_answer_the_admin_only(alpha: Tenant) -> None:
    ticket = _ticket(alpha, subject="Cannot open lesson 3", body="The video stays black.")

    assert_admin_pages(
        alpha,
        "tickets.ticket",
        ticket.pk,
        query="?status__exact=open&priority__exact=normal&q=lesson+3",
        shows="Cannot open lesson 3",
        non_admin="ann@alpha.test",
    )
    page = admin_client(alpha).get(admin_url("tickets.ticket", "change", ticket.pk)).content.decode()
    assert "The video stays black." in page  # the conversation inline


def test_closing_and_reopening_follow_the_status_rules(alpha: Tenant) -> None:
    open_ticket, closed_ticket = _ticket(alpha), _ticket(alpha, "bob@alpha.test", closed=True)
    client = admin_client(alpha)

    closing = run_action(client, TICKETS, "close_tickets", [open_ticket, closed_ticket])

    assert "1 closed." in messages_of(closing)
    assert any(m.startswith(f"{closed_ticket}:") and "cannot become closed" in m for m in messages_of(closing))
    assert _fresh(alpha, open_ticket).status == "closed" and _fresh(alpha, open_ticket).closed_at is not None
    assert audit_verbs(alpha, open_ticket)[-1] == "ticket.closed"
    with tenant_context(alpha):
        assert Notification.objects.filter(
            recipient__email="ann@alpha.test", verb="ticket.closed", object_id=str(open_ticket.pk)
        ).exists()

    reopening = run_action(client, TICKETS, "reopen_tickets", [open_ticket])

    assert "1 reopened." in messages_of(reopening)
    assert _fresh(alpha, open_ticket).status == "open"


def test_assigning_to_me_grants_access_and_unassigning_takes_it_back(
    alpha: Tenant, login: Login, client_for: ClientFor
) -> None:
    ticket = _ticket(alpha)
    client = admin_client(alpha)

    run_action(client, TICKETS, "assign_to_me", [ticket])

    assert _fresh(alpha, ticket).assignee.email == "admin@alpha.test"  # type: ignore[union-attr]
    assert audit_verbs(alpha, ticket)[-1] == "ticket.assigned"

    run_action(client, TICKETS, "unassign_tickets", [ticket])

    assert _fresh(alpha, ticket).assignee is None
    assert audit_verbs(alpha, ticket)[-1] == "ticket.unassigned"


def test_priority_and_reply_ask_for_input_then_call_the_services(
    alpha: Tenant, login: Login, client_for: ClientFor
) -> None:
    ticket = _ticket(alpha)
    client = admin_client(alpha)

    bad = client.post(
        TICKETS, {"action": "set_priority", "_selected_action": [ticket.pk], "apply": "1", "priority": "x"}
    )
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()
    run_action(client, TICKETS, "set_priority", [ticket], priority="urgent")
    run_action(client, TICKETS, "reply", [ticket], body="We are on it.")

    fresh = _fresh(alpha, ticket)
    assert (fresh.priority, fresh.status, fresh.message_count) == ("urgent", "answered", 2)
    assert "ticket.prioritised" in audit_verbs(alpha, ticket)
    with tenant_context(alpha):
        last = TicketMessage.objects.filter(ticket_id=ticket.pk).order_by("-id").select_related("author").first()
        assert last is not None and (last.author.email, last.body) == ("admin@alpha.test", "We are on it.")
    with tenant_context(alpha):
        told = Notification.objects.filter(recipient__email="ann@alpha.test", object_id=str(ticket.pk))
        assert told.filter(verb="ticket.replied").exists()


def test_another_sites_tickets_never_show(alpha: Tenant, beta: Tenant) -> None:
    stranger = _ticket(beta, "stranger@beta.test", subject="Beta secret question")
    client = admin_client(alpha)

    for url in (TICKETS + "?q=secret", admin_url("tickets.ticket", "change", stranger.pk)):
        response = client.get(url)
        assert response.status_code in (200, 302), url
        assert "Beta secret question" not in response.content.decode()


def test_the_ticket_list_costs_the_same_queries_for_2_and_10_rows(alpha: Tenant) -> None:
    with tenant_context(alpha):
        creator = UserFactory(roles=["student"])
        admin = User.objects.get(email="admin@alpha.test")

    assert_list_queries_fixed(alpha, TICKETS, lambda: TicketFactory(created_by=creator, assignee=admin))


def test_the_ticket_page_costs_the_same_queries_for_2_and_10_messages(
    alpha: Tenant, django_assert_max_num_queries: Any
) -> None:
    from tenant_apps.tickets.services import ticket_reply

    ticket = _ticket(alpha)
    client = admin_client(alpha)
    url = admin_url("tickets.ticket", "change", ticket.pk)

    def reply(count: int) -> None:
        with tenant_context(alpha):
            admin = User.objects.get(email="admin@alpha.test")
            for n in range(count):
                ticket_reply(actor=ticket.created_by if n % 2 else admin, ticket_id=ticket.pk, body=f"reply {n}")

    reply(1)
    client.get(url)  # warm: content types, the session, the site's roles
    two = count_queries(lambda: client.get(url))
    reply(8)
    with django_assert_max_num_queries(two):
        assert "reply 7" in client.get(url).content.decode()
