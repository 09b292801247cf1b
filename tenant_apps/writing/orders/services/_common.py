"""What the orders services share: the logger, the settings row, notifications, what they say of
an order, who the actor is to an order, and one status move (checked, saved, audited)."""

from __future__ import annotations

import logging
from typing import Any

from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.audit.services import audit_record
from tenant_apps.emails.services import email_send
from tenant_apps.kinds import ADMIN as ADMIN_ROLE
from tenant_apps.notifications.services import notify
from tenant_apps.writing.kind import EDITOR as EDITOR_ROLE
from tenant_apps.writing.kind import SUPPORT as SUPPORT_ROLE
from tenant_apps.writing.kind import WRITER as WRITER_ROLE
from tenant_apps.writing.orders import transitions
from tenant_apps.writing.orders.models import Order, OrderSettings

logger = logging.getLogger("tenant_apps.writing.orders")


def order_settings() -> OrderSettings:
    """The site's order settings (the row ``pk=1``, created with the defaults the first time)."""
    found, _ = OrderSettings.objects.get_or_create(pk=1)
    return found


def order_facts(order: Order) -> dict[str, Any]:
    """What a notification or audit row says about ``order`` (safe for its client, writer and
    editor: no one's identity)."""
    return {
        "order": order.pk,
        "number": order.number,
        "status": order.status,
        "topic": order.topic[:120],
        "deadline": order.deadline.isoformat(),
        "total": str(order.total),
        "currency": order.currency,
    }


#: What the e-mail of a move says, by notification verb; the other verbs are notified only (the
#: writers' pool broadcast, the admins' and editors' queues).
EMAIL_HEADLINES = {
    "writing_order.paid": "Your payment was received: the order is open to our writers.",
    "writing_order.assigned": "This order is yours to write.",
    "writing_order.returned": "The editor returned this order to you with notes.",
    "writing_order.delivered": "Your order has been delivered.",
    "writing_order.revision_requested": "The client asked for a revision.",
    "writing_order.completed": "This order is completed; your earning is in your wallet.",
    "writing_order.cancelled": "This order was cancelled.",
    "writing_order.disputed": "The client disputed this delivery.",
    "writing_order.dispute_resolved": "The dispute about this order was resolved.",
    "writing_order.refunded": "Money was refunded to your wallet for this order.",
}


def notify_order(order: Order, *, recipient: Any, verb: str, body: str = "", **extra: Any) -> None:
    """Notify ``recipient`` of ``verb`` about ``order`` (its facts plus ``extra``, and ``body``
    as ``extra_data.body`` when given) and, for the verbs of ``EMAIL_HEADLINES``, e-mail them after
    commit (template ``emails/writing_order_update``)."""
    data = {**order_facts(order), **extra, **({"body": body} if body else {})}
    notify(recipient=recipient, verb=verb, target=order, extra_data=data)
    headline = EMAIL_HEADLINES.get(verb)
    if headline and getattr(recipient, "email", ""):
        email_send(
            to=[recipient.email],
            subject=f"Order {order.number}: {headline}"[:200],
            template="writing_order_update",
            context={
                "number": order.number,
                "topic": order.topic[:120],
                "status": order.get_status_display(),
                "deadline": order.deadline.strftime("%Y-%m-%d %H:%M UTC"),
                "headline": headline,
                "body": body[:2000],
            },
        )


def notify_role(order: Order, *, role: str, verb: str, exclude: int | None = None, **extra: Any) -> None:
    """Notify every active user holding ``role`` (but ``exclude``) of ``verb`` about ``order``."""
    from tenant_apps.accounts.selectors import users_with_roles

    for user in users_with_roles(role, exclude=exclude):
        notify_order(order, recipient=user, verb=verb, **extra)


def notify_staff(order: Order, *, verb: str, exclude: int | None = None, **extra: Any) -> None:
    """Notify every active support agent and admin (once each, but ``exclude``) of ``verb`` about
    ``order``."""
    from tenant_apps.accounts.selectors import users_with_roles

    for user in users_with_roles(SUPPORT_ROLE, ADMIN_ROLE, exclude=exclude):
        notify_order(order, recipient=user, verb=verb, **extra)


def parties(actor: Any, order: Order) -> set[str]:
    """What ``actor`` is to ``order`` in ``transitions`` terms (``SYSTEM`` for ``None``)."""
    if actor is None:
        return {transitions.SYSTEM}
    found: set[str] = set()
    if actor.pk == order.client_id:
        found.add(transitions.CLIENT)
    if order.writer_id is not None and actor.pk == order.writer_id:
        found.add(transitions.WRITER)
    if user_has_role(actor, WRITER_ROLE):
        found.add(transitions.REQUESTER)
    if user_has_role(actor, EDITOR_ROLE):
        found.add(transitions.EDITOR)
    if user_has_role(actor, ADMIN_ROLE):
        found.add(transitions.ADMIN)
    return found


def move(order: Order, *, to: str, actor: Any, verb: str, fields: tuple[str, ...] = (), **changes: Any) -> str:
    """Move the locked ``order`` to status ``to`` for ``actor`` (checked by ``transitions``), save
    it with ``fields`` too and audit ``verb`` with the status change and ``changes``. Returns the
    status it had. Raises what ``transitions.check_transition`` raises (409, 403)."""
    before = order.status
    transitions.check_transition(current=before, wanted=to, parties=parties(actor, order))
    order.status = to
    order.save(update_fields=["status", "updated_at", *fields])
    audit_record(actor=actor, verb=verb, target=order, changes={"status": [before, to], **changes})
    return before
