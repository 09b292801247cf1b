"""The work on an order: the writer starts and submits, an editor returns or delivers, the client
approves (the writer's earning credited once) or asks for a revision within the window."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django_tenants.utils import tenant_context
from guardian.core import ObjectPermissionChecker
from pytest_django import DjangoCaptureOnCommitCallbacks

from saas.errors import ApplicationError
from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.notifications.models import Notification
from tenant_apps.wallet.models import LedgerEntry
from tenant_apps.wallet.selectors import wallet_of
from tenant_apps.writing.orders.models import Order
from tenant_apps.writing.orders.services import order_approve
from tests.factories import WalletFactory, WriterLevelFactory, WriterProfileFactory
from tests.factories.base import at
from tests.tenant_apps.writing.conftest import Writing, reload
from tests.tenant_apps.writing.orders.conftest import error_code, make_order, order_url


def test_an_order_goes_from_assignment_through_review_and_a_revision_to_completion(writing: Writing) -> None:
    # given: wren's assigned order
    order = make_order(writing, "assigned")

    def step(who: str, action: str, body: dict[str, str] | None = None) -> str:
        response = writing.client(who).post(order_url(order.pk, action), body or {}, format="json")
        assert response.status_code == 200, (action, response.content)
        return str(response.json()["status"])

    # when / then: each move, by whom it belongs to
    assert step("wren", "start/") == "in_progress"
    assert step("wren", "submit/") == "in_review"
    assert step("eddie", "return/", {"notes": "Cite the treaty."}) == "in_progress"
    assert step("wren", "submit/") == "in_review"
    assert step("eddie", "deliver/") == "delivered"
    assert step("cleo", "revision/", {"instructions": "Add a conclusion."}) == "revision_requested"
    assert step("wren", "submit/") == "in_review"
    assert step("eddie", "deliver/") == "delivered"
    assert step("cleo", "approve/") == "completed"
    # then: every move audited, the writer paid half the total, everyone concerned told
    shown = writing.client("cleo").get(order_url(order.pk)).json()
    assert (shown["revision_count"], shown["earning"], shown["editor_notes"]) == (1, "12.00", "Cite the treaty.")
    with tenant_context(writing.tenant):
        verbs = list(
            AuditLogEntry.objects.filter(target_id=str(order.pk), verb__startswith="writing_order.")
            .order_by("pk")
            .values_list("verb", flat=True)
        )
        assert verbs.count("writing_order.submitted") == 3 and verbs[-1] == "writing_order.completed"
        assert wallet_of(user=writing.wren).balance == Decimal("12.00")
        assert Notification.objects.filter(recipient=writing.wren, verb="writing_order.returned").exists()
        assert Notification.objects.filter(recipient=writing.eddie, verb="writing_order.submitted").exists()
        assert Notification.objects.filter(recipient=writing.cleo, verb="writing_order.delivered").count() == 2
        assert Notification.objects.filter(recipient=writing.wren, verb="writing_order.completed").exists()


def test_the_earning_is_the_writers_level_share_and_credited_once(writing: Writing) -> None:
    # given: wren's level pays a 30 % share
    with tenant_context(writing.tenant):
        WriterProfileFactory(user=writing.wren, level=WriterLevelFactory(share_percent=Decimal("30.00")))
    order = make_order(writing, "delivered")
    # when: approved, then approved again
    assert writing.client("cleo").post(order_url(order.pk, "approve/")).status_code == 200
    again = writing.client("cleo").post(order_url(order.pk, "approve/"))
    # then
    assert again.status_code == 409
    assert error_code(again) == "invalid_status_transition"
    with tenant_context(writing.tenant):
        assert LedgerEntry.objects.filter(reference=f"order:{order.pk}:earning").count() == 1
        assert wallet_of(user=writing.wren).balance == Decimal("7.20")
        assert Order.objects.get(pk=order.pk).earning == Decimal("7.20")


def test_a_revision_after_the_free_window_is_refused(writing: Writing) -> None:
    # given: delivered, a 7-day window
    order = make_order(writing, "delivered")
    assert order.delivered_at is not None
    # when: 8 days later
    with at(order.delivered_at + timedelta(days=8)):
        response = writing.client("cleo").post(order_url(order.pk, "revision/"), {"instructions": "x"}, format="json")
    # then
    assert response.status_code == 409
    assert error_code(response) == "revision_window_closed"
    assert "closed_at" in response.json()["error"]["details"]
    assert reload(writing, order).status == "delivered"
    # and within the window it is accepted
    with at(order.delivered_at + timedelta(days=6)):
        ok = writing.client("cleo").post(order_url(order.pk, "revision/"), {"instructions": "x"}, format="json")
    assert ok.status_code == 200


def test_moves_by_the_wrong_party_are_refused(writing: Writing) -> None:
    order = make_order(writing, "assigned")
    # another writer does not see it; the client sees it but may not start it
    assert writing.client("will").post(order_url(order.pk, "start/")).status_code == 404
    assert writing.client("cleo").post(order_url(order.pk, "start/")).status_code == 403
    # the editor does not see an assigned order
    assert writing.client("eddie").post(order_url(order.pk, "deliver/")).status_code == 404
    # the admin sees it but delivering from assigned is not a move
    response = writing.client("admin").post(order_url(order.pk, "deliver/"))
    assert (response.status_code, error_code(response)) == (409, "invalid_status_transition")


def test_a_client_cancels_an_unpaid_order_and_its_invoice_is_called_off(writing: Writing) -> None:
    order = make_order(writing)
    response = writing.client("cleo").post(order_url(order.pk, "cancel/"), {"reason": "Too late."}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    with tenant_context(writing.tenant):
        stored = Order.objects.select_related("invoice").get(pk=order.pk)
        assert stored.invoice is not None and stored.invoice.status == "cancelled"


def test_a_client_cannot_cancel_a_paid_order(writing: Writing) -> None:
    order = make_order(writing, "available")
    assert writing.client("cleo").post(order_url(order.pk, "cancel/"), {}, format="json").status_code == 403
    assert writing.client("admin").post(order_url(order.pk, "cancel/"), {}, format="json").status_code == 200


def test_a_late_order_is_flagged(writing: Writing) -> None:
    order = make_order(writing, "in_progress")
    with at(order.deadline + timedelta(minutes=1)):
        assert writing.client("cleo").get(order_url(order.pk)).json()["is_late"] is True
    assert writing.client("cleo").get(order_url(order.pk)).json()["is_late"] is False
    done = make_order(writing, "completed")
    with at(done.deadline + timedelta(days=1)):
        assert writing.client("cleo").get(order_url(done.pk)).json()["is_late"] is False


def test_the_earning_is_refused_in_another_currency_than_the_writers_wallet(writing: Writing) -> None:
    # given: the writer's wallet was opened while the site used EUR
    order = make_order(writing, "delivered")
    with tenant_context(writing.tenant):
        WalletFactory(user=writing.wren, currency="EUR")
        # when / then: refused, nothing changes
        with pytest.raises(ApplicationError) as caught:
            order_approve(order=order, actor=writing.cleo)
        assert caught.value.code == "currency_mismatch"
        assert Order.objects.get(pk=order.pk).status == "delivered"


def test_the_people_a_move_concerns_are_emailed(
    writing: Writing, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # given: an order in review
    order = make_order(writing, "in_review")
    mail.outbox.clear()
    # when: the editor returns it with notes, and (later) delivers it
    with django_capture_on_commit_callbacks(execute=True):
        writing.client("eddie").post(order_url(order.pk, "return/"), {"notes": "Cite the treaty."}, format="json")
    # then: the writer is e-mailed the notes (the text part not HTML-escaped)
    assert [m.to for m in mail.outbox] == [[writing.wren.email]]
    assert "Cite the treaty." in str(mail.outbox[0].body) and order.number in mail.outbox[0].subject


def test_the_revoked_writer_loses_the_order_and_the_new_one_gets_it(writing: Writing) -> None:
    # given: wren's order in progress
    order = make_order(writing, "in_progress")
    # when: the admin gives it to will
    writing.client("admin").post(order_url(order.pk, "assign/"), {"writer": writing.will.pk}, format="json")
    # then: guardian's view_order moved with it
    assert writing.client("wren").get(order_url(order.pk)).status_code == 404
    assert writing.client("will").get(order_url(order.pk)).status_code == 200
    with tenant_context(writing.tenant):
        assert ObjectPermissionChecker(writing.will).has_perm("view_order", reload(writing, order))
        assert not ObjectPermissionChecker(writing.wren).has_perm("view_order", reload(writing, order))
