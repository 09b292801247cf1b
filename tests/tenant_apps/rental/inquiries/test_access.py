"""Who sees and changes which inquiry: a role matrix over every endpoint, the agents' queue, hosts
kept out of inquiries about their properties, and the list's filters."""

from __future__ import annotations

from typing import Any

import pytest

from tenant_apps.rental.inquiries.models import Inquiry
from tests.api import error_code
from tests.factories import InquiryFactory, PropertyFactory
from tests.tenant_apps.rental.conftest import Rental
from tests.tenant_apps.rental.inquiries.conftest import INQUIRIES, ids, in_rental, inquiry_url

ROLES = ("anonymous", "admin", "cora", "cole", "gia", "gus", "hana")

#: Expected status per endpoint and caller, for gia's inquiry about hana's flat, assigned to cora.
#: (cole: another agent; gus: another guest; hana: the property's host.)
MATRIX: dict[str, dict[str, int]] = {
    "list": {"anonymous": 401, "admin": 200, "cora": 200, "cole": 200, "gia": 200, "gus": 200, "hana": 200},
    "create": {"anonymous": 201, "admin": 201, "cora": 201, "cole": 201, "gia": 201, "gus": 201, "hana": 201},
    "detail": {"anonymous": 401, "admin": 200, "cora": 200, "cole": 404, "gia": 200, "gus": 404, "hana": 404},
    "messages": {"anonymous": 401, "admin": 200, "cora": 200, "cole": 404, "gia": 200, "gus": 404, "hana": 404},
    "message": {"anonymous": 401, "admin": 201, "cora": 201, "cole": 404, "gia": 201, "gus": 404, "hana": 404},
    "assign": {"anonymous": 401, "admin": 200, "cora": 403, "cole": 404, "gia": 403, "gus": 403, "hana": 403},
    "status": {"anonymous": 401, "admin": 200, "cora": 200, "cole": 404, "gia": 403, "gus": 404, "hana": 404},
}
#: Who finds the inquiry in their list.
LISTED = {"admin", "cora", "gia"}


def _assigned_inquiry(rental: Rental) -> Inquiry:
    prop = in_rental(rental, PropertyFactory, host=rental.hana)
    return in_rental(rental, InquiryFactory, author=rental.gia, property=prop, agent=rental.cora, status="assigned")


def _call(rental: Rental, role: str, endpoint: str, inquiry: Inquiry) -> Any:
    client = rental.client(None if role == "anonymous" else role)
    pk = inquiry.pk
    return {
        "list": lambda: client.get(INQUIRIES),
        "create": lambda: client.post(
            INQUIRIES, {"subject": "x", "message": "y", "email": "v@example.test"}, format="json"
        ),
        "detail": lambda: client.get(inquiry_url(pk)),
        "messages": lambda: client.get(inquiry_url(pk, "messages")),
        "message": lambda: client.post(inquiry_url(pk, "messages"), {"body": "Hello"}, format="json"),
        "assign": lambda: client.post(inquiry_url(pk, "assign"), {"agent": rental.cole.pk}, format="json"),
        "status": lambda: client.post(inquiry_url(pk, "status"), {"status": "in_progress"}, format="json"),
    }[endpoint]()


@pytest.mark.parametrize("endpoint", MATRIX)
@pytest.mark.parametrize("role", ROLES)
def test_the_role_matrix(rental: Rental, role: str, endpoint: str) -> None:
    # given
    inquiry = _assigned_inquiry(rental)
    # when
    response = _call(rental, role, endpoint, inquiry)
    # then
    assert response.status_code == MATRIX[endpoint][role], response.content
    if response.status_code >= 400:
        assert error_code(response) in {"not_authenticated", "not_found", "permission_denied"}
    if endpoint == "list" and response.status_code == 200:
        assert (inquiry.pk in ids(response)) == (role in LISTED)


def test_a_hidden_inquiry_answers_like_a_missing_one(rental: Rental) -> None:
    inquiry = _assigned_inquiry(rental)
    gus = rental.client("gus")
    hidden, missing = gus.get(inquiry_url(inquiry.pk)), gus.get(inquiry_url(10**12))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_an_agent_sees_the_queue_and_their_own_not_another_agents(rental: Rental) -> None:
    # given
    queued = in_rental(rental, InquiryFactory, author=rental.gia)
    coras = in_rental(rental, InquiryFactory, author=rental.gia, agent=rental.cora, status="in_progress")
    coles = in_rental(rental, InquiryFactory, author=rental.gus, agent=rental.cole, status="assigned")
    # when
    listed = ids(rental.client("cora").get(INQUIRIES))
    # then
    assert {queued.pk, coras.pk} <= listed and coles.pk not in listed
    assert rental.client("cora").get(inquiry_url(coles.pk)).status_code == 404
    assert rental.client("cora").get(inquiry_url(queued.pk)).status_code == 200


def test_an_agent_claims_a_queued_inquiry_and_the_others_lose_sight_of_it(rental: Rental) -> None:
    # given
    queued = in_rental(rental, InquiryFactory, author=rental.gia)
    cole = rental.client("cole")
    # when cole tries to hand it to cora, then claims it himself
    handed = cole.post(inquiry_url(queued.pk, "assign"), {"agent": rental.cora.pk}, format="json")
    claimed = cole.post(inquiry_url(queued.pk, "assign"), {"agent": rental.cole.pk}, format="json")
    # then
    assert handed.status_code == 403
    assert claimed.status_code == 200
    assert (claimed.json()["status"], claimed.json()["assigned_to"]["id"]) == ("assigned", rental.cole.pk)
    assert rental.client("cora").get(inquiry_url(queued.pk)).status_code == 404
    assert cole.post(inquiry_url(queued.pk, "messages"), {"body": "On it."}, format="json").status_code == 201


