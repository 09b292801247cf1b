"""Writes on inquiries. Each service is atomic, checks who may act, writes an audit row and tells
"the other side" inside its transaction (notifications); e-mail goes out after commit
(``emails.services.email_send``).

Locking: every change takes ``SELECT ... FOR NO KEY UPDATE`` on the one inquiry row
(``access.access_inquiry(lock=True)``, through ``locks.inquiry_lock``) before reading the state it
changes, so two admins assigning at once, or an agent resolving while an admin closes, are applied
one after the other and the second sees the first's result (and may get 409). No service locks
another row, so there is no lock order to respect.

Status rules are the table of ``transitions.py``. A message changes no status.

"The other side" of a change, told by a notification (users) and an e-mail:

* when staff (the agent, an admin) act: the author (a notification if they have an account, an
  e-mail to the inquiry's address always: a visitor reads the answers there), and the assigned
  agent when an admin acted for them;
* when the author acts: the assigned agent (notification and e-mail), or, while nobody is
  assigned, the site's admins and agents (notifications: the queue).

Nobody is told about what they did themselves.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from saas.db.tenant import current_kind, site_url
from saas.errors import ApplicationError, Conflict, ErrorCode, PermissionDenied
from tenant_apps.accounts.models import User
from tenant_apps.audit.services import audit_record
from tenant_apps.emails.services import email_send
from tenant_apps.notifications.services import notify
from tenant_apps.rental.bookings.access import bookings_visible_to
from tenant_apps.rental.inquiries import transitions
from tenant_apps.rental.inquiries.access import (
    access_inquiry,
    can_change_inquiry,
    grant_participant,
    parties_of,
    revoke_participant,
)
from tenant_apps.rental.inquiries.models import Inquiry, InquiryMessage, InquirySeverity, InquiryStatus
from tenant_apps.rental.inquiries.selectors import queue_watchers
from tenant_apps.rental.kind import CUSTOMER_SERVICE
from tenant_apps.rental.properties.models import Property

SUBJECT_MAX_LENGTH = Inquiry._meta.get_field("subject").max_length or 200
NAME_MAX_LENGTH = Inquiry._meta.get_field("name").max_length or 200
#: Characters of an inquiry's text or a message quoted in an e-mail.
EMAIL_EXCERPT_CHARS = 2000


def inquiry_open(
    *,
    author: User | None,
    subject: str,
    message: str,
    severity: str = InquirySeverity.MEDIUM,
    email: str = "",
    name: str = "",
    property_id: int | None = None,
    booking_id: int | None = None,
) -> Inquiry:
    """Open an inquiry: ``subject`` (one line, at most 200 characters; runs of white space become
    one space), ``message`` (its text), ``severity`` (``low``, ``medium``, ``high``, ``urgent``),
    optionally about the property ``property_id`` (a published one) and/or the booking
    ``booking_id`` (one ``author`` may see, ``bookings.access.bookings_visible_to``; the property
    is then the booking's).

    ``author`` is the signed-in user (their account's e-mail and name are used; ``email`` and
    ``name`` are ignored) or ``None`` for a visitor, who must give ``email`` (where every answer
    goes) and may give ``name``. A visitor cannot name a booking.

    The author gets guardian view/change on it; the site's admins and agents are notified
    (``inquiry.opened``); an acknowledgement is e-mailed to the author's address after commit
    (template ``emails/inquiry_received``). Audited as ``inquiry.opened``.

    Raises ``ApplicationError`` (400 ``validation_error``): subject, message, severity, email,
    name, property (missing or unpublished: alike), booking (missing or not yours: alike, or of
    another property than ``property_id``).
    """
    subject = _clean_subject(subject)
    if not (message or "").strip():
        raise _validation("message", "Write a message.")
    if severity not in InquirySeverity.values:
        raise _validation("severity", f"Choose from: {', '.join(InquirySeverity.values)}.")
    if author is not None:
        email, name = author.email, author.get_full_name()
    else:
        email = (email or "").strip()
        try:
            validate_email(email)
        except ValidationError:
            raise _validation("email", "Give an e-mail address: the answers are sent there.") from None
        name = " ".join((name or "").split())
        if len(name) > NAME_MAX_LENGTH:
            raise _validation("name", f"At most {NAME_MAX_LENGTH} characters.")
    with transaction.atomic():
        prop = _visible_property(author, property_id) if property_id is not None else None
        booking = None
        if booking_id is not None:
            if author is not None:
                booking = bookings_visible_to(author).select_related("property").filter(pk=_pk(booking_id)).first()
            if booking is None:
                raise _validation("booking", "No such booking of yours.")
            if prop is not None and booking.property_id != prop.pk:
                raise _validation("booking", "This booking is of another property.")
            prop = booking.property
        inquiry = Inquiry.objects.create(
            subject=subject,
            message=message.strip(),
            severity=severity,
            status=InquiryStatus.NEW,
            created_by=author,
            name=name[:NAME_MAX_LENGTH],
            email=email,
            property=prop,
            booking=booking,
        )
        if author is not None:
            grant_participant(author, inquiry)
        audit_record(
            actor=author,
            verb="inquiry.opened",
            target=inquiry,
            changes={
                "status": [None, inquiry.status],
                "severity": severity,
                "property": prop.pk if prop else None,
                "booking": booking.pk if booking else None,
                "visitor": author is None,
            },
        )
        watchers = queue_watchers() if author is None else queue_watchers().exclude(pk=author.pk)
        for person in watchers:
            notify(recipient=person, verb="inquiry.opened", target=inquiry, extra_data=_summary(inquiry))
        email_send(
            to=[inquiry.email],
            subject=f"We received your inquiry #{inquiry.pk}: {inquiry.subject}"[:200],
            template="inquiry_received",
            context={**_email_context(inquiry), "body": _excerpt(inquiry.message)},
        )
    return inquiry


def inquiry_assign(*, actor: User, inquiry_id: Any, agent_id: int) -> Inquiry:
    """Assign the inquiry to the active customer-service agent ``agent_id``; it becomes ``assigned``.

    Admins assign any inquiry that is new, assigned or in progress (reassigning an inquiry in progress
    makes it ``assigned``: the new agent starts it); an agent may claim a ``new`` inquiry for
    themself (``agent_id`` their own id), nothing else. The agent gets guardian view/change on it,
    the previous agent loses them (unless they opened it). Assigning the current agent again changes
    nothing. Audited (``inquiry.assigned``, ``changes.assigned_to = [old id, new id]``); the new agent
    is notified, the previous one told it is gone (its id only), the author notified and e-mailed.
    Locks the inquiry row.

    Raises ``ApplicationError``: ``not_found`` (404), ``permission_denied`` (403), ``invalid_assignee``
    (400: not an active agent of this site), ``invalid_status_transition`` (409: resolved or closed).
    """
    with transaction.atomic():
        inquiry = access_inquiry(user=actor, inquiry_id=inquiry_id, lock=True)
        parties = parties_of(actor, inquiry)
        transitions.check_transition(current=inquiry.status, wanted=InquiryStatus.ASSIGNED, parties=parties)
        if transitions.ADMIN not in parties and agent_id != actor.pk:
            raise PermissionDenied("Agents may only take an inquiry for themselves; admins assign others.")
        agent = _agent(agent_id)
        old = inquiry.assigned_to
        if old is not None and old.pk == agent.pk:
            return inquiry
        if old is not None and old.pk != inquiry.created_by_id:
            revoke_participant(old, inquiry)
        grant_participant(agent, inquiry)
        before = inquiry.status
        inquiry.assigned_to = agent
        inquiry.status = InquiryStatus.ASSIGNED
        inquiry.save(update_fields=["assigned_to", "status", "updated_at"])
        changes: dict[str, Any] = {"assigned_to": [old.pk if old else None, agent.pk]}
        if before != inquiry.status:
            changes["status"] = [before, inquiry.status]
        audit_record(actor=actor, verb="inquiry.assigned", target=inquiry, changes=changes)
        told: set[int] = {actor.pk}
        if agent.pk not in told:
            notify(recipient=agent, verb="inquiry.assigned", target=inquiry, extra_data=_summary(inquiry))
            told.add(agent.pk)
        if old is not None and old.pk not in told and old.is_active:
            # They may no longer see it: its id only.
            notify(recipient=old, verb="inquiry.unassigned", target=inquiry, extra_data={"inquiry_id": inquiry.pk})
            told.add(old.pk)
        _tell_author(
            inquiry,
            actor=actor,
            verb="inquiry.assigned",
            headline=f"{agent.get_full_name() or 'An agent'} is now looking after your inquiry.",
        )
    return inquiry


def inquiry_set_status(*, actor: User, inquiry_id: Any, status: str) -> Inquiry:
    """Move the inquiry to ``status`` (``in_progress``, ``resolved`` or ``closed``) as the table of
    ``transitions.py`` allows ``actor`` (``assigned`` comes from ``inquiry_assign`` only).
    ``resolved_at``/``closed_at`` are stamped (reopening clears ``resolved_at``). Audited
    (``inquiry.status_changed``, ``changes.status = [old, new]``); the other side is notified and
    e-mailed. Locks the inquiry row.

    Raises ``ApplicationError``: ``not_found`` (404), ``permission_denied`` (403: a valid move this
    actor may not make), ``invalid_status_transition`` (409: a move nobody may make).
    """
    with transaction.atomic():
        inquiry = access_inquiry(user=actor, inquiry_id=inquiry_id, lock=True)
        if status not in transitions.SETTABLE_STATUSES:
            raise transitions.invalid_transition(inquiry.status, status)
        transitions.check_transition(current=inquiry.status, wanted=status, parties=parties_of(actor, inquiry))
        before = inquiry.status
        now = timezone.now()
        inquiry.status = status
        if status == InquiryStatus.RESOLVED:
            inquiry.resolved_at = now
        elif status == InquiryStatus.IN_PROGRESS:
            inquiry.resolved_at = None
        elif status == InquiryStatus.CLOSED:
            inquiry.closed_at = now
        inquiry.save(update_fields=["status", "resolved_at", "closed_at", "updated_at"])
        audit_record(actor=actor, verb="inquiry.status_changed", target=inquiry, changes={"status": [before, status]})
        headline = f"Your inquiry is now {inquiry.get_status_display().lower()}."
        _tell_other_side(inquiry, actor=actor, verb="inquiry.status_changed", headline=headline)
    return inquiry


def inquiry_message_add(*, actor: User, inquiry_id: Any, body: str) -> InquiryMessage:
    """Add ``actor``'s message ``body`` to the inquiry: its author, its assigned agent or an admin
    (an agent must take an inquiry from the queue before answering it). A visitor cannot post
    (no account); what staff write reaches them by e-mail. The status does not change. Audited
    (``inquiry.message_added``); the other side is notified and e-mailed the message. Locks the
    inquiry row.

    Raises ``ApplicationError``: ``not_found`` (404), ``permission_denied`` (403),
    ``inquiry_closed`` (409), ``validation_error`` (400: empty body).
    """
    if not (body or "").strip():
        raise _validation("body", "Write a message.")
    with transaction.atomic():
        inquiry = access_inquiry(user=actor, inquiry_id=inquiry_id, lock=True)
        if not can_change_inquiry(actor, inquiry):
            raise PermissionDenied("Take this inquiry from the queue before answering it.")
        if inquiry.status == InquiryStatus.CLOSED:
            raise Conflict("This inquiry is closed.", code=ErrorCode.INQUIRY_CLOSED)
        message = InquiryMessage.objects.create(inquiry=inquiry, author=actor, body=body.strip())
        inquiry.save(update_fields=["updated_at"])
        audit_record(actor=actor, verb="inquiry.message_added", target=inquiry, changes={"message": message.pk})
        _tell_other_side(
            inquiry,
            actor=actor,
            verb="inquiry.message_added",
            headline=f"{actor.get_full_name() or 'Someone'} wrote:",
            body=message.body,
            extra={"message_id": message.pk},
        )
    return message


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _tell_other_side(
    inquiry: Inquiry,
    *,
    actor: User,
    verb: str,
    headline: str,
    body: str = "",
    extra: dict[str, Any] | None = None,
) -> None:
    """Notify and e-mail the other side of ``actor`` (see the module docstring)."""
    _tell_author(inquiry, actor=actor, verb=verb, headline=headline, body=body, extra=extra)
    agent = inquiry.assigned_to
    if agent is not None:
        if agent.pk != actor.pk and agent.is_active:
            notify(recipient=agent, verb=verb, target=inquiry, extra_data={**_summary(inquiry), **(extra or {})})
            _email(inquiry, to=agent.email, headline=headline, body=body, for_staff=True)
    elif inquiry.created_by_id == actor.pk:
        for person in queue_watchers().exclude(pk=actor.pk):
            notify(recipient=person, verb=verb, target=inquiry, extra_data={**_summary(inquiry), **(extra or {})})


def _tell_author(
    inquiry: Inquiry,
    *,
    actor: User,
    verb: str,
    headline: str,
    body: str = "",
    extra: dict[str, Any] | None = None,
) -> None:
    """Notify the author (an account) and e-mail the inquiry's address, unless ``actor`` is the author."""
    if inquiry.created_by_id is not None and inquiry.created_by_id == actor.pk:
        return
    author = inquiry.created_by
    if author is not None and author.is_active:
        notify(recipient=author, verb=verb, target=inquiry, extra_data={**_summary(inquiry), **(extra or {})})
    _email(inquiry, to=inquiry.email, headline=headline, body=body, for_staff=False)


def _email(inquiry: Inquiry, *, to: str, headline: str, body: str, for_staff: bool) -> None:
    email_send(
        to=[to],
        subject=f"Inquiry #{inquiry.pk}: {inquiry.subject}"[:200],
        template="inquiry_update",
        context={**_email_context(inquiry), "headline": headline, "body": _excerpt(body), "for_staff": for_staff},
    )


def _email_context(inquiry: Inquiry) -> dict[str, Any]:
    return {
        "inquiry_id": inquiry.pk,
        "subject": inquiry.subject,
        "status": inquiry.get_status_display(),
        "severity": inquiry.get_severity_display(),
        "name": inquiry.name,
        "inquiry_url": _inquiry_url(inquiry) if inquiry.created_by_id is not None else "",
    }


def _inquiry_url(inquiry: Inquiry) -> str:
    """Where the inquiry is read through the API on this site (e-mails to account holders link it)."""
    try:
        urlconf = str(settings.TENANT_TYPES[current_kind()]["URLCONF"])
        return site_url(reverse("inquiry-detail", urlconf=urlconf, kwargs={"pk": inquiry.pk}))
    except (KeyError, NoReverseMatch):
        return ""


def _excerpt(text: str) -> str:
    return text if len(text) <= EMAIL_EXCERPT_CHARS else f"{text[:EMAIL_EXCERPT_CHARS]} [...]"


def _summary(inquiry: Inquiry) -> dict[str, Any]:
    return {
        "inquiry_id": inquiry.pk,
        "subject": inquiry.subject,
        "status": inquiry.status,
        "severity": inquiry.severity,
    }


def _visible_property(author: User | None, property_id: Any) -> Property:
    from tenant_apps.rental.properties.access import properties_visible_to

    prop = properties_visible_to(author or AnonymousUser()).filter(pk=_pk(property_id)).first()
    if prop is None:
        raise _validation("property", "No such property.")
    return prop


def _agent(agent_id: Any) -> User:
    pk = _pk(agent_id)
    agent = User.objects.filter(pk=pk, is_active=True, groups__name=CUSTOMER_SERVICE).first() if pk else None
    if agent is None:
        raise ApplicationError(
            "No active customer-service agent of this site has this id.",
            code=ErrorCode.INVALID_ASSIGNEE,
            details={"agent": ["No active customer-service agent with this id."]},
        )
    return agent


def _pk(value: Any) -> int:
    """``value`` as a primary key, 0 (matches nothing) unless a positive 64-bit integer."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return 0
    return pk if 0 < pk < 2**63 else 0


def _validation(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, code=ErrorCode.VALIDATION_ERROR, details={field: [message]})


def _clean_subject(subject: str) -> str:
    cleaned = " ".join((subject or "").split())
    if not cleaned:
        raise _validation("subject", "Give the inquiry a subject.")
    if len(cleaned) > SUBJECT_MAX_LENGTH:
        raise _validation("subject", f"At most {SUBJECT_MAX_LENGTH} characters.")
    return cleaned
