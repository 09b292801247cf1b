"""Writers and assignment: writers request available orders, admins assign one of them, or (site
setting ``assignment_mode`` ``first_request``) the first request wins.

Locks: the order's invoice, then the order (``locks.order_with_invoice_lock``): two writers
requesting one order in ``first_request`` mode queue up on it, the first gets the order and the
second finds it ``assigned`` (409 ``invalid_status_transition``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from saas.errors import ApplicationError, Conflict, ErrorCode, PermissionDenied
from tenant_apps.audit.services import audit_record
from tenant_apps.kinds import ADMIN
from tenant_apps.writing.orders.access import grant_party, is_writer, revoke_party
from tenant_apps.writing.orders.locks import order_with_invoice_lock
from tenant_apps.writing.orders.models import AssignmentMode, Order, OrderStatus, WriterRequest
from tenant_apps.writing.orders.services._common import move, notify_order, notify_role, order_settings


def _not_available(order: Order) -> Conflict:
    return Conflict(
        f"This order is {order.status}: it is no longer available.",
        code=ErrorCode.INVALID_STATUS_TRANSITION,
        details={"status": order.status},
    )


def _assign(order: Order, *, writer: Any, actor: Any, verb: str) -> None:
    """Give the locked ``order`` to ``writer`` (checked move to ``assigned``), notify the writer,
    the client and a writer it was taken from."""
    previous = order.writer
    order.writer, order.assigned_at = writer, timezone.now()
    move(order, to=OrderStatus.ASSIGNED, actor=actor, verb=verb, fields=("writer", "assigned_at"), writer=writer.pk)
    grant_party(writer, order)
    notify_order(order, recipient=writer, verb="writing_order.assigned")
    notify_order(order, recipient=order.client, verb="writing_order.writer_assigned")
    if previous is not None and previous.pk != writer.pk:
        revoke_party(previous, order)
        notify_order(order, recipient=previous, verb="writing_order.unassigned")


def order_request(*, order: Order, writer: Any) -> Order:
    """``writer`` asks to write the available ``order``.

    ``first_request`` mode: the first request gets the order (status ``assigned``, ``writer`` set).
    ``admin`` mode: the request is recorded (once: asking again changes nothing) and the admins
    notified (``writing_order.requested``); an admin assigns (``order_assign``). Returns the order.

    Raises ``PermissionDenied`` (403: not a writer), ``Conflict`` 409 ``invalid_status_transition``
    (the order is not available: another writer got it, or it is not paid).
    """
    if not is_writer(writer):
        raise PermissionDenied("Only writers request orders.")
    with transaction.atomic():
        locked = order_with_invoice_lock(order.pk)
        if locked.status != OrderStatus.AVAILABLE:
            raise _not_available(locked)
        if order_settings().assignment_mode == AssignmentMode.FIRST_REQUEST:
            WriterRequest.objects.get_or_create(order=locked, writer=writer)
            _assign(locked, writer=writer, actor=writer, verb="writing_order.assigned")
            return locked
        _, created = WriterRequest.objects.get_or_create(order=locked, writer=writer)
        if created:
            audit_record(actor=writer, verb="writing_order.requested", target=locked, changes={"writer": writer.pk})
            notify_role(locked, role=ADMIN, verb="writing_order.requested")
    return locked


def order_assign(*, order: Order, writer: Any, actor: Any) -> Order:
    """Admin ``actor`` gives ``order`` (``available``, or reassigns one ``assigned`` or
    ``in_progress``) to ``writer``, who need not have requested it but must hold the writer role.

    Raises ``PermissionDenied`` (403: not an admin), ``ApplicationError`` 400 ``validation_error``
    (``details.writer``: not an active writer), ``Conflict`` 409 ``invalid_status_transition``.
    """
    if writer is None or not writer.is_active or not is_writer(writer):
        raise ApplicationError("Not a writer of this site.", details={"writer": ["Not an active writer."]})
    with transaction.atomic():
        locked = order_with_invoice_lock(order.pk)
        _assign(locked, writer=writer, actor=actor, verb="writing_order.assigned")
    return locked
