"""The site's order settings: read (``order_settings``) and changed by an admin."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from saas.errors import ApplicationError, PermissionDenied
from tenant_apps.audit.services import audit_record
from tenant_apps.writing.orders.access import is_order_admin
from tenant_apps.writing.orders.locks import settings_lock
from tenant_apps.writing.orders.models import AssignmentMode, EarningMode, OrderSettings
from tenant_apps.writing.orders.services._common import order_settings

#: The longest free-revision window, in days.
MAX_REVISION_DAYS = 365


def order_settings_update(
    *,
    actor: Any,
    assignment_mode: str | None = None,
    earning_mode: str | None = None,
    free_revision_days: int | None = None,
) -> OrderSettings:
    """Change the given order settings (``None``: unchanged) for admin ``actor``; audited
    (``writing_order_settings.updated``, the changed fields ``[before, after]``).

    ``assignment_mode``: ``admin`` or ``first_request``; ``earning_mode``: ``share`` or
    ``per_page`` (how writers' levels set their earnings, for orders completed from then on);
    ``free_revision_days``: 0 to 365. Raises ``PermissionDenied`` (403: not an admin),
    ``ApplicationError`` 400 ``validation_error`` (``details`` naming the field).
    """
    if not is_order_admin(actor):
        raise PermissionDenied("Only admins change the order settings.")
    if assignment_mode is not None and assignment_mode not in AssignmentMode.values:
        raise ApplicationError("Unknown assignment mode.", details={"assignment_mode": ["admin or first_request."]})
    if earning_mode is not None and earning_mode not in EarningMode.values:
        raise ApplicationError("Unknown earning mode.", details={"earning_mode": ["share or per_page."]})
    if free_revision_days is not None and not 0 <= free_revision_days <= MAX_REVISION_DAYS:
        raise ApplicationError(
            f"From 0 to {MAX_REVISION_DAYS}.", details={"free_revision_days": [f"From 0 to {MAX_REVISION_DAYS}."]}
        )
    order_settings()
    with transaction.atomic():
        row = settings_lock()
        changes: dict[str, list[str]] = {}
        for field, value in (
            ("assignment_mode", assignment_mode),
            ("earning_mode", earning_mode),
            ("free_revision_days", free_revision_days),
        ):
            if value is not None and getattr(row, field) != value:
                changes[field] = [str(getattr(row, field)), str(value)]
                setattr(row, field, value)
        if changes:
            row.save()
            audit_record(actor=actor, verb="writing_order_settings.updated", target=row, changes=changes)
    return row
