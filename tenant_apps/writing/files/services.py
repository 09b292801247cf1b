"""Writes on order files, in the current writing schema.

Locks: adding and removing a file lock the order (``orders.locks.order_with_invoice_lock``: its
invoice, then the order), so the order's status the rules read cannot change before the file is
stored (an attachment never lands on an order cancelled meanwhile); this app has no rows of its
own to lock. Each write is atomic, audited on the order (``audit_record``) and notifies the people
it concerns (``notify``, published after commit) without naming the client to writers and editors.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from saas.errors import ApplicationError, NotFound
from tenant_apps.accounts.models import User
from tenant_apps.audit.services import audit_record
from tenant_apps.files.services import file_store
from tenant_apps.files.validators import validate_upload
from tenant_apps.notifications.services import notify
from tenant_apps.writing.files.access import check_remove, upload_role
from tenant_apps.writing.files.models import FileCategory, OrderFile
from tenant_apps.writing.kind import EDITOR
from tenant_apps.writing.orders.locks import order_with_invoice_lock
from tenant_apps.writing.orders.models import Order


def _facts(order: Order, order_file: OrderFile) -> dict[str, Any]:
    """What a notification says: the order (no one's identity) and the file's category and role."""
    return {
        "order": order.pk,
        "number": order.number,
        "status": order.status,
        "topic": order.topic[:120],
        "order_file": order_file.pk,
        "category": order_file.category,
        "uploader_role": order_file.uploader_role,
    }


def _recipients(order: Order, order_file: OrderFile, actor: Any) -> list[Any]:
    """Who hears of a new file: an attachment, the writer (and the client, when support added it);
    a draft, the order's editor; the writer's final, the order's editor or else every editor; an
    editor's final, the writer. Never ``actor``."""
    found: list[Any] = []
    if order_file.category == FileCategory.ATTACHMENT:
        found = [order.writer, order.client]
    elif order_file.category == FileCategory.DRAFT:
        found = [order.editor]
    elif actor.pk == order.writer_id:
        found = [order.editor] if order.editor_id else list(User.objects.filter(groups__name=EDITOR, is_active=True))
    else:
        found = [order.writer]
    seen: set[int] = set()
    recipients = []
    for user in found:
        if user is not None and user.pk != actor.pk and user.pk not in seen:
            seen.add(user.pk)
            recipients.append(user)
    return recipients


def order_file_add(*, actor: Any, order: Order, upload: UploadedFile, category: str) -> OrderFile:
    """Store ``upload`` as a file of ``category`` (``attachment``, ``draft``, ``final``) of ``order``
    for ``actor`` (who sees it: ``access.upload_role`` says who may add what, and when).

    Audited (``writing_order.file_added`` on the order: the stored file's id, the category, the
    role); the people concerned are notified (``writing_order.file_added``). Raises
    ``ApplicationError`` 400 ``validation_error`` (unknown category), the files app's
    ``empty_file`` (400), ``file_too_large`` (413), ``unsupported_file_type`` (415);
    ``PermissionDenied`` (403), ``Conflict`` (409 ``conflict``: not in this status).
    """
    if category not in FileCategory.values:
        raise ApplicationError("Unknown category.", details={"category": ["attachment, draft or final."]})
    validate_upload(upload)  # refuse a bad file before taking the order's lock
    with transaction.atomic():
        locked = order_with_invoice_lock(order.pk)
        role = upload_role(actor, locked, category)
        stored = file_store(upload=upload, uploaded_by=actor)
        order_file = OrderFile.objects.create(
            order=locked, file=stored, category=category, uploaded_by=actor, uploader_role=role
        )
        audit_record(
            actor=actor,
            verb="writing_order.file_added",
            target=locked,
            changes={"order_file": order_file.pk, "file": str(stored.pk), "category": category, "role": role},
        )
        for recipient in _recipients(locked, order_file, actor):
            notify(
                recipient=recipient,
                verb="writing_order.file_added",
                target=locked,
                extra_data=_facts(locked, order_file),
            )
    return order_file


def order_file_remove(*, actor: Any, order_file: OrderFile) -> None:
    """Remove ``order_file`` from its order (an attachment or a draft, by its uploader or an
    admin, before delivery: ``access.check_remove``). The stored file stays, readable by its
    uploader and the admins only. Audited (``writing_order.file_removed``).

    Raises ``PermissionDenied`` (403), ``Conflict`` (409 ``conflict``: delivered), ``NotFound``
    (404: removed meanwhile).
    """
    with transaction.atomic():
        locked = order_with_invoice_lock(order_file.order_id)
        current = OrderFile.objects.filter(pk=order_file.pk).first()
        if current is None:
            raise NotFound("No such file.")
        check_remove(actor, current, locked)
        audit_record(
            actor=actor,
            verb="writing_order.file_removed",
            target=locked,
            changes={"order_file": current.pk, "file": str(current.file_id), "category": current.category},
        )
        current.delete()
