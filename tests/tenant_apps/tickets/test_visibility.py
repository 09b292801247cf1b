"""Who sees which tickets: the creator and the assignee through guardian, support staff all of
their site's; nobody else, and an invisible ticket looks exactly like a missing one."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.tickets.access import tickets_visible_to
from tenant_apps.tickets.models import Ticket
from tests.fixture_types import ClientFor, Login, MakePerson
from tests.tenant_apps.tickets.conftest import TICKETS, School, error_code, ids, open_ticket, ticket_url


def test_creator_sees_their_ticket_in_the_list_and_in_detail_with_its_first_message(school: School) -> None:
    # given
    ticket = open_ticket(school.ann.client, subject="Refund for the bootcamp", body="Please refund me.")
    # when
    listed = school.ann.client.get(TICKETS)
    detail = school.ann.client.get(ticket_url(ticket["id"]))
    # then
    assert ids(listed) == {ticket["id"]}
    assert detail.status_code == 200
    body = detail.json()
    assert (body["subject"], body["status"], body["priority"]) == ("Refund for the bootcamp", "open", "normal")
    assert body["created_by"] == {"id": school.ann.user.pk, "full_name": "Ann Student", "email": None}
    assert [m["body"] for m in body["messages"]] == ["Please refund me."]


def test_another_user_neither_lists_nor_reads_someone_elses_ticket(school: School) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    # when
    listed = school.bob.client.get(TICKETS)
    detail = school.bob.client.get(ticket_url(ticket["id"]))
    # then
    assert ids(listed) == set()
    assert detail.status_code == 404
    assert error_code(detail) == "not_found"


@pytest.mark.parametrize("action", [None, "messages", "close", "reopen"])
def test_someone_elses_ticket_answers_exactly_like_a_missing_one(school: School, action: str | None) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    missing = ticket["id"] + 10_000
    send = school.bob.client.get if action is None else school.bob.client.post
    body = {"body": "Let me in"} if action == "messages" else None
    # when
    existing_response = send(ticket_url(ticket["id"], action), body)
    missing_response = send(ticket_url(missing, action), body)
    # then
    assert existing_response.status_code == missing_response.status_code == 404
    assert existing_response.json() == missing_response.json()


def test_support_staff_list_and_read_every_ticket_of_their_site(school: School) -> None:
    # given
    mine = open_ticket(school.ann.client)
    theirs = open_ticket(school.bob.client)
    # when
    by_support = school.sue.client.get(TICKETS)
    by_admin = school.admin.client.get(TICKETS)
    detail = school.sue.client.get(ticket_url(theirs["id"]))
    # then
    assert ids(by_support) == ids(by_admin) == {mine["id"], theirs["id"]}
    assert detail.status_code == 200


def test_support_staff_see_participants_emails_and_other_users_do_not(school: School) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    # when
    for_support = school.sue.client.get(ticket_url(ticket["id"])).json()
    for_creator = school.ann.client.get(ticket_url(ticket["id"])).json()
    # then
    assert for_support["created_by"]["email"] == "ann@alpha.test"
    assert for_creator["created_by"]["email"] is None
    assert for_creator["messages"][0]["author"]["email"] is None


def test_a_teacher_is_not_support_staff_and_sees_no_ticket_until_assigned_one(school: School) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    # when
    before = school.tom.client.get(TICKETS)
    school.sue.client.post(ticket_url(ticket["id"], "assign"), {"assignee": school.tom.user.pk})
    after = school.tom.client.get(TICKETS)
    # then
    assert ids(before) == set()
    assert ids(after) == {ticket["id"]}
    assert school.tom.client.get(ticket_url(ticket["id"])).status_code == 200


def test_a_store_site_has_no_support_role_so_its_admin_handles_every_ticket(
    gamma: Tenant, person: MakePerson, client_for: ClientFor, login: Login
) -> None:
    # given
    customer = person(gamma, "cara@gamma.test", ["customer"])
    seller = person(gamma, "sam@gamma.test", ["seller"])
    admin = client_for(gamma, login(gamma, "admin@gamma.test")["access"])
    ticket = open_ticket(customer.client, subject="Where is my order?")
    # when
    for_admin = admin.get(TICKETS)
    for_seller = seller.client.get(TICKETS)
    # then
    assert ids(for_admin) == {ticket["id"]}
    assert ids(for_seller) == set()


def test_a_deactivated_support_member_sees_nothing_through_the_selector(school: School) -> None:
    # given
    open_ticket(school.ann.client)
    with tenant_context(school.tenant):
        sue = school.sue.user
        sue.is_active = False
        sue.save(update_fields=["is_active"])
        # when
        visible = list(tickets_visible_to(sue))
        total = Ticket.objects.count()
    # then
    assert total == 1
    assert visible == []


def test_list_filters_by_status_priority_assignee_and_searches_the_subject(school: School) -> None:
    # given
    urgent = open_ticket(school.ann.client, subject="Payment failed twice", priority="urgent")
    low = open_ticket(school.ann.client, subject="Typo in lesson 2", priority="low")
    closed = open_ticket(school.ann.client, subject="Old question")
    school.ann.client.post(ticket_url(closed["id"], "close"))
    school.sue.client.post(ticket_url(low["id"], "assign"), {"assignee": school.tom.user.pk})
    client = school.sue.client
    # when / then
    assert ids(client.get(TICKETS, {"priority": "urgent"})) == {urgent["id"]}
    assert ids(client.get(TICKETS, {"status": "closed"})) == {closed["id"]}
    assert ids(client.get(f"{TICKETS}?status=open&status=answered")) == {urgent["id"], low["id"]}
    assert ids(client.get(TICKETS, {"assignee": school.tom.user.pk})) == {low["id"]}
    assert ids(client.get(TICKETS, {"unassigned": "true"})) == {urgent["id"], closed["id"]}
    assert ids(client.get(TICKETS, {"search": "payment"})) == {urgent["id"]}


def test_filters_never_widen_what_a_user_may_see(school: School) -> None:
    # given
    open_ticket(school.ann.client, priority="urgent")
    # when
    response = school.bob.client.get(TICKETS, {"priority": "urgent", "created_by": str(school.ann.user.pk)})
    # then
    assert ids(response) == set()


@pytest.mark.parametrize(
    "query",
    [
        {"status": "pending"},
        {"priority": "critical"},
        {"assignee": "tom"},
        {"assignee": "1.5"},
        {"assignee": "0"},
        {"unassigned": "maybe"},
        {"assignee": str(2**70)},
    ],
)
def test_an_invalid_filter_value_answers_400_in_the_error_shape(school: School, query: dict[str, str]) -> None:
    # when
    response = school.sue.client.get(TICKETS, query)
    # then
    assert response.status_code == 400
    assert error_code(response) == "validation_error"


def test_the_list_shows_the_most_recently_active_ticket_first_and_can_be_reordered(school: School) -> None:
    # given
    first = open_ticket(school.ann.client, subject="First")
    second = open_ticket(school.ann.client, subject="Second")
    school.ann.client.post(ticket_url(first["id"], "messages"), {"body": "bump"})
    # when
    default = school.ann.client.get(TICKETS).json()["results"]
    by_creation = school.ann.client.get(TICKETS, {"ordering": "-created_at"}).json()["results"]
    # then
    assert [t["id"] for t in default] == [first["id"], second["id"]]
    assert [t["id"] for t in by_creation] == [second["id"], first["id"]]
    assert default[0]["message_count"] == 2
