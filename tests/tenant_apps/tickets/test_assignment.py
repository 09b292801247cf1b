"""Assignment: support staff only; the assignee gets the ticket's guardian permissions and a
reassignment moves them."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context
from guardian.core import ObjectPermissionChecker
from rest_framework.test import APIClient

from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.notifications.models import Notification
from tenant_apps.tickets.models import Ticket
from tests.fixture_types import ApiResponse
from tests.tenant_apps.tickets.conftest import TICKETS, School, error_code, ids, open_ticket, ticket_url


def _assign(client: APIClient, pk: int, assignee: int | None) -> ApiResponse:
    return client.post(ticket_url(pk, "assign"), {"assignee": assignee})


def test_the_assignee_may_read_reply_to_and_close_the_ticket(school: School) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    # when
    assigned = _assign(school.sue.client, ticket["id"], school.tom.user.pk)
    detail = school.tom.client.get(ticket_url(ticket["id"]))
    reply = school.tom.client.post(ticket_url(ticket["id"], "messages"), {"body": "I re-uploaded the video."})
    status_after_reply = school.ann.client.get(ticket_url(ticket["id"])).json()["status"]
    close = school.tom.client.post(ticket_url(ticket["id"], "close"))
    # then
    assert assigned.status_code == 200
    assert assigned.json()["assignee"]["id"] == school.tom.user.pk
    assert detail.status_code == 200
    assert reply.status_code == 201
    assert status_after_reply == "answered"
    assert close.status_code == 200


def test_reassignment_moves_the_permission_and_the_old_assignee_loses_access(school: School) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    _assign(school.sue.client, ticket["id"], school.tom.user.pk)
    # when
    response = _assign(school.sue.client, ticket["id"], school.tia.user.pk)
    # then
    assert response.status_code == 200
    assert ids(school.tom.client.get(TICKETS)) == set()
    assert school.tom.client.get(ticket_url(ticket["id"])).status_code == 404
    assert school.tom.client.post(ticket_url(ticket["id"], "messages"), {"body": "Hi"}).status_code == 404
    assert ids(school.tia.client.get(TICKETS)) == {ticket["id"]}
    with tenant_context(school.tenant):
        row = Ticket.objects.get(pk=ticket["id"])
        assert not ObjectPermissionChecker(school.tom.user).has_perm("view_ticket", row)
        assert ObjectPermissionChecker(school.tia.user).has_perm("change_ticket", row)


def test_unassigning_the_creator_does_not_take_their_own_ticket_away(school: School) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    _assign(school.sue.client, ticket["id"], school.ann.user.pk)
    # when
    response = _assign(school.sue.client, ticket["id"], None)
    # then
    assert response.status_code == 200
    assert response.json()["assignee"] is None
    assert school.ann.client.get(ticket_url(ticket["id"])).status_code == 200


@pytest.mark.parametrize("who", ["ann", "bob", "tom"], ids=["creator", "stranger", "teacher"])
def test_only_support_staff_may_assign(school: School, who: str) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    # when
    response = _assign(getattr(school, who).client, ticket["id"], getattr(school, who).user.pk)
    # then
    assert response.status_code == 403
    assert error_code(response) == "permission_denied"
    assert school.sue.client.get(ticket_url(ticket["id"])).json()["assignee"] is None


def test_assigning_to_an_unknown_or_deactivated_user_is_refused(school: School) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    with tenant_context(school.tenant):
        school.tia.user.is_active = False
        school.tia.user.save(update_fields=["is_active"])
    # when
    unknown = _assign(school.sue.client, ticket["id"], 999_999)
    inactive = _assign(school.sue.client, ticket["id"], school.tia.user.pk)
    # then
    assert unknown.status_code == inactive.status_code == 400
    assert error_code(unknown) == error_code(inactive) == "invalid_assignee"


def test_assignment_is_audited_and_notifies_the_new_and_old_assignee_and_the_creator(school: School) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    _assign(school.sue.client, ticket["id"], school.tom.user.pk)
    # when
    _assign(school.sue.client, ticket["id"], school.tia.user.pk)
    # then
    with tenant_context(school.tenant):
        entries = list(
            AuditLogEntry.objects.filter(verb="ticket.assigned", target_id=str(ticket["id"]))
            .order_by("id")
            .values_list("actor_repr", "changes")
        )
        notified = {
            (n.verb, n.recipient.email)
            for n in Notification.objects.filter(object_id=str(ticket["id"])).exclude(verb="ticket.created")
        }
        unassigned = Notification.objects.get(verb="ticket.unassigned", recipient=school.tom.user)
    assert entries == [
        ("sue@alpha.test", {"assignee": [None, school.tom.user.pk]}),
        ("sue@alpha.test", {"assignee": [school.tom.user.pk, school.tia.user.pk]}),
    ]
    assert notified == {
        ("ticket.assigned", "tom@alpha.test"),
        ("ticket.assigned", "tia@alpha.test"),
        ("ticket.assigned", "ann@alpha.test"),
        ("ticket.unassigned", "tom@alpha.test"),
    }
    assert unassigned.extra_data == {"ticket_id": ticket["id"]}  # nothing they may no longer see


def test_assigning_the_current_assignee_again_changes_nothing(school: School) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    _assign(school.sue.client, ticket["id"], school.tom.user.pk)
    # when
    response = _assign(school.sue.client, ticket["id"], school.tom.user.pk)
    # then
    assert response.status_code == 200
    with tenant_context(school.tenant):
        assert AuditLogEntry.objects.filter(verb="ticket.assigned", target_id=str(ticket["id"])).count() == 1
