"""Disputes and ratings: the client disputes a delivered order (support and admins are told), an
admin resolves it to completed (the writer paid as on approval), a revision or a cancellation
(no money moves); the client's approval may carry a rating of 1-5."""

from __future__ import annotations

from decimal import Decimal

from django.core import mail
from django_tenants.utils import tenant_context
from pytest_django import DjangoCaptureOnCommitCallbacks

from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.notifications.models import Notification
from tenant_apps.wallet.models import LedgerEntry
from tenant_apps.wallet.selectors import wallet_of
from tests.tenant_apps.writing.conftest import Writing, reload
from tests.tenant_apps.writing.orders.conftest import error_code, make_order, order_url


def _resolve(writing: Writing, pk: int, outcome: str, note: str = "Decided.") -> dict[str, object]:
    response = writing.client("admin").post(
        order_url(pk, "resolve/"), {"outcome": outcome, "note": note}, format="json"
    )
    assert response.status_code == 200, response.content
    return dict(response.json())


def test_a_client_disputes_a_delivery_and_support_and_admins_are_told(
    writing: Writing, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # given: cleo's delivered order
    order = make_order(writing, "delivered")
    mail.outbox.clear()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = writing.client("cleo").post(
            order_url(order.pk, "dispute/"), {"reason": "The topic is wrong."}, format="json"
        )
    # then: disputed with her reason; sue and the admin notified and e-mailed, wren notified
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["dispute_reason"]) == ("disputed", "The topic is wrong.")
    with tenant_context(writing.tenant):
        told = set(Notification.objects.filter(verb="writing_order.disputed").values_list("recipient_id", flat=True))
        assert {writing.sue.pk, writing.admin.pk, writing.wren.pk} <= told
        assert writing.cleo.pk not in told
        assert AuditLogEntry.objects.filter(verb="writing_order.disputed", target_id=str(order.pk)).exists()
    mailed = {address for message in mail.outbox for address in message.to}
    assert {writing.sue.email, writing.admin.email} <= mailed


def test_a_dispute_needs_a_reason_and_a_delivered_order(writing: Writing) -> None:
    delivered = make_order(writing, "delivered")
    blank = writing.client("cleo").post(order_url(delivered.pk, "dispute/"), {"reason": "  "}, format="json")
    assert (blank.status_code, error_code(blank)) == (400, "validation_error")
    in_progress = make_order(writing, "in_progress")
    early = writing.client("cleo").post(order_url(in_progress.pk, "dispute/"), {"reason": "Late."}, format="json")
    assert (early.status_code, error_code(early)) == (409, "invalid_status_transition")
    assert reload(writing, delivered).status == "delivered"


def test_a_dispute_resolved_completed_pays_the_writer_as_an_approval_would(writing: Writing) -> None:
    # given: a disputed 24.00 order
    order = make_order(writing, "disputed")
    # when: the admin decides for the writer
    body = _resolve(writing, order.pk, "completed", "The paper follows the instructions.")
    # then: completed, wren earns half (the default level), the client told, the decision audited
    assert (body["status"], body["earning"]) == ("completed", "12.00")
    with tenant_context(writing.tenant):
        assert wallet_of(user=writing.wren).balance == Decimal("12.00")
        assert LedgerEntry.objects.filter(reference=f"order:{order.pk}:earning").count() == 1
        entry = AuditLogEntry.objects.get(verb="writing_order.dispute_resolved", target_id=str(order.pk))
        assert entry.changes["outcome"] == "completed"
        assert Notification.objects.filter(recipient=writing.cleo, verb="writing_order.dispute_resolved").exists()
        assert Notification.objects.filter(recipient=writing.wren, verb="writing_order.completed").exists()


def test_a_dispute_resolved_to_a_revision_sends_the_note_to_the_writer(writing: Writing) -> None:
    order = make_order(writing, "disputed")
    body = _resolve(writing, order.pk, "revision_requested", "Rewrite the second part.")
    assert (body["status"], body["revision_count"]) == ("revision_requested", 1)
    assert body["revision_instructions"] == "Rewrite the second part."
    with tenant_context(writing.tenant):
        note = Notification.objects.get(recipient=writing.wren, verb="writing_order.revision_requested")
        assert note.extra_data["body"] == "Rewrite the second part."
    # and the writer takes it up again
    assert writing.client("wren").post(order_url(order.pk, "start/")).json()["status"] == "in_progress"


def test_a_dispute_resolved_cancelled_moves_no_money(writing: Writing) -> None:
    # given: a disputed order cleo paid from her wallet
    order = make_order(writing, "disputed")
    with tenant_context(writing.tenant):
        before = LedgerEntry.objects.count()
    # when
    body = _resolve(writing, order.pk, "cancelled", "Refund to follow.")
    # then: cancelled, nobody's wallet changed (a refund is a separate decision)
    assert body["status"] == "cancelled" and body["cancelled_at"] is not None
    with tenant_context(writing.tenant):
        assert LedgerEntry.objects.count() == before
        assert wallet_of(user=writing.cleo).balance == Decimal("0.00")
        assert wallet_of(user=writing.wren).balance == Decimal("0.00")


def test_only_admins_resolve_and_only_a_dispute_or_a_known_outcome(writing: Writing) -> None:
    order = make_order(writing, "disputed")
    body = {"outcome": "completed"}
    for who in ("cleo", "wren", "sue"):
        assert writing.client(who).post(order_url(order.pk, "resolve/"), body, format="json").status_code == 403
    bad = writing.client("admin").post(order_url(order.pk, "resolve/"), {"outcome": "delivered"}, format="json")
    assert (bad.status_code, error_code(bad)) == (400, "validation_error")
    delivered = make_order(writing, "delivered")
    early = writing.client("admin").post(order_url(delivered.pk, "resolve/"), body, format="json")
    assert (early.status_code, error_code(early)) == (409, "invalid_status_transition")
    assert reload(writing, order).status == "disputed"


def test_the_client_rates_the_work_when_approving(writing: Writing) -> None:
    # given
    rated = make_order(writing, "delivered")
    unrated = make_order(writing, "delivered")
    # when: one approval with a rating of 4, one without
    response = writing.client("cleo").post(order_url(rated.pk, "approve/"), {"rating": 4}, format="json")
    plain = writing.client("cleo").post(order_url(unrated.pk, "approve/"), {}, format="json")
    # then
    assert (response.status_code, response.json()["rating"]) == (200, 4)
    assert (plain.status_code, plain.json()["rating"]) == (200, None)
    assert reload(writing, rated).rating == 4


def test_a_rating_out_of_range_is_refused_and_the_order_stays_delivered(writing: Writing) -> None:
    order = make_order(writing, "delivered")
    for rating in (0, 6, "five", 4.5, True):
        response = writing.client("cleo").post(order_url(order.pk, "approve/"), {"rating": rating}, format="json")
        assert (response.status_code, error_code(response)) == (400, "validation_error"), rating
    assert reload(writing, order).status == "delivered"
