"""The work on an assigned order: the writer starts and submits it, an editor returns it with notes
or delivers it, the client approves it (with an optional rating; the writer's earning credited:
``complete_order``, shared with a dispute resolved ``completed``) or asks for a revision within the
site's free-revision window.

Locks: the order's invoice, then the order; approval then the writer's wallet (inside
``wallet.services``). Every move is checked by ``transitions``, audited and notified.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from saas.errors import ApplicationError, Conflict, ErrorCode
from tenant_apps.writing.kind import EDITOR
from tenant_apps.writing.orders.access import grant_party
from tenant_apps.writing.orders.locks import order_with_invoice_lock
from tenant_apps.writing.orders.models import Order, OrderStatus
from tenant_apps.writing.orders.services._common import move, notify_order, notify_role, order_settings
from tenant_apps.writing.orders.signals import (
    order_completed,
    order_delivered,
    order_revision_requested,
    order_submitted,
)


def order_start(*, order: Order, actor: Any) -> Order:
    """The assigned writer starts (or, after a return or a revision request, resumes) ``order``:
    status ``in_progress``; the client is notified (``writing_order.started``).
    Raises 409 ``invalid_status_transition``, 403 (not its writer)."""
    with transaction.atomic():
        locked = order_with_invoice_lock(order.pk)
        move(locked, to=OrderStatus.IN_PROGRESS, actor=actor, verb="writing_order.started")
        notify_order(locked, recipient=locked.client, verb="writing_order.started")
    return locked


def order_submit(*, order: Order, actor: Any) -> Order:
    """The assigned writer submits ``order`` for review: status ``in_review``; the editors are
    notified (``writing_order.submitted``); ``signals.order_submitted`` is sent (the writer's work
    time, for fines). Raises 409 ``invalid_status_transition``, 403."""
    with transaction.atomic():
        locked = order_with_invoice_lock(order.pk)
        move(locked, to=OrderStatus.IN_REVIEW, actor=actor, verb="writing_order.submitted")
        notify_role(locked, role=EDITOR, verb="writing_order.submitted", exclude=actor.pk)
        order_submitted.send(sender=Order, order=locked, actor=actor)
    return locked


def order_return(*, order: Order, actor: Any, notes: str) -> Order:
    """An editor (or admin) ``actor`` returns ``order`` in review to its writer with ``notes``
    (status ``in_progress``, ``editor`` set to ``actor``); the writer is notified
    (``writing_order.returned``, with the notes). Raises 409 ``invalid_status_transition``, 403."""
    with transaction.atomic():
        locked = order_with_invoice_lock(order.pk)
        locked.editor, locked.editor_notes = actor, notes.strip()[:20000]
        move(
            locked,
            to=OrderStatus.IN_PROGRESS,
            actor=actor,
            verb="writing_order.returned",
            fields=("editor", "editor_notes"),
            notes=locked.editor_notes,
        )
        grant_party(actor, locked)
        assert locked.writer is not None
        notify_order(locked, recipient=locked.writer, verb="writing_order.returned", body=locked.editor_notes)
    return locked


def order_deliver(*, order: Order, actor: Any) -> Order:
    """An editor (or admin) ``actor`` delivers ``order`` in review to its client: status
    ``delivered``, ``delivered_at`` now (the free-revision window starts), ``editor`` ``actor``;
    the client and the writer are notified (``writing_order.delivered``).
    Raises 409 ``invalid_status_transition``, 403."""
    with transaction.atomic():
        locked = order_with_invoice_lock(order.pk)
        locked.editor, locked.delivered_at = actor, timezone.now()
        move(
            locked,
            to=OrderStatus.DELIVERED,
            actor=actor,
            verb="writing_order.delivered",
            fields=("editor", "delivered_at"),
        )
        grant_party(actor, locked)
        notify_order(locked, recipient=locked.client, verb="writing_order.delivered")
        assert locked.writer is not None
        notify_order(locked, recipient=locked.writer, verb="writing_order.delivered")
        order_delivered.send(sender=Order, order=locked, actor=actor)
    return locked


def revision_window_end(order: Order) -> Any:
    """When the free-revision window of the delivered ``order`` closes (``delivered_at`` plus the
    site's ``free_revision_days``); ``None`` before delivery."""
    if order.delivered_at is None:
        return None
    return order.delivered_at + timedelta(days=order_settings().free_revision_days)


def order_request_revision(*, order: Order, actor: Any, instructions: str) -> Order:
    """The client ``actor`` asks for a revision of the delivered ``order`` with ``instructions``
    within the free-revision window: status ``revision_requested``, ``revision_count`` + 1; the
    writer and the editor are notified (``writing_order.revision_requested``);
    ``signals.order_revision_requested`` is sent (the revision's due time, for fines).

    Raises ``Conflict`` 409 ``revision_window_closed`` (``details.closed_at``) after the window,
    409 ``invalid_status_transition`` (not delivered), ``PermissionDenied`` 403 (not the client).
    """
    with transaction.atomic():
        locked = order_with_invoice_lock(order.pk)
        closes = revision_window_end(locked)
        mine = locked.status == OrderStatus.DELIVERED and locked.client_id == actor.pk
        if mine and closes is not None and timezone.now() > closes:
            raise Conflict(
                "The free-revision window of this order has closed.",
                code=ErrorCode.REVISION_WINDOW_CLOSED,
                details={"closed_at": closes.isoformat()},
            )
        locked.revision_count += 1
        locked.revision_instructions = instructions.strip()[:20000]
        move(
            locked,
            to=OrderStatus.REVISION_REQUESTED,
            actor=actor,
            verb="writing_order.revision_requested",
            fields=("revision_count", "revision_instructions"),
            instructions=locked.revision_instructions,
        )
        for person in (locked.writer, locked.editor):
            if person is not None:
                notify_order(
                    locked,
                    recipient=person,
                    verb="writing_order.revision_requested",
                    body=locked.revision_instructions,
                )
        order_revision_requested.send(sender=Order, order=locked, actor=actor)
    return locked


#: The ratings a client may give (``Order.rating``).
RATINGS = range(1, 6)


def complete_order(order: Order, *, actor: Any, verb: str, fields: tuple[str, ...] = (), **changes: Any) -> Decimal:
    """Complete the locked ``order`` for ``actor`` (the move checked by ``transitions``, saved with
    ``fields`` too, audited as ``verb`` with ``changes``) and credit its writer's earning once:
    ``writers.earnings.earning_for`` with the writer's level (their profile, created with the
    default level on first need) and the site's ``earning_mode``, on what the client kept of the
    total (less the order's refunds), to the writer's wallet (``wallet.services.wallet_earning``,
    reference ``order:<id>:earning``); the writer is notified (``writing_order.completed``).
    Returns the earning. Call under the order's lock (``order_with_invoice_lock``); the wallet
    is locked last.

    Raises what ``move`` raises (409, 403) and the wallet's refusals (409 ``currency_mismatch``).
    """
    from tenant_apps.wallet.services import wallet_earning, wallet_open
    from tenant_apps.writing.orders.services.refunds import refunded_total
    from tenant_apps.writing.writers.earnings import earning_for
    from tenant_apps.writing.writers.services import writer_profile_for

    writer = order.writer
    assert writer is not None
    level = writer_profile_for(writer=writer).level
    mode = order_settings().earning_mode
    kept = order.total - refunded_total(order)
    earning = earning_for(level=level, mode=mode, kept=kept, pages=order.pages, currency=order.currency)
    order.completed_at, order.earning = timezone.now(), earning
    move(
        order,
        to=OrderStatus.COMPLETED,
        actor=actor,
        verb=verb,
        fields=("completed_at", "earning", *fields),
        earning=str(earning),
        earning_mode=mode,
        level=level.slug,
        **changes,
    )
    if earning > 0:
        wallet_earning(
            wallet=wallet_open(user=writer),
            amount=earning,
            currency=order.currency,
            actor=actor,
            reference=f"order:{order.pk}:earning",
            memo=f"Order {order.number}",
        )
    notify_order(order, recipient=writer, verb="writing_order.completed", earning=str(earning))
    order_completed.send(sender=Order, order=order, earning=earning, actor=actor)
    return earning


def order_approve(*, order: Order, actor: Any, rating: int | None = None) -> Order:
    """The client ``actor`` approves the delivered ``order``, with an optional ``rating`` of the
    work (1-5, stored on the order): status ``completed``, ``completed_at`` now, and the writer's
    earning credited once (``complete_order``: by the site's ``earning_mode`` and the writer's
    level, ``share`` of the total or ``per_page`` amount x pages, never above the total less
    refunds; rounded to the currency's step; wallet reference ``order:<id>:earning``); the writer
    is notified (``writing_order.completed``, with the earning).

    Raises 400 ``validation_error`` (``details.rating``: not 1-5), 409
    ``invalid_status_transition``, 403 (not the client), and the wallet's refusals (409
    ``currency_mismatch`` when the order's currency is not the writer wallet's).
    """
    if rating is not None and (isinstance(rating, bool) or not isinstance(rating, int) or rating not in RATINGS):
        raise ApplicationError("A rating is a whole number from 1 to 5.", details={"rating": ["From 1 to 5."]})
    with transaction.atomic():
        locked = order_with_invoice_lock(order.pk)
        locked.rating = rating
        complete_order(locked, actor=actor, verb="writing_order.completed", fields=("rating",), rating=rating)
    return locked
