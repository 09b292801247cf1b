"""Who may read a stored file: ``can_read_file``, and the checked fetches ``access_file`` (a user's
request) and ``access_signed_file`` (a download link, whose signature is the permission).

The uploader and the site's admins may always; any other app that attaches files registers a
rule: ``register_file_access(rule)``, where ``rule(user, stored_file) -> bool`` answers whether
``user`` may read the file through that app (for example: the file is attached to a ticket the
user may view). A file no rule grants is private to its uploader and the admins.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from saas.errors import NotFound
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.accounts.roles import ADMIN

FileAccessRule = Callable[[Any, Any], bool]

_rules: list[FileAccessRule] = []


def register_file_access(rule: FileAccessRule) -> FileAccessRule:
    """Add a rule (usable as a decorator); call it from the owning app's ``AppConfig.ready``."""
    if rule not in _rules:
        _rules.append(rule)
    return rule


def can_read_file(user: Any, stored_file: Any) -> bool:
    """Whether ``user`` may read ``stored_file``."""
    if not (user and user.is_authenticated):
        return False
    if stored_file.uploaded_by_id == user.pk or user_has_role(user, ADMIN):
        return True
    return any(rule(user, stored_file) for rule in _rules)


def access_file(*, user: Any, pk: Any) -> Any:
    """The ``StoredFile`` ``pk`` if ``user`` may read it; ``NotFound`` (404) otherwise, whether it
    exists or not (no existence leak)."""
    from tenant_apps.files.models import StoredFile

    stored = StoredFile.objects.filter(pk=pk).first()
    if stored is None or not can_read_file(user, stored):
        raise NotFound("No such file.")
    return stored


def access_signed_file(*, pk: str, signature: str) -> Any:
    """The ``StoredFile`` a download link names, if its signature is valid for it and this tenant and
    its key lies under this tenant's prefix. Raises ``PermissionDenied`` ``invalid_signature``
    (403) for a bad or expired link, ``NotFound`` (404) for a file stored outside this tenant."""
    from tenant_apps.files.services import file_from_signature
    from tenant_apps.files.storage import key_belongs_to_current_tenant

    stored = file_from_signature(pk=pk, signature=signature)
    if not key_belongs_to_current_tenant(stored.file.name or ""):
        raise NotFound("No such file.")
    return stored
