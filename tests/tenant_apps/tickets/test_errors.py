"""Anything a client can send gets a clear 4xx in the one error shape, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixture_types import ClientFor
from tests.tenant_apps.tickets.conftest import TICKETS, School, error_code, open_ticket, ticket_url

VALID = {"subject": "Help", "body": "Please."}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "subject"),
        ({**VALID, "subject": ""}, "subject"),
        ({**VALID, "subject": "x" * 201}, "subject"),
        ({**VALID, "subject": "nul\x00byte"}, "subject"),
        ({**VALID, "body": "   "}, "body"),
        ({**VALID, "body": "x" * 10_001}, "body"),
        ({**VALID, "priority": "critical"}, "priority"),
        ({**VALID, "target": "files.storedfile"}, "target"),
        ({**VALID, "target": {"type": "files.storedfile"}}, "target"),
        ({**VALID, "attachments": "abc"}, "attachments"),
        ({**VALID, "attachments": ["not-a-uuid"]}, "attachments"),
        ({**VALID, "attachments": [{"id": 1}]}, "attachments"),
    ],
    ids=[
        "empty",
        "blank-subject",
        "long-subject",
        "nul",
        "blank-body",
        "long-body",
        "priority",
        "target-string",
        "target-without-id",
        "attachments-string",
        "attachment-not-uuid",
        "attachment-object",
    ],
)
def test_an_invalid_new_ticket_is_refused_with_the_field_named(
    school: School, body: dict[str, Any], field: str
) -> None:
    # when
    response = school.ann.client.post(TICKETS, body)
    # then
    assert response.status_code == 400, response.content
    assert error_code(response) == "validation_error"
    assert field in response.json()["error"]["details"]


def test_a_json_body_that_is_not_an_object_is_a_validation_error(school: School) -> None:
    # when
    response = school.ann.client.post(TICKETS, ["subject"])
    # then
    assert response.status_code == 400
    assert error_code(response) == "validation_error"


def test_malformed_json_is_a_parse_error(school: School) -> None:
    # when
    response = school.ann.client.post(TICKETS, "{not json", content_type="application/json")
    # then
    assert response.status_code == 400
    assert error_code(response) == "parse_error"


def test_a_form_post_is_refused_as_an_unsupported_media_type(school: School) -> None:
    # when
    response = school.ann.client.post(TICKETS, VALID, format="multipart")
    # then
    assert response.status_code == 415
    assert error_code(response) == "unsupported_media_type"


def test_line_breaks_in_the_subject_become_spaces(school: School) -> None:
    # when
    ticket = open_ticket(school.ann.client, subject="Broken\r\nBcc: someone@example.com  now")
    # then
    assert ticket["subject"] == "Broken Bcc: someone@example.com now"


@pytest.mark.parametrize("body", [{}, {"body": ""}, {"body": "ok", "attachments": ["nope"]}, {"body": None}])
def test_an_invalid_reply_is_refused(school: School, body: dict[str, Any]) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    # when
    response = school.ann.client.post(ticket_url(ticket["id"], "messages"), body)
    # then
    assert response.status_code == 400
    assert error_code(response) == "validation_error"


@pytest.mark.parametrize("body", [{}, {"assignee": "tom"}, {"assignee": 0}, {"assignee": 2**70}, {"assignee": 1.5}])
def test_an_invalid_assignment_is_refused(school: School, body: dict[str, Any]) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    # when
    response = school.sue.client.post(ticket_url(ticket["id"], "assign"), body)
    # then
    assert response.status_code == 400
    assert error_code(response) == "validation_error"


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "abc/"), ("get", f"{10**30}/"), ("post", f"{2**63}/close/"), ("get", "-1/"), ("post", "0/messages/")],
)
def test_a_ticket_id_that_cannot_exist_is_a_json_404(school: School, method: str, path: str) -> None:
    # when
    response = getattr(school.sue.client, method)(f"{TICKETS}{path}", {"body": "x"} if method == "post" else None)
    # then
    assert response.status_code == 404
    assert error_code(response) == "not_found"


@pytest.mark.parametrize(
    ("method", "action"), [("get", "messages"), ("get", "close"), ("put", None), ("patch", None), ("delete", None)]
)
def test_methods_the_api_does_not_offer_are_refused(school: School, method: str, action: str | None) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    # when
    response = getattr(school.ann.client, method)(ticket_url(ticket["id"], action))
    # then
    assert response.status_code == 405
    assert error_code(response) == "method_not_allowed"


def test_anonymous_requests_are_refused(school: School, client_for: ClientFor) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    anonymous = client_for(school.tenant)
    # when
    responses = [anonymous.get(TICKETS), anonymous.post(TICKETS, VALID), anonymous.get(ticket_url(ticket["id"]))]
    # then
    for response in responses:
        assert response.status_code == 401
        assert error_code(response) == "not_authenticated"
