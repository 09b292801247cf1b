"""Support staff change a ticket's priority; nobody else can."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from tests.tenant_apps.tickets.conftest import School, error_code, open_ticket, ticket_url


def test_support_raises_the_priority_and_it_is_audited(school: School) -> None:
    from tenant_apps.audit.models import AuditLogEntry

    ticket = open_ticket(school.ann.client)
    # when
    response = school.sue.client.post(ticket_url(ticket["id"], "priority"), {"priority": "urgent"})
    # then
    assert response.status_code == 200, response.content
    assert response.json()["priority"] == "urgent"
    assert school.ann.client.get(ticket_url(ticket["id"])).json()["priority"] == "urgent"
    with tenant_context(school.tenant):
        entry = AuditLogEntry.objects.get(verb="ticket.prioritised")
        assert entry.changes == {"priority": ["normal", "urgent"]}


def test_the_creator_cannot_change_the_priority(school: School) -> None:
    ticket = open_ticket(school.ann.client)
    response = school.ann.client.post(ticket_url(ticket["id"], "priority"), {"priority": "urgent"})
    assert response.status_code == 403
    assert error_code(response) == "permission_denied"


def test_an_unknown_priority_is_a_validation_error(school: School) -> None:
    ticket = open_ticket(school.ann.client)
    response = school.sue.client.post(ticket_url(ticket["id"], "priority"), {"priority": "asap"})
    assert response.status_code == 400
    assert "priority" in response.json()["error"]["details"]
