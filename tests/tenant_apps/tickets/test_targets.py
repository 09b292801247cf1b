"""Linking a ticket to an object of the site: only registered models, only existing objects the
user may link, and only models that exist on this kind of site."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tenant_apps.files.models import StoredFile
from tenant_apps.tickets.targets import register_ticket_target, unregister_ticket_target
from tests.fixture_types import ApiResponse
from tests.tenant_apps.tickets.conftest import TICKETS, School, error_code, ids, open_ticket, upload


def _target_error(response: ApiResponse) -> dict[str, Any]:
    assert response.status_code == 400, response.content
    assert error_code(response) == "invalid_target"
    return response.json()["error"]["details"]["target"]


def test_a_ticket_links_to_an_object_of_a_registered_model(
    school: School, stored_file_target: type[StoredFile]
) -> None:
    # given
    file_id = upload(school.ann.client)
    # when
    ticket = open_ticket(school.ann.client, target={"type": "files.storedfile", "id": file_id})
    # then
    assert ticket["target"] == {"type": "files.storedfile", "id": file_id}
    about_it = school.sue.client.get(TICKETS, {"target_type": "files.storedfile", "target_id": file_id})
    assert ids(about_it) == {ticket["id"]}


def test_a_ticket_without_target_is_general(school: School) -> None:
    # when
    ticket = open_ticket(school.ann.client, target=None)
    # then
    assert ticket["target"] is None


def test_an_unregistered_type_is_refused(school: School) -> None:
    # when
    response = school.ann.client.post(
        TICKETS, {"subject": "S", "body": "B", "target": {"type": "files.storedfile", "id": str(uuid.uuid4())}}
    )
    # then
    assert "type" in _target_error(response)


@pytest.mark.parametrize(
    "target_id", [str(uuid.uuid4()), "not-a-uuid", "0", " "], ids=["missing", "malformed", "integer", "blank"]
)
def test_an_id_that_names_no_object_is_refused(
    school: School, stored_file_target: type[StoredFile], target_id: str
) -> None:
    # when
    response = school.ann.client.post(
        TICKETS, {"subject": "S", "body": "B", "target": {"type": "files.storedfile", "id": target_id}}
    )
    # then
    assert response.status_code == 400
    assert error_code(response) in {"invalid_target", "validation_error"}
    assert school.ann.client.get(TICKETS).json()["count"] == 0


def test_an_object_the_user_may_not_link_is_answered_like_a_missing_one(school: School) -> None:
    # given
    from tenant_apps.files.models import StoredFile

    register_ticket_target(StoredFile, can_link=lambda user, stored: stored.uploaded_by_id == user.pk)
    try:
        bobs_file = upload(school.bob.client)
        # when
        not_allowed = school.ann.client.post(
            TICKETS, {"subject": "S", "body": "B", "target": {"type": "files.storedfile", "id": bobs_file}}
        )
        missing = school.ann.client.post(
            TICKETS, {"subject": "S", "body": "B", "target": {"type": "files.storedfile", "id": str(uuid.uuid4())}}
        )
    finally:
        unregister_ticket_target(StoredFile)
    # then
    assert _target_error(not_allowed).keys() == _target_error(missing).keys() == {"id"}
    assert not_allowed.json()["error"]["message"] == missing.json()["error"]["message"]


def test_a_registered_model_of_an_app_this_kind_does_not_have_is_an_unknown_type(school: School) -> None:
    # given: tenancy.Domain lives in the public schema only, which a tenant's search path still reaches
    from shared_apps.tenancy.models import Domain

    register_ticket_target(Domain)
    try:
        # when
        response = school.ann.client.post(
            TICKETS, {"subject": "S", "body": "B", "target": {"type": "tenancy.domain", "id": "1"}}
        )
    finally:
        unregister_ticket_target(Domain)
    # then
    assert "type" in _target_error(response)
