"""Reads on tickets. Every read starts from ``tickets_visible_to(user)``: a list or a lookup
cannot show a ticket its user may not see, and a ticket they may not see is answered exactly
like one that does not exist (404 ``not_found``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from guardian.shortcuts import get_objects_for_user

from saas.api.errors import ApplicationError
from saas.db.tenant import current_kind
from saas.errors import NotFound, PermissionDenied
from tenant_apps.accounts.models import User
from tenant_apps.tickets.models import Ticket, TicketAttachment, TicketMessage
from tenant_apps.tickets.permissions import VIEW, can_change_ticket, can_view_ticket
from tenant_apps.tickets.roles import is_support_staff, support_roles


def tickets_visible_to(user: Any) -> QuerySet[Ticket]:
    """The tickets ``user`` may see: all of the site's for support staff, otherwise those
    guardian grants ``view_ticket`` on (created by or assigned to ``user``)."""
    if not (user and user.is_authenticated and user.is_active):
        return Ticket.objects.none()
    if is_support_staff(user):
        return Ticket.objects.all()
    return get_objects_for_user(
        user,
        f"tickets.{VIEW}",
        klass=Ticket.objects.all(),
        use_groups=False,
        with_superuser=False,
        accept_global_perms=False,
    )


def ticket_list(*, user: Any) -> QuerySet[Ticket]:
    """Visible tickets, most recently active first, with people, target type and
    ``message_count`` loaded for a list."""
    return (
        tickets_visible_to(user)
        .select_related("created_by", "assignee", "target_type")
        .annotate(message_count=Count("messages"))
        .order_by("-updated_at", "-id")
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
    ticket = ticket_detail_queryset(user=user).filter(pk=_pk(ticket_id)).first()
    if ticket is None:
        raise _not_found()
    return ticket


def ticket_message_get(*, user: Any, message_id: int) -> TicketMessage:
    """One message with author and attachments, if ``user`` may see its ticket; else ``not_found``."""
    message = _messages().filter(pk=message_id, ticket__in=tickets_visible_to(user).values("pk")).first()
    if message is None:
        raise NotFound("No such message.")
    return message


def access_ticket(*, user: Any, ticket_id: Any, for_change: bool = False, lock: bool = False) -> Ticket:
    """The ticket ``ticket_id`` checked for ``user``: ``not_found`` (404) if they may not see it
    (or it does not exist), ``permission_denied`` (403) if ``for_change`` and they may see but not
    change it. ``lock=True`` takes ``SELECT ... FOR UPDATE`` on the ticket row: call it inside
    the service's transaction, before reading the state you are about to change."""
    tickets = Ticket.objects.all()
    if lock:
        tickets = tickets.select_for_update(of=("self",))
    ticket = tickets.filter(pk=_pk(ticket_id)).first()
    if ticket is None or not can_view_ticket(user, ticket):
        raise _not_found()
    if for_change and not can_change_ticket(user, ticket):
        raise PermissionDenied("You may not change this ticket.")
    return ticket


def support_staff() -> QuerySet[User]:
    """Active users holding a support role of the current site's kind (``roles.support_roles``)."""
    return User.objects.filter(is_active=True, groups__name__in=support_roles(current_kind())).distinct().order_by("id")


def _pk(ticket_id: Any) -> int:
    try:
        pk = int(ticket_id)
    except (TypeError, ValueError):
        raise _not_found() from None
    if not 0 < pk < 2**63:
        raise _not_found()
    return pk


def _not_found() -> ApplicationError:
    return NotFound("No such ticket.")
