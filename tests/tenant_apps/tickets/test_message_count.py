"""A ticket's ``message_count`` is stored on the ticket: right after opening and after every reply,
and counted again for existing tickets by the migration that introduced it. (Replies at the same
moment: ``test_concurrency.py``.)"""

from __future__ import annotations

import importlib

from django.apps import apps
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from tests.tenant_apps.tickets.conftest import TICKETS, School, open_ticket, ticket_url


def _listed_count(client: APIClient, pk: int) -> int:
    response = client.get(TICKETS)
    assert response.status_code == 200, response.content
    return next(ticket["message_count"] for ticket in response.json()["results"] if ticket["id"] == pk)


def test_the_list_and_the_ticket_show_the_messages_counted_so_far(school: School) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    opened = _listed_count(school.ann.client, ticket["id"])
    # when
    school.sue.client.post(ticket_url(ticket["id"], "messages"), {"body": "Try another browser."})
    school.ann.client.post(ticket_url(ticket["id"], "messages"), {"body": "Still broken."})
    # then
    assert (ticket["message_count"], opened) == (1, 1)
    assert _listed_count(school.ann.client, ticket["id"]) == 3
    assert school.sue.client.get(ticket_url(ticket["id"])).json()["message_count"] == 3


def test_the_backfill_migration_counts_every_tickets_messages(school: School) -> None:
    from tenant_apps.tickets.models import Ticket

    # given: tickets whose stored counts are wrong, as before the migration
    first = open_ticket(school.ann.client)
    second = open_ticket(school.bob.client)
    school.sue.client.post(ticket_url(first["id"], "messages"), {"body": "Try another browser."})
    backfill = importlib.import_module("tenant_apps.tickets.migrations.0003_ticket_message_count_backfill")
    with tenant_context(school.tenant):
        Ticket.objects.update(message_count=0)
        # when
        backfill.count_messages(apps, None)
        # then
        counts = dict(Ticket.objects.filter(pk__in=[first["id"], second["id"]]).values_list("pk", "message_count"))
    assert counts == {first["id"]: 2, second["id"]: 1}
