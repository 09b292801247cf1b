"""Who may read a stored file.

The uploader and the site's admins may always; any other app that attaches files registers a
rule: ``register_file_access(rule)``, where ``rule(user, stored_file) -> bool`` answers whether
``user`` may read the file through that app (for example: the file is attached to a ticket the
user may view). A file no rule grants is private to its uploader and the admins.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
