"""Attacks on the writing order files and messages apps: another user's order's files and thread
(IDOR), through the order's endpoints and the shared ``/api/v1/files/`` one; another site's ids
(golf's on hotel); mass assignment of a file's uploader, role and order and of a message's author,
role and masking; bodies of the wrong shape.

The site is ``golf`` with the people of ``make_writing``. The victim: carl's order, assigned to
will, with carl's attachment, will's draft and carl's message, each carrying ``SECRET``. Attackers:
client ``cleo``, writer ``wren`` (not its writer), editor ``eddie`` (it is not in review),
anonymous, and hotel's admin sending golf's ids to hotel. Each gets exactly the answer a
nonexistent id gets, never the secret, and nothing changes.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.files.models import OrderFile
from tenant_apps.writing.files.services import order_file_add
from tenant_apps.writing.messages.models import OrderMessage
from tenant_apps.writing.messages.services import order_message_post
from tests.api import error_code
from tests.factories import PDF, OrderFactory
from tests.fixture_types import ClientFor, JsonResponse, Login
from tests.tenant_apps.writing.conftest import Writing, make_writing

SECRET = "golf-files-secret-41c9"
MISSING_INT = 987_654_321
MISSING_UUID = uuid.UUID("00000000-0000-4000-8000-000000000000")
ATTACKERS: list[str | None] = ["cleo", "wren", "eddie", None]

#: (method, path with {order} and {file}, body, format): every endpoint taking an order's id.
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None, str]] = [
    ("get", "/api/v1/orders/{order}/files/", None, "json"),
    ("post", "/api/v1/orders/{order}/files/", {"category": "attachment"}, "multipart"),
    ("get", "/api/v1/orders/{order}/files/{file}/", None, "json"),
    ("delete", "/api/v1/orders/{order}/files/{file}/", None, "json"),
    ("get", "/api/v1/orders/{order}/messages/", None, "json"),
    ("post", "/api/v1/orders/{order}/messages/", {"body": "hello"}, "json"),
]


@pytest.fixture
def writing(golf: Tenant, client_for: ClientFor, login: Login) -> Writing:
    return make_writing(golf, client_for, login)


@pytest.fixture
def victim(writing: Writing) -> dict[str, Any]:
    """carl's order assigned to will: carl's attachment, will's draft, carl's message."""
    with tenant_context(writing.tenant):
        order = OrderFactory(client=writing.carl, writer=writing.will, topic=f"Thesis {SECRET}", assigned=True)
        attachment = order_file_add(
            actor=writing.carl, order=order, upload=SimpleUploadedFile(f"{SECRET}.pdf", PDF), category="attachment"
        )
        draft = order_file_add(
            actor=writing.will, order=order, upload=SimpleUploadedFile(f"draft-{SECRET}.pdf", PDF), category="draft"
        )
        order_message_post(actor=writing.carl, order=order, body=f"My notes: {SECRET}")
    return {"order": order, "attachment": attachment, "draft": draft}


def send(client: APIClient, method: str, path: str, order: int, file: int, body: Any, fmt: str) -> JsonResponse:
    url = path.format(order=order, file=file)
    if body is not None:
        if fmt == "multipart":
            body = {**body, "file": SimpleUploadedFile("x.pdf", PDF)}
        return getattr(client, method)(url, body, format=fmt)  # type: ignore[no-any-return]
    return getattr(client, method)(url)  # type: ignore[no-any-return]


def answer(response: JsonResponse) -> tuple[int, str]:
    return response.status_code, error_code(response)


def state_of(writing: Writing, order_id: int) -> Any:
    with tenant_context(writing.tenant):
        return (
            list(OrderFile.objects.filter(order_id=order_id).values()),
            list(OrderMessage.objects.filter(order_id=order_id).values()),
        )


@pytest.mark.parametrize("attacker", ATTACKERS)
@pytest.mark.parametrize(("method", "path", "body", "fmt"), ENDPOINTS, ids=[f"{m}-{p}" for m, p, _, _ in ENDPOINTS])
def test_another_users_order_files_and_thread_answer_like_nonexistent_ones(
    writing: Writing, victim: dict[str, Any], attacker: str | None, method: str, path: str, body: Any, fmt: str
) -> None:
    # given carl's order, assigned to will, with files and a message
    order, attachment = victim["order"], victim["attachment"]
    before = state_of(writing, order.pk)
    client = writing.client(attacker)
    # when the attacker uses its ids, then ones that do not exist
    response = send(client, method, path, order.pk, attachment.pk, body, fmt)
    nonexistent = send(client, method, path, MISSING_INT, MISSING_INT, body, fmt)
    # then the same answer, no secret, no change
    assert answer(response) == answer(nonexistent), response.content
    assert response.status_code in {401, 404}
    assert SECRET not in response.content.decode()
    assert state_of(writing, order.pk) == before


@pytest.mark.parametrize("attacker", ATTACKERS)
@pytest.mark.parametrize("which", ["attachment", "draft"])
def test_another_users_stored_files_answer_like_nonexistent_ones(
    writing: Writing, victim: dict[str, Any], attacker: str | None, which: str
) -> None:
    client = writing.client(attacker)
    response = client.get(f"/api/v1/files/{victim[which].file_id}/")
    nonexistent = client.get(f"/api/v1/files/{MISSING_UUID}/")
    assert answer(response) == answer(nonexistent), response.content
    assert SECRET not in response.content.decode()


def test_the_client_never_reaches_the_draft_of_her_own_order(writing: Writing, victim: dict[str, Any]) -> None:
    carl = writing.client("carl")
    order, draft = victim["order"], victim["draft"]
    for url in (f"/api/v1/orders/{order.pk}/files/{draft.pk}/", f"/api/v1/files/{draft.file_id}/"):
        assert answer(carl.get(url)) == (404, "not_found"), url
    assert carl.delete(f"/api/v1/orders/{order.pk}/files/{draft.pk}/").status_code == 404
    assert f"draft-{SECRET}" not in carl.get(f"/api/v1/orders/{order.pk}/files/").content.decode()


@pytest.fixture
def hotel_admin(hotel: Tenant, client_for: ClientFor, login: Login) -> APIClient:
    return client_for(hotel, login(hotel, "admin@hotel.test")["access"])


@pytest.mark.parametrize(("method", "path", "body", "fmt"), ENDPOINTS, ids=[f"{m}-{p}" for m, p, _, _ in ENDPOINTS])
def test_golfs_ids_on_hotel_never_reach_golfs_files_or_messages(
    writing: Writing, victim: dict[str, Any], hotel_admin: APIClient, method: str, path: str, body: Any, fmt: str
) -> None:
    order, attachment = victim["order"], victim["attachment"]
    before = state_of(writing, order.pk)
    response = send(hotel_admin, method, path, order.pk, attachment.pk, body, fmt)
    nonexistent = send(hotel_admin, method, path, MISSING_INT, MISSING_INT, body, fmt)
    assert answer(response) == answer(nonexistent), response.content
    assert SECRET not in response.content.decode()
    assert state_of(writing, order.pk) == before
    assert answer(hotel_admin.get(f"/api/v1/files/{attachment.file_id}/")) == (404, "not_found")
    assert SECRET not in hotel_admin.get("/api/v1/order-messages/flagged/").content.decode()


def test_a_file_takes_its_uploader_role_and_order_from_the_request_only(
    writing: Writing, victim: dict[str, Any]
) -> None:
    # given cleo's own order in progress
    with tenant_context(writing.tenant):
        own = OrderFactory(client=writing.cleo, writer=writing.wren, in_progress=True)
    # when she forges the uploader, the role and the order
    forged = {
        "file": SimpleUploadedFile("mine.pdf", PDF),
        "category": "attachment",
        "uploaded_by": writing.sue.pk,
        "uploader_role": "support",
        "order": victim["order"].pk,
        "created_at": "2020-01-01T00:00:00Z",
    }
    response = writing.client("cleo").post(f"/api/v1/orders/{own.pk}/files/", forged, format="multipart")
    # then
    assert response.status_code == 201, response.content
    with tenant_context(writing.tenant):
        stored = OrderFile.objects.get(pk=response.json()["id"])
    assert (stored.order_id, stored.uploaded_by_id, stored.uploader_role) == (own.pk, writing.cleo.pk, "client")
    assert stored.created_at.year > 2020


def test_a_message_takes_its_author_role_and_masking_from_the_request_only(writing: Writing) -> None:
    with tenant_context(writing.tenant):
        own = OrderFactory(client=writing.cleo, writer=writing.wren, in_progress=True)
    forged = {
        "body": "reach me: cleo@example.com",
        "author": writing.sue.pk,
        "author_role": "support",
        "masked": False,
        "original_body": "nothing to see",
        "order": 1,
    }
    response = writing.client("cleo").post(f"/api/v1/orders/{own.pk}/messages/", forged, format="json")
    assert response.status_code == 201, response.content
    with tenant_context(writing.tenant):
        stored = OrderMessage.objects.get(pk=response.json()["id"])
    assert (stored.order_id, stored.author_id, stored.author_role) == (own.pk, writing.cleo.pk, "client")
    assert (stored.masked, stored.body, stored.original_body) == (
        True,
        "reach me: [hidden]",
        "reach me: cleo@example.com",
    )


BAD_MESSAGES: list[Any] = [
    {"body": 12345},
    {"body": ["x"]},
    {"body": None},
    {"body": {"a": 1}},
    {"body": ""},
    {"body": "x" * 10_001},
    {"attachments": ["not-a-file"]},
    {"attachments": "x"},
    {},
    [],
]


@pytest.mark.parametrize("bad", BAD_MESSAGES, ids=[str(i) for i in range(len(BAD_MESSAGES))])
def test_a_message_of_the_wrong_shape_is_a_400(writing: Writing, bad: Any) -> None:
    with tenant_context(writing.tenant):
        own = OrderFactory(client=writing.cleo, writer=writing.wren, in_progress=True)
    response = writing.client("cleo").post(f"/api/v1/orders/{own.pk}/messages/", bad, format="json")
    assert response.status_code == 400, response.content
    assert error_code(response) == "validation_error"
    with tenant_context(writing.tenant):
        assert not OrderMessage.objects.filter(order=own).exists()
