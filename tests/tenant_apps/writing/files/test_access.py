"""Who reads and adds which files of an order, through the API: attachments for whoever sees the
order (the writers' pool included), drafts never for the client, finals for the client only once
delivered; a file someone may not read is a 404 in the order's list, its detail and the shared
``/api/v1/files/`` endpoints alike. The client stays anonymous to writers and editors.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django_tenants.utils import tenant_context

from tenant_apps.notifications.models import Notification
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.files.conftest import PDF, file_url, files_url, upload, walk
from tests.tenant_apps.writing.orders.conftest import error_code, make_order

PEOPLE = ("cleo", "carl", "wren", "will", "eddie", "sue", "admin")


def _listed(writing: Writing, who: str, order_id: int) -> list[str]:
    response = writing.client(who).get(files_url(order_id))
    if response.status_code != 200:
        return [str(response.status_code)]
    return [item["category"] for item in response.json()["results"]]


def test_an_attachment_is_read_by_whoever_sees_the_order_the_pool_included(writing: Writing) -> None:
    # given an available order (no writer yet)
    order = make_order(writing, "available", writer=None, editor=None)
    # when its client attaches her notes
    added = upload(writing, "cleo", order, "attachment", name="notes.pdf")
    # then
    assert added.status_code == 201, added.json()
    body = added.json()
    assert (body["category"], body["uploader_role"], body["original_name"]) == ("attachment", "client", "notes.pdf")
    assert body["uploaded_by"] == {"id": writing.cleo.pk, "full_name": "Cleo Client"}
    seen = {who: _listed(writing, who, order.pk) for who in PEOPLE}
    assert seen == {
        "cleo": ["attachment"],
        "carl": ["404"],
        "wren": ["attachment"],
        "will": ["attachment"],
        "eddie": ["404"],
        "sue": ["attachment"],
        "admin": ["attachment"],
    }
    # and the writers of the pool do not learn who the client is
    pool_view = writing.client("will").get(files_url(order.pk, body["id"])).json()
    assert pool_view["uploaded_by"] is None and pool_view["uploader_role"] == "client"
    assert "Cleo" not in str(writing.client("will").get(files_url(order.pk)).json())


def test_a_draft_is_never_the_clients(writing: Writing) -> None:
    # given an order in progress with wren's draft
    order = make_order(writing, "in_progress")
    draft = upload(writing, "wren", order, "draft").json()
    # then the client lists nothing and meets 404s, in the order and in the shared files API
    assert _listed(writing, "cleo", order.pk) == []
    assert writing.client("cleo").get(files_url(order.pk, draft["id"])).status_code == 404
    assert writing.client("cleo").get(file_url(draft["file"])).status_code == 404
    # and the writer, support and admins read it (eddie does not see the order before review)
    for who in ("wren", "sue", "admin"):
        assert writing.client(who).get(files_url(order.pk, draft["id"])).status_code == 200, who
        assert writing.client(who).get(file_url(draft["file"])).status_code == 200, who
    assert writing.client("eddie").get(file_url(draft["file"])).status_code == 404
    assert writing.client("will").get(file_url(draft["file"])).status_code == 404


def test_the_editor_reads_drafts_while_reviewing(writing: Writing) -> None:
    # given wren's draft, then the order submitted
    order = make_order(writing, "in_progress")
    draft = upload(writing, "wren", order, "draft").json()
    walk(writing, order, "submit")
    # then eddie, reviewing, reads it
    assert _listed(writing, "eddie", order.pk) == ["draft"]
    assert writing.client("eddie").get(file_url(draft["file"])).status_code == 200


def test_the_client_reads_the_final_only_once_delivered(writing: Writing) -> None:
    # given wren's final, the order in review
    order = make_order(writing, "in_progress")
    final = upload(writing, "wren", order, "final").json()
    walk(writing, order, "submit")
    # then cleo cannot read it yet
    assert _listed(writing, "cleo", order.pk) == []
    assert writing.client("cleo").get(files_url(order.pk, final["id"])).status_code == 404
    assert writing.client("cleo").get(file_url(final["file"])).status_code == 404
    # when eddie delivers
    walk(writing, order, "deliver")
    # then she lists it, reads it and downloads its bytes
    assert _listed(writing, "cleo", order.pk) == ["final"]
    detail = writing.client("cleo").get(files_url(order.pk, final["id"])).json()
    url = urlsplit(detail["download_url"])
    downloaded = writing.client(None).get(f"{url.path}?{url.query}")
    assert downloaded.status_code == 200
    assert b"".join(downloaded.streaming_content) == PDF  # type: ignore[attr-defined]
    assert writing.client("cleo").get(file_url(final["file"])).status_code == 200


@pytest.mark.parametrize(
    ("steps", "status", "client_reads"),
    [
        ((), "in_review", False),
        (("deliver",), "delivered", True),
        (("deliver", "revision"), "revision_requested", True),
        (("deliver", "revision", "start", "submit"), "in_review", False),
        (("deliver", "approve"), "completed", True),
    ],
)
def test_the_final_reaches_the_client_in_the_delivered_statuses(
    writing: Writing, steps: tuple[str, ...], status: str, client_reads: bool
) -> None:
    # given eddie's final on an order in review
    order = make_order(writing, "in_review")
    final = upload(writing, "eddie", order, "final")
    assert final.status_code == 201, final.json()
    assert final.json()["uploader_role"] == "editor"
    # when the order moves on
    assert walk(writing, order, *steps).status == status
    # then
    assert (_listed(writing, "cleo", order.pk) == ["final"]) is client_reads
    assert _listed(writing, "carl", order.pk) == ["404"]


@pytest.mark.parametrize(
    ("status", "who", "category", "expected"),
    [
        ("unpaid", "cleo", "attachment", 201),
        ("delivered", "cleo", "attachment", 201),
        ("completed", "cleo", "attachment", 409),
        ("cancelled", "cleo", "attachment", 409),
        ("in_progress", "sue", "attachment", 201),
        ("available", "will", "attachment", 403),
        ("in_progress", "wren", "attachment", 403),
        ("in_progress", "cleo", "draft", 403),
        ("in_progress", "cleo", "final", 403),
        ("assigned", "wren", "draft", 201),
        ("revision_requested", "wren", "final", 201),
        ("in_review", "wren", "draft", 409),
        ("delivered", "wren", "final", 409),
        ("in_progress", "eddie", "final", 404),
        ("in_review", "eddie", "final", 201),
        ("in_review", "eddie", "draft", 403),
        ("in_review", "admin", "final", 201),
        ("in_progress", "carl", "attachment", 404),
    ],
)
def test_who_adds_which_file_when(writing: Writing, status: str, who: str, category: str, expected: int) -> None:
    # given
    order = make_order(writing, status)
    # when
    response = upload(writing, who, order, category)
    # then
    assert response.status_code == expected, response.json()
    if expected == 409:
        assert error_code(response) == "conflict"


def test_a_bad_upload_is_a_4xx_and_stores_nothing(writing: Writing) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    order = make_order(writing, "available", writer=None, editor=None)
    url = files_url(order.pk)
    client = writing.client("cleo")
    assert client.post(url, {"category": "attachment"}, format="multipart").status_code == 400
    empty = SimpleUploadedFile("empty.pdf", b"")
    assert client.post(url, {"file": empty, "category": "attachment"}, format="multipart").status_code == 400
    exe = SimpleUploadedFile("run.exe", b"MZ\x90\x00" + b"\x00" * 64)
    assert client.post(url, {"file": exe, "category": "attachment"}, format="multipart").status_code == 415
    pdf = SimpleUploadedFile("a.pdf", PDF)
    assert client.post(url, {"file": pdf, "category": "secret"}, format="multipart").status_code == 400
    assert client.post(url, {"category": "attachment"}, format="json").status_code == 415
    assert _listed(writing, "cleo", order.pk) == []


def test_the_uploader_or_an_admin_removes_an_attachment_or_a_draft_before_delivery(writing: Writing) -> None:
    # given cleo's attachment and wren's draft and final on an order in progress
    order = make_order(writing, "in_progress")
    attachment = upload(writing, "cleo", order, "attachment").json()
    draft = upload(writing, "wren", order, "draft").json()
    final = upload(writing, "wren", order, "final").json()
    # then nobody else removes them, and the final stays
    assert writing.client("wren").delete(files_url(order.pk, attachment["id"])).status_code == 403
    assert writing.client("sue").delete(files_url(order.pk, draft["id"])).status_code == 403
    assert writing.client("cleo").delete(files_url(order.pk, draft["id"])).status_code == 404
    assert writing.client("wren").delete(files_url(order.pk, final["id"])).status_code == 403
    # when the uploader and an admin remove theirs
    assert writing.client("cleo").delete(files_url(order.pk, attachment["id"])).status_code == 204
    assert writing.client("admin").delete(files_url(order.pk, draft["id"])).status_code == 204
    # then
    assert _listed(writing, "admin", order.pk) == ["final"]
    assert writing.client("wren").get(file_url(attachment["file"])).status_code == 404


def test_files_stay_once_delivered(writing: Writing) -> None:
    order = make_order(writing, "in_progress")
    attachment = upload(writing, "cleo", order, "attachment").json()
    walk(writing, order, "submit", "deliver")
    response = writing.client("cleo").delete(files_url(order.pk, attachment["id"]))
    assert response.status_code == 409 and error_code(response) == "conflict"


def test_the_people_concerned_hear_of_a_file_without_the_clients_name(writing: Writing) -> None:
    # given an order in progress
    order = make_order(writing, "in_progress")
    # when cleo attaches a file, then wren uploads a final
    upload(writing, "cleo", order, "attachment")
    upload(writing, "wren", order, "final")
    # then wren heard of the attachment (by role), the editors of the final, and cleo of nothing
    with tenant_context(writing.tenant):
        heard = {
            (n.recipient_id, n.extra_data["category"])
            for n in Notification.objects.filter(verb="writing_order.file_added", object_id=str(order.pk))
        }
        to_wren = Notification.objects.get(recipient=writing.wren, verb="writing_order.file_added")
    assert (writing.wren.pk, "attachment") in heard
    assert (writing.eddie.pk, "final") in heard
    assert not any(recipient == writing.cleo.pk for recipient, _ in heard)
    assert to_wren.extra_data["uploader_role"] == "client"
    assert "Cleo" not in str(to_wren.extra_data) and "cleo@" not in str(to_wren.extra_data)


def test_each_upload_is_audited_on_the_order(writing: Writing) -> None:
    from tenant_apps.audit.models import AuditLogEntry

    order = make_order(writing, "in_progress")
    added = upload(writing, "wren", order, "draft").json()
    with tenant_context(writing.tenant):
        entry = AuditLogEntry.objects.get(verb="writing_order.file_added", target_id=str(order.pk))
    assert entry.changes["file"] == added["file"] and entry.changes["category"] == "draft"


def test_an_order_nobody_may_see_has_no_files(writing: Writing) -> None:
    order = make_order(writing, "in_progress")
    upload(writing, "cleo", order, "attachment")
    assert writing.client("carl").get(files_url(order.pk)).status_code == 404
    assert writing.client("will").get(files_url(order.pk)).status_code == 404
    assert writing.client(None).get(files_url(order.pk)).status_code == 401
    assert writing.client("admin").get(files_url(10**9)).status_code == 404