def test_an_agent_answers_a_queued_inquiry_only_after_taking_it(rental: Rental) -> None:
    queued = in_rental(rental, InquiryFactory, author=rental.gia)
    response = rental.client("cora").post(inquiry_url(queued.pk, "messages"), {"body": "Hi"}, format="json")
    assert response.status_code == 403 and error_code(response) == "permission_denied"


def test_an_admin_reassigns_and_the_previous_agent_loses_the_inquiry(rental: Rental) -> None:
    # given
    inquiry = in_rental(rental, InquiryFactory, author=rental.gia, agent=rental.cora, status="in_progress")
    # when
    response = rental.client("admin").post(inquiry_url(inquiry.pk, "assign"), {"agent": rental.cole.pk}, format="json")
    # then: back to assigned, cole's now; cora no longer sees it
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["assigned_to"]["id"]) == ("assigned", rental.cole.pk)
    assert rental.client("cora").get(inquiry_url(inquiry.pk)).status_code == 404
    assert rental.client("cole").get(inquiry_url(inquiry.pk)).status_code == 200


@pytest.mark.parametrize("agent", ["gia", "hana", "admin", "missing"])
def test_only_an_active_customer_service_agent_can_be_assigned(rental: Rental, agent: str) -> None:
    inquiry = in_rental(rental, InquiryFactory, author=rental.gus)
    agent_id = 10**12 if agent == "missing" else getattr(rental, agent).pk
    response = rental.client("admin").post(inquiry_url(inquiry.pk, "assign"), {"agent": agent_id}, format="json")
    assert response.status_code == 400 and error_code(response) == "invalid_assignee"


def test_a_resolved_or_closed_inquiry_cannot_be_assigned(rental: Rental) -> None:
    for status in ("resolved", "closed"):
        inquiry = in_rental(rental, InquiryFactory, author=rental.gia, agent=rental.cora, status=status)
        response = rental.client("admin").post(
            inquiry_url(inquiry.pk, "assign"), {"agent": rental.cole.pk}, format="json"
        )
        assert response.status_code == 409 and error_code(response) == "invalid_status_transition"


def test_a_host_sees_the_inquiries_they_wrote_not_those_about_their_property(rental: Rental) -> None:
    # given
    prop = in_rental(rental, PropertyFactory, host=rental.hana)
    about_hers = in_rental(rental, InquiryFactory, author=rental.gia, property=prop)
    hers = in_rental(rental, InquiryFactory, author=rental.hana)
    # when
    listed = ids(rental.client("hana").get(INQUIRIES))
    # then
    assert hers.pk in listed and about_hers.pk not in listed


def test_a_guest_lists_only_their_own(rental: Rental) -> None:
    gias = in_rental(rental, InquiryFactory, author=rental.gia)
    guss = in_rental(rental, InquiryFactory, author=rental.gus)
    visitors = in_rental(rental, InquiryFactory, visitor=True)
    listed = ids(rental.client("gia").get(INQUIRIES))
    assert gias.pk in listed and not {guss.pk, visitors.pk} & listed


def test_the_list_filters(rental: Rental) -> None:
    # given
    new = in_rental(rental, InquiryFactory, author=rental.gia, urgent=True)
    coras = in_rental(rental, InquiryFactory, author=rental.gia, agent=rental.cora, status="assigned", low=True)
    coles = in_rental(rental, InquiryFactory, author=rental.gus, agent=rental.cole, status="resolved")
    admin = rental.client("admin")
    # when, then
    assert ids(admin.get(INQUIRIES, {"status": "new"})) >= {new.pk}
    assert not ids(admin.get(INQUIRIES, {"status": "new"})) & {coras.pk, coles.pk}
    assert ids(admin.get(INQUIRIES, {"severity": ["urgent", "low"]})) >= {new.pk, coras.pk}
    assert ids(admin.get(INQUIRIES, {"assigned_to": rental.cole.pk})) == {coles.pk}
    assert ids(admin.get(INQUIRIES, {"assigned": "none"})) >= {new.pk}
    assert not ids(admin.get(INQUIRIES, {"assigned": "none"})) & {coras.pk, coles.pk}
    assert ids(rental.client("cora").get(INQUIRIES, {"assigned": "me"})) == {coras.pk}
    first = admin.get(INQUIRIES, {"ordering": "created_at"}).json()["results"][0]["id"]
    assert first <= min(new.pk, coras.pk, coles.pk)


@pytest.mark.parametrize(
    "query",
    [
        {"status": "open"},
        {"severity": "critical"},
        {"assigned": "someone"},
        {"assigned_to": "x"},
        {"assigned_to": "0"},
        {"property": "-1"},
        {"booking": "1.5"},
    ],
)
def test_a_bad_filter_value_is_a_validation_error(rental: Rental, query: dict[str, str]) -> None:
    response = rental.client("admin").get(INQUIRIES, query)
    assert response.status_code == 400 and error_code(response) == "validation_error"


def test_an_agent_sees_the_authors_email_a_guest_does_not_see_the_agents(rental: Rental) -> None:
    inquiry = _assigned_inquiry(rental)
    as_agent = rental.client("cora").get(inquiry_url(inquiry.pk)).json()
    as_guest = rental.client("gia").get(inquiry_url(inquiry.pk)).json()
    assert as_agent["created_by"]["email"] == "gia@echo.test"
    assert as_guest["assigned_to"] == {"id": rental.cora.pk, "full_name": "Cora Agent", "email": None}
