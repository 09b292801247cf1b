"""Who reads and writes an order's thread, and what they see of each other: the client, the
assigned writer, editors who see the order, support and admins; a pool writer meets a 404. Authors
are shown by role to everyone but support and admins; every message notifies the order's other
parties without naming the client to the writer.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from tenant_apps.notifications.models import Notification
from tests.factories import PDF
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.messages.conftest import messages_url, post
from tests.tenant_apps.writing.orders.conftest import make_order

PEOPLE = ("cleo", "carl", "wren", "will", "eddie", "sue", "admin")


def _statuses(writing: Writing, order_id: int) -> dict[str, tuple[int, int]]:
    """Each person's (GET, POST) status on the order's thread."""
    return {
        who: (
            writing.client(who).get(messages_url(order_id)).status_code,
            post(writing, who, order_id, f"Hello from {who}").status_code,
        )
        for who in PEOPLE
    }


def test_the_thread_of_an_order_in_progress(writing: Writing) -> None:
    order = make_order(writing, "in_progress")
    assert _statuses(writing, order.pk) == {
        "cleo": (200, 201),
        "carl": (404, 404),
        "wren": (200, 201),
        "will": (404, 404),
        "eddie": (404, 404),
        "sue": (200, 201),
        "admin": (200, 201),
    }
    assert writing.client(None).get(messages_url(order.pk)).status_code == 401


def test_a_pool_writer_sees_the_order_but_not_its_thread(writing: Writing) -> None:
    order = make_order(writing, "available", writer=None, editor=None)
    assert writing.client("will").get(f"/api/v1/orders/{order.pk}/").status_code == 200
    assert _statuses(writing, order.pk)["will"] == (404, 404)
    assert _statuses(writing, order.pk)["wren"] == (404, 404)


def test_editors_join_the_thread_in_review_and_keep_it_once_they_reviewed(writing: Writing) -> None:
    in_review = make_order(writing, "in_review")
    delivered = make_order(writing, "delivered")
    assert _statuses(writing, in_review.pk)["eddie"] == (200, 201)
    assert _statuses(writing, delivered.pk)["eddie"] == (200, 201)


def test_authors_are_shown_by_role_except_to_staff(writing: Writing) -> None:
    # given
    order = make_order(writing, "in_progress")
    post(writing, "cleo", order.pk, "Please use Chicago style.")
    post(writing, "wren", order.pk, "Will do.")
    post(writing, "sue", order.pk, "Support here.")
    # then wren sees roles, never cleo's name or id
    seen = writing.client("wren").get(messages_url(order.pk)).json()["results"]
    assert [(m["author_role"], m["author"], m["body"]) for m in seen] == [
        ("client", None, "Please use Chicago style."),
        ("writer", None, "Will do."),
        ("support", None, "Support here."),
    ]
    assert "Cleo" not in str(seen) and str(writing.cleo.pk) not in [str(m["author"]) for m in seen]
    # and support sees who wrote what
    staff = writing.client("sue").get(messages_url(order.pk)).json()["results"]
    assert [m["author"]["full_name"] for m in staff] == ["Cleo Client", "Wren Writer", "Sue Support"]


def test_a_message_notifies_the_other_parties_without_the_clients_name(writing: Writing) -> None:
    # given a delivered order (wren wrote it, eddie delivered it)
    order = make_order(writing, "delivered")
    # when cleo writes
    post(writing, "cleo", order.pk, "Thanks, one question.")
    # then wren and eddie hear of it, by role; cleo does not
    with tenant_context(writing.tenant):
        heard = list(Notification.objects.filter(verb="writing_order.message", object_id=str(order.pk)))
    assert {n.recipient_id for n in heard} == {writing.wren.pk, writing.eddie.pk}
    for notification in heard:
        assert notification.extra_data["author_role"] == "client"
        assert "Cleo" not in str(notification.extra_data) and "cleo@" not in str(notification.extra_data)


def test_attachments_are_read_by_the_thread_only(writing: Writing) -> None:
    # given cleo's message with a PDF (multipart)
    order = make_order(writing, "in_progress")
    response = writing.client("cleo").post(
        messages_url(order.pk),
        {"body": "My sources", "attachments": [SimpleUploadedFile("sources.pdf", PDF)]},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    stored = response.json()["attachments"][0]
    assert stored["original_name"] == "sources.pdf"
    # then the thread reads it through the shared files API; others meet a 404
    for who, expected in (("wren", 200), ("sue", 200), ("will", 404), ("carl", 404), ("eddie", 404)):
        assert writing.client(who).get(f"/api/v1/files/{stored['id']}/").status_code == expected, who


def test_an_empty_or_oversized_message_is_a_400(writing: Writing) -> None:
    order = make_order(writing, "in_progress")
    assert post(writing, "cleo", order.pk, "   ").status_code == 400
    assert post(writing, "cleo", order.pk, "x" * 10_001).status_code == 400
    client = writing.client("cleo")
    assert client.post(messages_url(order.pk), {"body": 5}, format="json").status_code == 400
    many = [SimpleUploadedFile(f"f{i}.pdf", PDF) for i in range(6)]
    assert client.post(messages_url(order.pk), {"attachments": many}, format="multipart").status_code == 400
    assert client.get(messages_url(order.pk)).json()["results"] == []
