"""Writes on order messages and the message settings, in the current writing schema.

Posting is atomic (the message, its stored attachments, the audit row and the notifications) and
locks nothing (``locks.py``); the settings are changed under their row's lock, taken alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import phonenumbers
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from saas.errors import ApplicationError, NotFound, PermissionDenied
from tenant_apps.audit.diff import apply_changes
from tenant_apps.audit.services import audit_record
from tenant_apps.files.services import file_store
from tenant_apps.files.validators import validate_upload
from tenant_apps.notifications.services import notify
from tenant_apps.writing.messages.access import author_role, can_join_thread
from tenant_apps.writing.messages.locks import settings_lock
from tenant_apps.writing.messages.masking import mask_contact_details
from tenant_apps.writing.messages.models import MessageSettings, OrderMessage
from tenant_apps.writing.orders.access import is_order_admin
from tenant_apps.writing.orders.models import Order

#: The longest message, in characters.
MAX_BODY = 10_000
#: Files one message may carry.
MAX_ATTACHMENTS = 5
#: The regions a phone number may be read in (ISO 3166-1 alpha-2, libphonenumber's list).
PHONE_REGIONS: tuple[str, ...] = tuple(sorted(phonenumbers.SUPPORTED_REGIONS))


def message_settings() -> MessageSettings:
    """The site's message settings (the row ``pk=1``, created with the defaults the first time)."""
    found, _ = MessageSettings.objects.get_or_create(pk=1)
    return found


def message_settings_update(
    *, actor: Any, block_contact_details: bool | None = None, phone_region: str | None = None
) -> MessageSettings:
    """Change the given message settings (``None``: unchanged) for admin ``actor``; audited
    (``writing_message_settings.updated``, the changed fields ``[before, after]``).

    ``block_contact_details``: mask e-mail addresses and phone numbers in new messages;
    ``phone_region``: one of ``PHONE_REGIONS`` (``"US"``). Raises ``PermissionDenied`` (403: not an
    admin), ``ApplicationError`` 400 ``validation_error`` (an unknown region).
    """
    if not is_order_admin(actor):
        raise PermissionDenied("Only admins change the message settings.")
    if phone_region is not None and phone_region not in PHONE_REGIONS:
        raise ApplicationError("Unknown region.", details={"phone_region": ["An ISO 3166-1 alpha-2 region."]})
    wanted: dict[str, Any] = {}
    if block_contact_details is not None:
        wanted["block_contact_details"] = block_contact_details
    if phone_region is not None:
        wanted["phone_region"] = phone_region
    message_settings()
    with transaction.atomic():
        row = settings_lock()
        changes = apply_changes(row, wanted)
        if changes:
            row.save()
            audit_record(actor=actor, verb="writing_message_settings.updated", target=row, changes=changes)
    return row


def _facts(order: Order, message: OrderMessage) -> dict[str, Any]:
    """What a notification says: the order (no one's identity), the author's role, the start of
    the (masked) body."""
    return {
        "order": order.pk,
        "number": order.number,
        "topic": order.topic[:120],
        "message": message.pk,
        "author_role": message.author_role,
        "excerpt": message.body[:200],
    }


def _others(order: Order, actor: Any) -> list[Any]:
    """The order's parties but ``actor``: its client, its writer, its editor (once it has one)."""
    found = []
    for user in (order.client, order.writer, order.editor):
        if user is not None and user.pk != actor.pk and user.is_active and user not in found:
            found.append(user)
    return found


def order_message_post(*, actor: Any, order: Order, body: str, uploads: Sequence[UploadedFile] = ()) -> OrderMessage:
    """Add ``actor``'s message to ``order``'s thread: ``body`` (at most ``MAX_BODY`` characters)
    and/or ``uploads`` (at most ``MAX_ATTACHMENTS`` files, stored by the files app).

    With the site's ``block_contact_details`` on, e-mail addresses and phone numbers in ``body``
    are replaced by ``[hidden]`` (``masking.py``), the message is flagged ``masked`` and the
    original body kept for support and admins. Audited (``writing_order.message_posted``: the
    message, whether masked, the files); the order's other parties are notified
    (``writing_order.message``: the author's role, never their name).

    Raises ``NotFound`` (404: not ``actor``'s thread), ``ApplicationError`` 400
    ``validation_error`` (empty, too long, too many files), the files app's ``empty_file`` (400),
    ``file_too_large`` (413), ``unsupported_file_type`` (415).
    """
    if not can_join_thread(actor, order):
        raise NotFound("No such order.")
    text = (body or "").strip()
    if len(text) > MAX_BODY:
        raise ApplicationError(f"At most {MAX_BODY} characters.", details={"body": [f"At most {MAX_BODY} characters."]})
    if len(uploads) > MAX_ATTACHMENTS:
        raise ApplicationError(
            f"At most {MAX_ATTACHMENTS} files.", details={"attachments": [f"At most {MAX_ATTACHMENTS} files."]}
        )
    if not text and not uploads:
        empty = "Write a message or attach a file."
        raise ApplicationError(empty, details={"body": [empty]})
    for upload in uploads:
        validate_upload(upload)
    settings = message_settings()
    masked = mask_contact_details(text, region=settings.phone_region) if settings.block_contact_details else None
    hidden = masked is not None and masked.masked
    with transaction.atomic():
        message = OrderMessage.objects.create(
            order=order,
            author=actor,
            author_role=author_role(actor, order),
            body=masked.text if masked is not None and hidden else text,
            original_body=text if hidden else "",
            masked=hidden,
        )
        files = [file_store(upload=upload, uploaded_by=actor) for upload in uploads]
        if files:
            message.attachments.set(files)
        audit_record(
            actor=actor,
            verb="writing_order.message_posted",
            target=order,
            changes={"message": message.pk, "masked": hidden, "attachments": [str(f.pk) for f in files]},
        )
        for recipient in _others(order, actor):
            notify(recipient=recipient, verb="writing_order.message", target=order, extra_data=_facts(order, message))
    return message
