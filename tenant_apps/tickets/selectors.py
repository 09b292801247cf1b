"""Reads on tickets. Every read starts from ``tickets_visible_to(user)``: a list or a lookup
cannot show a ticket its user may not see, and a ticket they may not see is answered exactly
like one that does not exist (404 ``not_found``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from saas.db.tenant import current_kind
from saas.errors import NotFound
from tenant_apps.accounts.models import User
from tenant_apps.tickets.access import ticket_pk, tickets_visible_to
from tenant_apps.tickets.models import Ticket, TicketAttachment, TicketMessage
from tenant_apps.tickets.roles import support_roles


def ticket_list(*, user: Any) -> QuerySet[Ticket]:
    """Visible tickets, most recently active first (index ``tickets_recent``), with people and
    target type loaded for a list; ``message_count`` is stored on the ticket."""
    return (
        tickets_visible_to(user).select_related("created_by", "assignee", "target_type").order_by("-updated_at", "-id")
    )


def ticket_detail_queryset(*, user: Any) -> QuerySet[Ticket]:
    """``ticket_list`` plus the conversation: messages (oldest first) with authors and attachments."""
    return ticket_list(user=user).prefetch_related(Prefetch("messages", _messages()))


def _messages() -> QuerySet[TicketMessage]:
    return TicketMessage.objects.select_related("author").prefetch_related(
        Prefetch("attachments", TicketAttachment.objects.select_related("file"))
    )


def ticket_get(*, user: Any, ticket_id: Any) -> Ticket:
    """The ticket ``ticket_id`` with its conversation, if ``user`` may see it; else ``not_found`` (404)."""
    ticket = ticket_detail_queryset(user=user).filter(pk=ticket_pk(ticket_id)).first()
    if ticket is None:
        raise NotFound("No such ticket.")
    return ticket


def ticket_message_get(*, user: Any, message_id: int) -> TicketMessage:
    """One message with author and attachments, if ``user`` may see its ticket; else ``not_found``."""
    message = _messages().filter(pk=message_id, ticket__in=tickets_visible_to(user).values("pk")).first()
    if message is None:
        raise NotFound("No such message.")
    return message


def support_staff() -> QuerySet[User]:
    """Active users holding a support role of the current site's kind (``roles.support_roles``)."""
    return User.objects.filter(is_active=True, groups__name__in=support_roles(current_kind())).distinct().order_by("id")
