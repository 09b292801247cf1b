"""Writers and assignment: in ``admin`` mode writers request an available order and an admin
assigns one of them; in ``first_request`` mode the first request gets it."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from tenant_apps.notifications.models import Notification
from tenant_apps.writing.orders.models import WriterRequest
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import error_code, make_order, order_url, set_settings


def test_in_admin_mode_writers_request_and_an_admin_assigns_one(writing: Writing) -> None:
    # given: an available order, the default admin mode
    order = make_order(writing, "available")
    # when: both writers request it (wren twice)
    for who in ("wren", "will", "wren"):
        response = writing.client(who).post(order_url(order.pk, "request/"))
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "available"
    # then: the admin sees two requests and was told
    requests = writing.client("admin").get(order_url(order.pk, "requests/")).json()
    assert [r["writer"]["full_name"] for r in requests] == ["Wren Writer", "Will Writer"]
    with tenant_context(writing.tenant):
        assert Notification.objects.filter(recipient=writing.admin, verb="writing_order.requested").count() == 2
    # when: the admin assigns will
    response = writing.client("admin").post(order_url(order.pk, "assign/"), {"writer": writing.will.pk}, format="json")
    # then: will has it, and is told; the client too
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["writer"]["id"]) == ("assigned", writing.will.pk)
    with tenant_context(writing.tenant):
        assert Notification.objects.filter(recipient=writing.will, verb="writing_order.assigned").exists()
        assert Notification.objects.filter(recipient=writing.cleo, verb="writing_order.writer_assigned").exists()
    # and a writer who requests it now is refused
    late = writing.client("wren").post(order_url(order.pk, "request/"))
    assert late.status_code == 404  # no longer in the pool, not hers


def test_in_first_request_mode_the_first_request_wins(writing: Writing) -> None:
    # given
    set_settings(writing, assignment_mode="first_request")
    order = make_order(writing, "available")
    # when
    first = writing.client("wren").post(order_url(order.pk, "request/"))
    # then
    assert first.status_code == 200
    assert (first.json()["status"], first.json()["writer"]["id"]) == ("assigned", writing.wren.pk)
    with tenant_context(writing.tenant):
        assert WriterRequest.objects.filter(order_id=order.pk).count() == 1


def test_an_admin_reassigns_before_review_and_the_old_writer_is_told(writing: Writing) -> None:
    order = make_order(writing, "in_progress")
    response = writing.client("admin").post(order_url(order.pk, "assign/"), {"writer": writing.will.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "assigned"
    with tenant_context(writing.tenant):
        assert Notification.objects.filter(recipient=writing.wren, verb="writing_order.unassigned").exists()


def test_assigning_someone_who_is_not_a_writer_is_a_400(writing: Writing) -> None:
    order = make_order(writing, "available")
    for pk in (writing.eddie.pk, writing.cleo.pk, 999999):
        response = writing.client("admin").post(order_url(order.pk, "assign/"), {"writer": pk}, format="json")
        assert response.status_code == 400
        assert "writer" in response.json()["error"]["details"]


def test_an_unpaid_order_cannot_be_assigned(writing: Writing) -> None:
    order = make_order(writing)
    response = writing.client("admin").post(order_url(order.pk, "assign/"), {"writer": writing.wren.pk}, format="json")
    assert response.status_code == 409
    assert error_code(response) == "invalid_status_transition"


def test_only_admins_assign_and_only_writers_request(writing: Writing) -> None:
    order = make_order(writing, "available")
    for who in ("sue", "wren", "eddie"):
        response = writing.client(who).post(order_url(order.pk, "assign/"), {"writer": writing.wren.pk}, format="json")
        assert response.status_code in (403, 404)
    assert writing.client("sue").post(order_url(order.pk, "request/")).status_code == 403
    assert writing.client("admin").post(order_url(order.pk, "request/")).status_code == 403
