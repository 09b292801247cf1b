"""Who may see and change a ticket: ``can_*`` predicates, the scope every read starts from
(``tickets_visible_to``) and the checked fetch of one ticket (``access_ticket``).

* Support staff of the site (``roles.support_roles``) see and change every ticket.
* Everyone else holds django-guardian object permissions: ``tickets.view_ticket`` and
  ``tickets.change_ticket`` on the tickets they created, and on the ones assigned to them
  (granted on assignment, taken back when the ticket is assigned to someone else).
* "change" is what replying, closing and reopening need; assigning is for support staff only.

Model-level (global) ticket permissions are deliberately ignored: an admin group holding every
permission of its schema is support staff anyway, and no other role should see all tickets
through a permission it got for another reason.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm
from rest_framework.permissions import BasePermission

from saas.errors import ApplicationError, NotFound, PermissionDenied
from tenant_apps.tickets.locks import ticket_lock
from tenant_apps.tickets.models import Ticket, TicketMessage
from tenant_apps.tickets.roles import is_support_staff

VIEW = "view_ticket"
CHANGE = "change_ticket"
PARTICIPANT_PERMS = (VIEW, CHANGE)


def can_view_ticket(user: Any, ticket: Ticket) -> bool:
    """Whether ``user`` may see ``ticket`` (support staff, or guardian ``view_ticket`` on it)."""
    return is_support_staff(user) or _has_object_perm(user, VIEW, ticket)


def can_change_ticket(user: Any, ticket: Ticket) -> bool:
    """Whether ``user`` may reply to, close and reopen ``ticket``."""
    return is_support_staff(user) or _has_object_perm(user, CHANGE, ticket)


def _has_object_perm(user: Any, codename: str, ticket: Ticket) -> bool:
    if not (user and user.is_authenticated):
        return False
    return ObjectPermissionChecker(user).has_perm(codename, ticket)


def grant_participant(user: Any, ticket: Ticket) -> None:
    """Give ``user`` view and change on ``ticket`` (idempotent). Call inside the service's transaction."""
    for codename in PARTICIPANT_PERMS:
        assign_perm(f"tickets.{codename}", user, ticket)


def revoke_participant(user: Any, ticket: Ticket) -> None:
    """Take view and change on ``ticket`` away from ``user`` (idempotent)."""
    for codename in PARTICIPANT_PERMS:
        remove_perm(f"tickets.{codename}", user, ticket)


class IsSupportStaff(BasePermission):
    """DRF permission: the user is support staff of the current site (see ``roles.py``)."""

    message = "Only the site's support staff may do this."

    def has_permission(self, request: Any, view: Any) -> bool:
        return is_support_staff(request.user)


def attachment_readable(user: Any, stored_file: Any) -> bool:
    """File-access rule (``tenant_apps.files.access``): a file attached to a message of a ticket
    ``user`` may view is readable by ``user``."""
    return tickets_visible_to(user).filter(messages__attachments__file_id=stored_file.pk).exists()


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


def access_ticket(*, user: Any, ticket_id: Any, for_change: bool = False, lock: bool = False) -> Ticket:
    """The ticket ``ticket_id`` checked for ``user``: ``not_found`` (404) if they may not see it
    (or it does not exist), ``permission_denied`` (403) if ``for_change`` and they may see but not
    change it. ``lock=True`` returns the row locked (``locks.ticket_lock``): call it inside the
    service's transaction, before reading the state you are about to change."""
    pk = ticket_pk(ticket_id)
    try:
        ticket: Ticket | None = ticket_lock(pk) if lock else Ticket.objects.get(pk=pk)
    except Ticket.DoesNotExist:
        ticket = None
    if ticket is None or not can_view_ticket(user, ticket):
        raise _not_found()
    if for_change and not can_change_ticket(user, ticket):
        raise PermissionDenied("You may not change this ticket.")
    return ticket


def access_ticket_detail(*, user: Any, ticket_id: Any) -> Ticket:
    """The ticket ``ticket_id`` with its conversation (``selectors.ticket_detail_queryset``: people,
    messages oldest first, attachments), if ``user`` may see it; ``not_found`` (404) otherwise."""
    from tenant_apps.tickets import selectors  # the conversation's shape; selectors import this module

    ticket = selectors.ticket_detail_queryset(user=user).filter(pk=ticket_pk(ticket_id)).first()
    if ticket is None:
        raise _not_found()
    return ticket


def access_ticket_message(*, user: Any, message_id: int) -> TicketMessage:
    """The message ``message_id`` with author and attachments, if ``user`` may see its ticket;
    ``not_found`` (404) otherwise."""
    from tenant_apps.tickets import selectors  # the message's shape; selectors import this module

    visible = tickets_visible_to(user).values("pk")
    message = selectors.message_queryset().filter(pk=message_id, ticket__in=visible).first()
    if message is None:
        raise NotFound("No such message.")
    return message


def ticket_pk(ticket_id: Any) -> int:
    """``ticket_id`` (from a URL or a request body) as a primary key; ``not_found`` (404) if it is not a
    positive 64-bit integer."""
    try:
        pk = int(ticket_id)
    except (TypeError, ValueError):
        raise _not_found() from None
    if not 0 < pk < 2**63:
        raise _not_found()
    return pk


def _not_found() -> ApplicationError:
    return NotFound("No such ticket.")
