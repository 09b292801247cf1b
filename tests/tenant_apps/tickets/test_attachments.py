"""Attachments: ids of files the author uploaded; whoever may view the ticket may read them,
nobody else."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from tests.tenant_apps.tickets.conftest import FILES, School, error_code, open_ticket, ticket_url, upload


def _can_read(client: APIClient, file_id: str) -> bool:
    response = client.get(f"{FILES}{file_id}/")
    assert response.status_code in (200, 404), response.content
    return response.status_code == 200


def test_a_ticket_carries_its_creators_uploaded_files_and_shows_them_with_a_download_link(
    school: School,
) -> None:
    # given
    file_id = upload(school.ann.client, "screenshot.txt")
    # when
    ticket = open_ticket(school.ann.client, attachments=[file_id])
    # then
    attachments = ticket["messages"][0]["attachments"]
    assert [(a["id"], a["original_name"]) for a in attachments] == [(file_id, "screenshot.txt")]
    assert "/download/?signature=" in attachments[0]["url"]


def test_a_reply_may_carry_only_files(school: School) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    file_id = upload(school.sue.client, "steps.txt")
    # when
    response = school.sue.client.post(ticket_url(ticket["id"], "messages"), {"attachments": [file_id]})
    # then
    assert response.status_code == 201, response.content
    assert response.json()["body"] == ""
    assert [a["id"] for a in response.json()["attachments"]] == [file_id]


def test_someone_elses_file_or_an_unknown_id_is_refused_and_nothing_is_created(school: School) -> None:
    # given
    bobs_file = upload(school.bob.client)
    ticket = open_ticket(school.ann.client)
    # when
    on_create = school.ann.client.post("/api/v1/tickets/", {"subject": "S", "body": "B", "attachments": [bobs_file]})
    on_reply = school.ann.client.post(
        ticket_url(ticket["id"], "messages"), {"body": "see file", "attachments": [str(uuid.uuid4())]}
    )
    # then
    assert on_create.status_code == on_reply.status_code == 400
    assert error_code(on_create) == error_code(on_reply) == "invalid_attachment"
    listed = school.ann.client.get("/api/v1/tickets/").json()
    assert listed["count"] == 1
    assert len(school.ann.client.get(ticket_url(ticket["id"])).json()["messages"]) == 1
    assert not _can_read(school.ann.client, bobs_file)


@pytest.mark.parametrize(
    ("reader", "allowed"),
    [
        ("ann", True),
        ("sue", True),
        ("admin", True),
        ("tom", True),
        ("bob", False),
        ("tia", False),
    ],
    ids=["creator", "support", "admin", "assignee", "stranger", "other-teacher"],
)
def test_an_attachment_is_readable_by_whoever_may_view_the_ticket_only(
    school: School, reader: str, allowed: bool
) -> None:
    # given
    file_id = upload(school.ann.client)
    ticket = open_ticket(school.ann.client, attachments=[file_id])
    school.sue.client.post(ticket_url(ticket["id"], "assign"), {"assignee": school.tom.user.pk})
    # when
    readable = _can_read(getattr(school, reader).client, file_id)
    # then
    assert readable is allowed


def test_a_reply_attachment_becomes_readable_by_the_creator(school: School) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    file_id = upload(school.sue.client, "answer.txt")
    before = _can_read(school.ann.client, file_id)
    # when
    school.sue.client.post(ticket_url(ticket["id"], "messages"), {"body": "see", "attachments": [file_id]})
    # then
    assert before is False
    assert _can_read(school.ann.client, file_id)
    assert not _can_read(school.bob.client, file_id)


def test_the_old_assignee_can_no_longer_read_the_attachments(school: School) -> None:
    # given
    file_id = upload(school.ann.client)
    ticket = open_ticket(school.ann.client, attachments=[file_id])
    school.sue.client.post(ticket_url(ticket["id"], "assign"), {"assignee": school.tom.user.pk})
    readable_while_assigned = _can_read(school.tom.client, file_id)
    # when
    school.sue.client.post(ticket_url(ticket["id"], "assign"), {"assignee": school.tia.user.pk})
    # then
    assert readable_while_assigned
    assert not _can_read(school.tom.client, file_id)
    assert _can_read(school.tia.client, file_id)


def test_the_same_file_id_twice_is_attached_once(school: School) -> None:
    # given
    file_id = upload(school.ann.client)
    # when
    ticket = open_ticket(school.ann.client, attachments=[file_id, file_id])
    # then
    assert [a["id"] for a in ticket["messages"][0]["attachments"]] == [file_id]


def test_more_than_ten_files_on_one_message_are_refused(school: School) -> None:
    # given
    file_ids = [upload(school.ann.client, f"n{i}.txt") for i in range(11)]
    # when
    response = school.ann.client.post("/api/v1/tickets/", {"subject": "S", "body": "B", "attachments": file_ids})
    # then
    assert response.status_code == 400
    assert error_code(response) == "validation_error"
    assert "attachments" in response.json()["error"]["details"]
