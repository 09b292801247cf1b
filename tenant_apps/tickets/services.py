"""Writes on tickets. Each service is atomic, checks who may act, writes an audit row and
notifies the other party inside its transaction; e-mail goes out after commit.

Locking: every state change takes ``SELECT ... FOR NO KEY UPDATE`` on the one ticket row
(``access.access_ticket(lock=True)``, through ``locks.ticket_lock``) before reading the state it
changes; no service locks more than one ticket or takes another lock, so there is no lock order to
respect. The ticket's stored ``message_count`` is one such state: a reply counts the conversation
again while it holds the lock, so two replies at once cannot each miss the other's message.

Status rules:

* a new ticket is ``open``;
* a reply by the creator makes it ``open`` (waiting for support), a reply by anyone else
  (support staff, the assignee) makes it ``answered`` (waiting for the creator);
* ``ticket_close`` makes it ``closed``; a closed ticket refuses replies (409 ``ticket_closed``)
  until ``ticket_reopen`` makes it ``open`` again;
* whoever may reply may close and reopen: the creator, the assignee and support staff.

"The other party" told about a change (``notify``): the creator and the assignee, except whoever
acted; while nobody is assigned, what the creator does goes to all support staff.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from saas.api.errors import ApplicationError
from saas.db.tenant import current_kind, site_url
from saas.errors import Conflict, ErrorCode, PermissionDenied
from tenant_apps.accounts.models import User
from tenant_apps.audit.services import audit_record
from tenant_apps.emails.services import email_send
from tenant_apps.files.models import StoredFile
from tenant_apps.notifications.services import notify
from tenant_apps.tickets.access import access_ticket, grant_participant, revoke_participant
from tenant_apps.tickets.models import Ticket, TicketAttachment, TicketMessage, TicketPriority, TicketStatus
from tenant_apps.tickets.roles import is_support_staff
from tenant_apps.tickets.selectors import support_staff
from tenant_apps.tickets.targets import resolve_ticket_target

#: Files one message may carry.
MAX_ATTACHMENTS = 10
#: Characters of the first message quoted in the new-ticket e-mail.
EMAIL_EXCERPT_CHARS = 2000
SUBJECT_MAX_LENGTH = Ticket._meta.get_field("subject").max_length or 200


def ticket_create(
    *,
    created_by: User,
    subject: str,
    body: str,
    priority: str = TicketPriority.NORMAL,
    target_type: str | None = None,
    target_id: str | None = None,
    attachment_ids: Iterable[Any] = (),
) -> Ticket:
    """Open a ticket: ``subject`` (one line, at most 200 characters; runs of white space, line
    breaks included, become one space), the first message ``body`` with ``attachment_ids``
    (files ``created_by`` uploaded through ``POST /api/v1/files/``, at most ``MAX_ATTACHMENTS``),
    ``priority`` (``low``, ``normal``, ``high``, ``urgent``) and optionally the object it is
    about (``target_type`` ``"app_label.model"`` + ``target_id``, see ``targets.py``).

    The creator gets guardian view/change on the ticket. Support staff (but the creator) are
    notified and, after commit, e-mailed one message each (template ``emails/ticket_created``).

    Raises ``ApplicationError`` (400): ``validation_error`` (subject, body, priority),
    ``invalid_target``, ``invalid_attachment``.
    """
    subject = _clean_subject(subject)
    if not (body or "").strip():
        raise _validation("body", "Write a message.")
    if priority not in TicketPriority.values:
        raise _validation("priority", f"Choose from: {', '.join(TicketPriority.values)}.")
    target = None
    if target_type is not None or target_id is not None:
        target = resolve_ticket_target(user=created_by, target_type=target_type or "", target_id=target_id or "")
    with transaction.atomic():
        files = _own_files(user=created_by, ids=attachment_ids)
        ticket = Ticket.objects.create(
            subject=subject,
            priority=priority,
            created_by=created_by,
            status=TicketStatus.OPEN,
            target_type=ContentType.objects.get_for_model(target) if target is not None else None,
            target_id=str(target.pk) if target is not None else "",
            message_count=1,  # the first message, added next in this transaction
        )
        message = _add_message(ticket=ticket, author=created_by, body=body, files=files)
        grant_participant(created_by, ticket)
        audit_record(
            actor=created_by,
            verb="ticket.created",
            target=ticket,
            changes={
                "status": [None, ticket.status],
                "priority": ticket.priority,
                "target": _target_label(ticket),
                "message": message.pk,
                "attachments": [str(f.pk) for f in files],
            },
        )
        staff = list(support_staff().exclude(pk=created_by.pk))
        for member in staff:
            notify(
                recipient=member,
                verb="ticket.created",
                target=ticket,
                extra_data={**_summary(ticket), "created_by": created_by.get_full_name()},
            )
        _email_support(ticket=ticket, message=message, recipients=staff)
    return ticket


def ticket_reply(*, actor: User, ticket_id: Any, body: str, attachment_ids: Iterable[Any] = ()) -> TicketMessage:
    """Add ``actor``'s message (``body`` and/or ``attachment_ids``, files ``actor`` uploaded) to
    the ticket and move its status (creator: ``open``, anyone else: ``answered``); the other
    party is notified (``ticket.replied``). Locks the ticket row.

    Raises ``ApplicationError``: ``not_found`` (404: no such ticket, or ``actor`` may not see
    it), ``permission_denied`` (403), ``ticket_closed`` (409), ``invalid_attachment`` and
    ``validation_error`` (400: neither text nor files).
    """
    with transaction.atomic():
        ticket = access_ticket(user=actor, ticket_id=ticket_id, for_change=True, lock=True)
        if ticket.status == TicketStatus.CLOSED:
            raise Conflict("This ticket is closed. Reopen it to reply.", code=ErrorCode.TICKET_CLOSED)
        files = _own_files(user=actor, ids=attachment_ids)
        if not (body or "").strip() and not files:
            raise _validation("body", "Write a message or attach a file.")
        message = _add_message(ticket=ticket, author=actor, body=body or "", files=files)
        _recount_messages(ticket)
        old = ticket.status
        ticket.status = TicketStatus.OPEN if actor.pk == ticket.created_by_id else TicketStatus.ANSWERED
        ticket.save(update_fields=["status", "message_count", "updated_at"])
        changes: dict[str, Any] = {"message": message.pk, "attachments": [str(f.pk) for f in files]}
        if old != ticket.status:
            changes["status"] = [old, ticket.status]
        audit_record(actor=actor, verb="ticket.replied", target=ticket, changes=changes)
        for person in _other_party(ticket, actor):
            notify(
                recipient=person,
                verb="ticket.replied",
                target=ticket,
                extra_data={**_summary(ticket), "message_id": message.pk},
            )
    return message


def ticket_prioritise(*, actor: User, ticket_id: Any, priority: str) -> Ticket:
    """Set the ticket's ``priority`` (a ``TicketPriority`` value). Support staff only; audited
    (``ticket.prioritised``, ``changes.priority = [old, new]``). The same priority again changes
    nothing. Locks the ticket row.

    Raises ``ApplicationError``: ``permission_denied`` (403), ``not_found`` (404).
    """
    if not is_support_staff(actor):
        raise PermissionDenied("Only the site's support staff may change a ticket's priority.")
    with transaction.atomic():
        ticket = access_ticket(user=actor, ticket_id=ticket_id, for_change=True, lock=True)
        if ticket.priority == priority:
            return ticket
        before = ticket.priority
        ticket.priority = priority
        ticket.save(update_fields=["priority", "updated_at"])
        audit_record(actor=actor, verb="ticket.prioritised", target=ticket, changes={"priority": [before, priority]})
    return ticket


def ticket_assign(*, actor: User, ticket_id: Any, assignee_id: int | None) -> Ticket:
    """Assign the ticket to the active user ``assignee_id`` of this site (``None``: nobody).
    Support staff only. The assignee gets guardian view/change on the ticket; the previous
    assignee loses them (unless they created it). Audited (``ticket.assigned`` /
    ``ticket.unassigned``, ``changes.assignee = [old id, new id]``); the new assignee, the
    previous one and the creator are notified, except whoever acted. Assigning the current
    assignee again changes nothing. Locks the ticket row.

    Raises ``ApplicationError``: ``permission_denied`` (403: not support staff), ``not_found``
    (404), ``invalid_assignee`` (400).
    """
    if not is_support_staff(actor):
        raise PermissionDenied("Only the site's support staff may assign tickets.")
    with transaction.atomic():
        ticket = access_ticket(user=actor, ticket_id=ticket_id, for_change=True, lock=True)
        new = None
        if assignee_id is not None:
            new = User.objects.filter(pk=assignee_id, is_active=True).first() if 0 < assignee_id < 2**63 else None
            if new is None:
                raise ApplicationError(
                    "No active user of this site has this id.",
                    code=ErrorCode.INVALID_ASSIGNEE,
                    details={"assignee": ["No active user with this id."]},
                )
        old = ticket.assignee
        if (old.pk if old else None) == (new.pk if new else None):
            return ticket
        if old is not None and old.pk != ticket.created_by_id:
            revoke_participant(old, ticket)
        if new is not None:
            grant_participant(new, ticket)
        ticket.assignee = new
        ticket.save(update_fields=["assignee", "updated_at"])
        audit_record(
            actor=actor,
            verb="ticket.assigned" if new else "ticket.unassigned",
            target=ticket,
            changes={"assignee": [old.pk if old else None, new.pk if new else None]},
        )
        told: set[int] = {actor.pk}
        if new is not None and new.pk not in told:
            notify(recipient=new, verb="ticket.assigned", target=ticket, extra_data=_summary(ticket))
            told.add(new.pk)
        if old is not None and old.pk not in told:
            # They may no longer see the ticket: its id only.
            notify(recipient=old, verb="ticket.unassigned", target=ticket, extra_data={"ticket_id": ticket.pk})
            told.add(old.pk)
        if ticket.created_by_id not in told:
            notify(
                recipient=ticket.created_by,
                verb="ticket.assigned" if new else "ticket.unassigned",
                target=ticket,
                extra_data=_summary(ticket),
            )
    return ticket


def ticket_close(*, actor: User, ticket_id: Any) -> Ticket:
    """Close the ticket (creator, assignee or support staff); audited as ``ticket.closed`` and the
    other party notified. Locks the ticket row.

    Raises ``ApplicationError``: ``not_found`` (404), ``permission_denied`` (403),
    ``invalid_status_transition`` (409: already closed).
    """
    with transaction.atomic():
        ticket = access_ticket(user=actor, ticket_id=ticket_id, for_change=True, lock=True)
        if ticket.status == TicketStatus.CLOSED:
            raise _invalid_transition(ticket, TicketStatus.CLOSED)
        _set_status(ticket, actor=actor, status=TicketStatus.CLOSED, verb="ticket.closed")
    return ticket


def ticket_reopen(*, actor: User, ticket_id: Any) -> Ticket:
    """Reopen a closed ticket (creator, assignee or support staff): it becomes ``open``; audited
    as ``ticket.reopened`` and the other party notified. Locks the ticket row.

    Raises ``ApplicationError``: ``not_found`` (404), ``permission_denied`` (403),
    ``invalid_status_transition`` (409: not closed).
    """
    with transaction.atomic():
        ticket = access_ticket(user=actor, ticket_id=ticket_id, for_change=True, lock=True)
        if ticket.status != TicketStatus.CLOSED:
            raise _invalid_transition(ticket, TicketStatus.OPEN)
        _set_status(ticket, actor=actor, status=TicketStatus.OPEN, verb="ticket.reopened")
    return ticket


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _set_status(ticket: Ticket, *, actor: User, status: str, verb: str) -> None:
    old = ticket.status
    ticket.status = status
    ticket.closed_at = timezone.now() if status == TicketStatus.CLOSED else None
    ticket.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(actor=actor, verb=verb, target=ticket, changes={"status": [old, status]})
    for person in _other_party(ticket, actor):
        notify(recipient=person, verb=verb, target=ticket, extra_data=_summary(ticket))


def _invalid_transition(ticket: Ticket, wanted: str) -> ApplicationError:
    return Conflict(
        f"A ticket that is {ticket.status} cannot become {wanted}.",
        code=ErrorCode.INVALID_STATUS_TRANSITION,
        details={"status": ticket.status},
    )


def _validation(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, code=ErrorCode.VALIDATION_ERROR, details={field: [message]})


def _clean_subject(subject: str) -> str:
    cleaned = " ".join((subject or "").split())
    if not cleaned:
        raise _validation("subject", "Give the ticket a subject.")
    if len(cleaned) > SUBJECT_MAX_LENGTH:
        raise _validation("subject", f"At most {SUBJECT_MAX_LENGTH} characters.")
    return cleaned


def _own_files(*, user: User, ids: Iterable[Any]) -> list[StoredFile]:
    """The files ``ids`` (in order, duplicates dropped) if ``user`` uploaded every one of them."""
    wanted: list[uuid.UUID] = []
    for raw in ids:
        try:
            file_id = raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw))
        except ValueError:
            raise _invalid_attachment(f"{raw!s:.40} is not a file id.") from None
        if file_id not in wanted:
            wanted.append(file_id)
    if len(wanted) > MAX_ATTACHMENTS:
        raise _invalid_attachment(f"At most {MAX_ATTACHMENTS} files per message.")
    found = {f.pk: f for f in StoredFile.objects.filter(pk__in=wanted, uploaded_by=user)}
    missing = [str(file_id) for file_id in wanted if file_id not in found]
    if missing:
        # Someone else's file and no file at all are answered alike.
        raise _invalid_attachment(f"Attach only files you uploaded yourself; not: {', '.join(missing)}.")
    return [found[file_id] for file_id in wanted]


def _invalid_attachment(message: str) -> ApplicationError:
    return ApplicationError(message, code=ErrorCode.INVALID_ATTACHMENT, details={"attachments": [message]})


def _add_message(*, ticket: Ticket, author: User, body: str, files: list[StoredFile]) -> TicketMessage:
    message = TicketMessage.objects.create(ticket=ticket, author=author, body=body.strip())
    TicketAttachment.objects.bulk_create([TicketAttachment(message=message, file=f) for f in files])
    return message


def _recount_messages(ticket: Ticket) -> None:
    """Set ``ticket.message_count`` to its messages counted now (the caller saves it).

    The caller holds the ticket's row lock (``access_ticket(lock=True)``): two replies counting
    at the same moment would each see the committed messages and its own, not the other's. A
    count rather than ``+ 1`` also mends a count that went wrong some other way.
    """
    ticket.message_count = TicketMessage.objects.filter(ticket_id=ticket.pk).count()


def _other_party(ticket: Ticket, actor: User) -> list[User]:
    people: dict[int, User] = {}
    if ticket.created_by_id != actor.pk:
        people[ticket.created_by_id] = ticket.created_by
    assignee = ticket.assignee
    if assignee is not None and assignee.pk != actor.pk:
        people[assignee.pk] = assignee
    if assignee is None and ticket.created_by_id == actor.pk:
        for member in support_staff().exclude(pk=actor.pk):
            people.setdefault(member.pk, member)
    return [person for person in people.values() if person.is_active]


def _summary(ticket: Ticket) -> dict[str, Any]:
    return {"ticket_id": ticket.pk, "subject": ticket.subject, "status": ticket.status, "priority": ticket.priority}


def _target_label(ticket: Ticket) -> str | None:
    if ticket.target_type is None:
        return None
    return f"{ticket.target_type.app_label}.{ticket.target_type.model}:{ticket.target_id}"


def _ticket_url(ticket: Ticket) -> str:
    """Where the ticket is read through the API on this site (e-mails link to it)."""
    urlconf = str(settings.TENANT_TYPES[current_kind()]["URLCONF"])
    return site_url(reverse("ticket-detail", urlconf=urlconf, kwargs={"pk": ticket.pk}))


def _email_support(*, ticket: Ticket, message: TicketMessage, recipients: list[User]) -> None:
    """One e-mail per support-staff member (nobody sees the others' addresses; each retries alone)."""
    if not recipients:
        return
    creator = ticket.created_by
    body = message.body
    context = {
        "ticket_id": ticket.pk,
        "subject": ticket.subject,
        "priority": ticket.get_priority_display(),
        "created_by_name": creator.get_full_name(),
        "created_by_email": creator.email,
        "target": _target_label(ticket) or "",
        "body": body[:EMAIL_EXCERPT_CHARS],
        "body_truncated": len(body) > EMAIL_EXCERPT_CHARS,
        "attachment_count": message.attachments.count(),
        "ticket_url": _ticket_url(ticket),
    }
    subject = f"New ticket #{ticket.pk}: {ticket.subject}"[:200]
    for member in recipients:
        email_send(to=[member.email], subject=subject, template="ticket_created", context=context)
