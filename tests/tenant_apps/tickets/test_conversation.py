"""The conversation and the status: replies, closing, reopening; who may do which; the audit log
and the notifications every change leaves."""

from __future__ import annotations

from typing import Any

import pytest
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.notifications.models import Notification
from tests.tenant_apps.tickets.conftest import School, error_code, open_ticket, ticket_url


def _status(client: APIClient, pk: int) -> str:
    response = client.get(ticket_url(pk))
    assert response.status_code == 200, response.content
    return response.json()["status"]


def _audit(tenant: Tenant, pk: int) -> list[tuple[str, str, dict[str, Any]]]:
    with tenant_context(tenant):
        return [
            (e.verb, e.actor_repr, e.changes)
            for e in AuditLogEntry.objects.filter(verb__startswith="ticket.", target_id=str(pk)).order_by("id")
        ]


def _notified(tenant: Tenant, verb: str, pk: int) -> list[str]:
    with tenant_context(tenant):
        return sorted(n.recipient.email for n in Notification.objects.filter(verb=verb, object_id=str(pk)))


def test_a_support_reply_answers_the_ticket_and_a_creator_reply_opens_it_again(school: School) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    # when
    support_reply = school.sue.client.post(ticket_url(ticket["id"], "messages"), {"body": "Try another browser."})
    after_support = _status(school.ann.client, ticket["id"])
    creator_reply = school.ann.client.post(ticket_url(ticket["id"], "messages"), {"body": "Still broken."})
    after_creator = _status(school.ann.client, ticket["id"])
    # then
    assert support_reply.status_code == creator_reply.status_code == 201
    assert support_reply.json()["author"]["id"] == school.sue.user.pk
    assert (after_support, after_creator) == ("answered", "open")
    conversation = school.ann.client.get(ticket_url(ticket["id"])).json()["messages"]
    assert [m["body"] for m in conversation] == ["The video does not load.", "Try another browser.", "Still broken."]


def test_a_stranger_cannot_reply_and_the_conversation_is_unchanged(school: School) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    # when
    response = school.bob.client.post(ticket_url(ticket["id"], "messages"), {"body": "Me too!"})
    # then
    assert response.status_code == 404
    assert len(school.ann.client.get(ticket_url(ticket["id"])).json()["messages"]) == 1


@pytest.mark.parametrize("closer", ["ann", "sue", "admin"], ids=["creator", "support", "admin"])
def test_the_creator_and_support_staff_may_close_a_ticket(school: School, closer: str) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    # when
    response = getattr(school, closer).client.post(ticket_url(ticket["id"], "close"))
    # then
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    assert response.json()["closed_at"] is not None


def test_a_stranger_cannot_close_someone_elses_ticket(school: School) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    # when
    response = school.bob.client.post(ticket_url(ticket["id"], "close"))
    # then
    assert response.status_code == 404
    assert _status(school.ann.client, ticket["id"]) == "open"


def test_a_closed_ticket_refuses_replies_until_it_is_reopened(school: School) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    school.sue.client.post(ticket_url(ticket["id"], "close"))
    # when
    refused = [
        person.client.post(ticket_url(ticket["id"], "messages"), {"body": "Hello?"})
        for person in (school.ann, school.sue)
    ]
    reopened = school.ann.client.post(ticket_url(ticket["id"], "reopen"))
    accepted = school.ann.client.post(ticket_url(ticket["id"], "messages"), {"body": "Hello again."})
    # then
    for response in refused:
        assert response.status_code == 409
        assert error_code(response) == "ticket_closed"
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "open"
    assert reopened.json()["closed_at"] is None
    assert accepted.status_code == 201
    assert len(school.ann.client.get(ticket_url(ticket["id"])).json()["messages"]) == 2


def test_support_staff_may_reopen_a_ticket_the_creator_closed(school: School) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    school.ann.client.post(ticket_url(ticket["id"], "close"))
    # when
    response = school.sue.client.post(ticket_url(ticket["id"], "reopen"))
    # then
    assert response.status_code == 200
    assert response.json()["status"] == "open"


