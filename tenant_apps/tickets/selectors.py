"""Reads on tickets. Every read starts from ``access.tickets_visible_to(user)``: a list or a lookup
cannot show a ticket its user may not see. One ticket or message is fetched, checked, by
``access.access_ticket_detail`` and ``access.access_ticket_message``, and a ticket its user may not
see is answered exactly like one that does not exist (404 ``not_found``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from saas.db.tenant import current_kind
from tenant_apps.accounts.models import User
from tenant_apps.accounts.selectors import users_with_roles
from tenant_apps.tickets.access import tickets_visible_to
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
    return ticket_list(user=user).prefetch_related(Prefetch("messages", message_queryset()))


def message_queryset() -> QuerySet[TicketMessage]:
    """Messages with their authors and attachments (with files) loaded, as a ticket's conversation shows them."""
    return TicketMessage.objects.select_related("author").prefetch_related(
        Prefetch("attachments", TicketAttachment.objects.select_related("file"))
    )


def support_staff() -> QuerySet[User]:
    """Active users holding a support role of the current site's kind (``roles.support_roles``)."""
    return users_with_roles(*support_roles(current_kind()))
