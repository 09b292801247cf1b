"""Disputes: the client disputes a delivered order, an admin resolves the dispute.

``order_dispute``: ``delivered`` -> ``disputed`` (the client, with a reason); support and admins
are told. ``order_resolve``: ``disputed`` -> ``completed`` (the writer's earning credited, as an
approval: ``work.complete_order``), ``revision_requested`` (back to the writer with the admin's
note) or ``cancelled`` (no money moves: a refund is an admin's separate decision,
``refunds.order_refund``, which a disputed order allows before it is resolved too). Locks: the
order's invoice, then the order; completion then the writer's wallet.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from saas.errors import ApplicationError, Conflict, ErrorCode
from tenant_apps.writing.orders.locks import order_with_invoice_lock
from tenant_apps.writing.orders.models import Order, OrderStatus
from tenant_apps.writing.orders.services._common import move, notify_order, notify_staff
from tenant_apps.writing.orders.services.work import complete_order
from tenant_apps.writing.orders.signals import order_cancelled, order_revision_requested

#: The longest dispute reason or resolution note, in characters.
MAX_DISPUTE_TEXT = 5000
#: What an admin may resolve a dispute to.
OUTCOMES = (OrderStatus.COMPLETED, OrderStatus.REVISION_REQUESTED, OrderStatus.CANCELLED)


def order_dispute(*, order: Order, actor: Any, reason: str) -> Order:
    """The client ``actor`` disputes the delivered ``order`` with ``reason`` (required, at most
    5000 characters): status ``disputed``, ``dispute_reason`` kept; every support agent and admin
    (``writing_order.disputed``, e-mailed, with the reason) and the writer are notified.

    Raises 400 ``validation_error`` (``details.reason``: blank), 409 ``invalid_status_transition``
    (not delivered), 403 (not its client).
    """
    text = (reason or "").strip()[:MAX_DISPUTE_TEXT]
    if not text:
        raise ApplicationError("Say why you dispute the delivery.", details={"reason": ["This field is required."]})
    with transaction.atomic():
        locked = order_with_invoice_lock(order.pk)
        locked.dispute_reason = text
        move(
            locked,
            to=OrderStatus.DISPUTED,
            actor=actor,
            verb="writing_order.disputed",
            fields=("dispute_reason",),
            reason=text,
        )
        notify_staff(locked, verb="writing_order.disputed", body=text)
        assert locked.writer is not None
        notify_order(locked, recipient=locked.writer, verb="writing_order.disputed")
    return locked


def order_resolve(*, order: Order, actor: Any, outcome: str, note: str = "") -> Order:
    """Admin ``actor`` resolves the dispute of ``order`` to ``outcome``, with ``note`` (at most
    5000 characters) for the people concerned; audited (``writing_order.dispute_resolved``, the
    outcome and note), the client notified and e-mailed (``writing_order.dispute_resolved``).

    * ``completed``: as an approval (``work.complete_order``: the writer's earning on what the
      client kept, i.e. the total less this order's refunds; the writer notified);
    * ``revision_requested``: ``revision_count`` + 1, the note as ``revision_instructions``; the
      writer and the editor notified (``writing_order.revision_requested``);
      ``signals.order_revision_requested`` sent;
    * ``cancelled``: ``cancelled_at`` now; the writer notified (``writing_order.cancelled``). No
      money moves: refunds are ``refunds.order_refund``; ``signals.order_cancelled`` is sent (an
      order paid from a class bundle gets its units back).

    Raises 400 ``validation_error`` (``details.outcome``), 409 ``invalid_status_transition`` (not
    disputed), 403 (not an admin), and the wallet's refusals on completion.
    """
    if outcome not in OUTCOMES:
        raise ApplicationError(
            "Resolve a dispute to completed, revision_requested or cancelled.",
            details={"outcome": ["completed, revision_requested or cancelled."]},
        )
    text = (note or "").strip()[:MAX_DISPUTE_TEXT]
    facts: dict[str, Any] = {"outcome": outcome, "note": text}
    with transaction.atomic():
        locked = order_with_invoice_lock(order.pk)
        if locked.status != OrderStatus.DISPUTED:  # a delivered order may complete, but not by a resolution
            raise Conflict(
                f"This order is {locked.status}: there is no dispute to resolve.",
                code=ErrorCode.INVALID_STATUS_TRANSITION,
                details={"status": locked.status},
            )
        verb = "writing_order.dispute_resolved"
        writer = locked.writer
        if outcome == OrderStatus.COMPLETED:
            complete_order(locked, actor=actor, verb=verb, **facts)
        elif outcome == OrderStatus.REVISION_REQUESTED:
            locked.revision_count += 1
            locked.revision_instructions = text
            revision = ("revision_count", "revision_instructions")
            move(locked, to=outcome, actor=actor, verb=verb, fields=revision, **facts)
            for person in (writer, locked.editor):
                if person is not None:
                    notify_order(locked, recipient=person, verb="writing_order.revision_requested", body=text)
            order_revision_requested.send(sender=Order, order=locked, actor=actor)
        else:
            locked.cancelled_at = timezone.now()
            move(locked, to=outcome, actor=actor, verb=verb, fields=("cancelled_at",), **facts)
            order_cancelled.send(sender=Order, order=locked, actor=actor, before=OrderStatus.DISPUTED)
            if writer is not None:
                notify_order(locked, recipient=writer, verb="writing_order.cancelled", body=text)
        notify_order(locked, recipient=locked.client, verb="writing_order.dispute_resolved", body=text, outcome=outcome)
    return locked
