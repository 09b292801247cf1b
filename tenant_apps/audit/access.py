"""Who may read the audit log: ``can_read_audit_log`` and the scope every read starts from
(``audit_entries_visible_to``).

The site's **admins** read the whole log; nobody else reads any of it (not even the rows about
themselves: an entry can name other people and what was done to them). Entries are only ever
listed (``GET /api/v1/audit-log/``), never fetched one by one, so there is no ``access_*`` fetch.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.kinds import ADMIN

#: Read the audit log.
AUDIT_READER_ROLES: tuple[str, ...] = (ADMIN,)


def can_read_audit_log(user: Any) -> bool:
    """Whether ``user`` may read the site's audit log (``admin``)."""
    return bool(user and user.is_authenticated and user_has_role(user, *AUDIT_READER_ROLES))


def audit_entries_visible_to(user: Any) -> QuerySet[AuditLogEntry]:
    """The entries ``user`` may read: all of them for audit readers, none for anyone else."""
    if not can_read_audit_log(user):
        return AuditLogEntry.objects.none()
    return AuditLogEntry.objects.all()