def test_closing_a_closed_ticket_and_reopening_an_open_one_are_conflicts(school: School) -> None:
    # given
    open_one = open_ticket(school.ann.client)
    closed_one = open_ticket(school.ann.client)
    school.ann.client.post(ticket_url(closed_one["id"], "close"))
    # when
    close_again = school.ann.client.post(ticket_url(closed_one["id"], "close"))
    reopen_open = school.ann.client.post(ticket_url(open_one["id"], "reopen"))
    # then
    assert close_again.status_code == reopen_open.status_code == 409
    assert error_code(close_again) == error_code(reopen_open) == "invalid_status_transition"


def test_every_status_change_is_in_the_audit_log_with_its_actor(school: School) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    pk = ticket["id"]
    # when
    school.sue.client.post(ticket_url(pk, "messages"), {"body": "Fixed?"})
    school.ann.client.post(ticket_url(pk, "close"))
    school.ann.client.post(ticket_url(pk, "reopen"))
    # then
    entries = _audit(school.tenant, pk)
    assert [(verb, actor) for verb, actor, _ in entries] == [
        ("ticket.created", "ann@alpha.test"),
        ("ticket.replied", "sue@alpha.test"),
        ("ticket.closed", "ann@alpha.test"),
        ("ticket.reopened", "ann@alpha.test"),
    ]
    assert entries[0][2]["status"] == [None, "open"]
    assert entries[1][2]["status"] == ["open", "answered"]
    assert entries[2][2] == {"status": ["answered", "closed"]}
    assert entries[3][2] == {"status": ["closed", "open"]}


def test_a_refused_change_leaves_no_audit_row(school: School) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    school.ann.client.post(ticket_url(ticket["id"], "close"))
    before = _audit(school.tenant, ticket["id"])
    # when
    school.ann.client.post(ticket_url(ticket["id"], "messages"), {"body": "Hello?"})
    school.bob.client.post(ticket_url(ticket["id"], "reopen"))
    # then
    assert _audit(school.tenant, ticket["id"]) == before


def test_a_new_ticket_notifies_the_support_staff_but_not_other_users(school: School) -> None:
    # when
    ticket = open_ticket(school.ann.client, subject="Exam date?")
    # then
    assert _notified(school.tenant, "ticket.created", ticket["id"]) == ["admin@alpha.test", "sue@alpha.test"]
    with tenant_context(school.tenant):
        row = Notification.objects.get(verb="ticket.created", recipient=school.sue.user)
        assert row.object_id == str(ticket["id"])
        assert row.extra_data["subject"] == "Exam date?"


def test_a_support_reply_notifies_the_creator_and_a_creator_reply_notifies_support(school: School) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    # when
    school.sue.client.post(ticket_url(ticket["id"], "messages"), {"body": "Which lesson?"})
    to_creator = _notified(school.tenant, "ticket.replied", ticket["id"])
    school.ann.client.post(ticket_url(ticket["id"], "messages"), {"body": "Lesson 3."})
    to_everyone = _notified(school.tenant, "ticket.replied", ticket["id"])
    # then
    assert to_creator == ["ann@alpha.test"]
    assert sorted(set(to_everyone) - {"ann@alpha.test"}) == ["admin@alpha.test", "sue@alpha.test"]


def test_once_assigned_the_creators_replies_notify_the_assignee_only(school: School) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    school.sue.client.post(ticket_url(ticket["id"], "assign"), {"assignee": school.tom.user.pk})
    # when
    school.ann.client.post(ticket_url(ticket["id"], "messages"), {"body": "Any news?"})
    # then
    assert _notified(school.tenant, "ticket.replied", ticket["id"]) == ["tom@alpha.test"]


def test_closing_notifies_the_other_party(school: School) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    # when
    school.sue.client.post(ticket_url(ticket["id"], "close"))
    # then
    assert _notified(school.tenant, "ticket.closed", ticket["id"]) == ["ann@alpha.test"]
