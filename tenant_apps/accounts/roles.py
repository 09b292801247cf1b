"""Roles per tenant kind, stored as Django auth Groups with their model permissions.

Each kind declares its roles and their permissions in its ``kind.py`` (``tenant_apps.kinds``);
``admin`` is every kind's last role and holds every permission of its schema. ``sync_roles``
makes the groups of the current schema match the declaration, after creating missing content
types and permissions.

When it runs: a plain ``migrate`` of a tenant or template schema syncs after every run
(``signals.py``). ``migrate_schemas`` defers that (``roles_sync_deferred``) and syncs only the
schemas whose recorded ``roles_fingerprint`` differs from today's, i.e. where the kind's role
declaration or the models (hence content types and permissions) changed. Provisioning checks
that the roles exist (``ensure_roles``).
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.contrib.auth.management import _get_all_permissions, create_permissions  # type: ignore[attr-defined]
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.management import create_contenttypes
from django.db.models.signals import post_migrate

from tenant_apps.kinds import ADMIN, kind_spec

__all__ = [
    "ADMIN",
    "default_role",
    "ensure_roles",
    "roles_fingerprint",
    "roles_of",
    "roles_sync_deferred",
    "sync_roles",
]

#: Part of ``roles_fingerprint``: raise it when ``sync_roles`` itself changes what it writes, so
#: that the next ``migrate_schemas`` re-syncs every schema.
ROLES_SYNC_VERSION = 1


def roles_of(kind: str) -> tuple[str, ...]:
    """The role names of ``kind``, ``admin`` last (empty for the platform)."""
    spec = kind_spec(kind)
    return spec.role_names if spec else ()


def default_role(kind: str) -> str | None:
    """The role a user who registers on a ``kind`` site gets."""
    spec = kind_spec(kind)
    return spec.default_role if spec else None


def _permissions(labels: tuple[str, ...]) -> list[Permission]:
    found: list[Permission] = []
    for label in labels:
        app_label, codename = label.split(".", 1)
        found.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
    return found


def sync_roles(kind: str) -> list[Group]:
    """Make the current schema's role groups and their permissions match ``kind``'s declaration.

    Idempotent. Creates missing content types and permissions first (they are normally made
    after ``migrate``). Groups that are not roles are left alone. Returns the role groups.
    """
    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0)
        create_permissions(app_config, verbosity=0)
    spec = kind_spec(kind)
    groups = []
    for name in roles_of(kind):
        group, _ = Group.objects.get_or_create(name=name)
        if name == ADMIN:
            wanted = list(Permission.objects.all())
        else:
            wanted = _permissions(spec.permissions_of(name) if spec else ())
        group.permissions.set(wanted)
        groups.append(group)
    return groups


def ensure_roles(kind: str) -> None:
    """Sync roles only if one of ``kind``'s role groups is missing in the current schema.

    A schema cloned from its template already holds the synced groups (``migrate_schemas``
    re-syncs a template whenever its ``roles_fingerprint`` changes), so this usually costs one
    query.
    """
    names = set(roles_of(kind))
    if set(Group.objects.filter(name__in=names).values_list("name", flat=True)) != names:
        sync_roles(kind)


def roles_fingerprint(kind: str) -> str:
    """A hash of everything ``sync_roles(kind)`` writes from: the kind's roles with their
    permissions, and every model with its permissions (the content types and permissions
    ``create_contenttypes`` / ``create_permissions`` make, which ``admin`` gets all of).

    It changes when ``kind.py``'s roles change or a model (or a model's permissions) is added,
    removed or renamed; ``migrate_schemas`` re-syncs the roles of the schemas it differs for.
    """
    spec = kind_spec(kind)
    lines = [f"sync_roles v{ROLES_SYNC_VERSION}", f"kind {kind}"]
    lines += [f"role {name}: {','.join(sorted(spec.permissions_of(name) if spec else ()))}" for name in roles_of(kind)]
    for app_config in apps.get_app_configs():
        for model in app_config.get_models():
            opts = model._meta
            permissions = ",".join(f"{codename}={name}" for codename, name in sorted(_get_all_permissions(opts)))
            lines.append(f"model {opts.app_label}.{opts.model_name}: {permissions}")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _deferred_receivers() -> set[Any]:
    from tenant_apps.accounts.signals import sync_roles_after_migrate

    return {create_contenttypes, create_permissions, sync_roles_after_migrate}


def _receiver_of(entry: tuple[Any, ...]) -> Any:
    """The function a ``Signal.receivers`` entry (``(lookup key, receiver or weak ref, is_async)``) calls."""
    receiver = entry[1]
    return receiver() if isinstance(receiver, weakref.ReferenceType) else receiver


#: Deferrals in progress in this process (threads of a web process may migrate two templates at
#: once): the first one in mutes the receivers, the last one out restores them.
_deferral_lock = threading.Lock()
_deferrals: dict[str, Any] = {"depth": 0, "original": []}


@contextmanager
def roles_sync_deferred() -> Iterator[None]:
    """While the block runs, ``migrate`` creates no content types or permissions and syncs no
    roles after it applies migrations (Django's and our ``post_migrate`` receivers are set aside);
    the caller runs ``sync_roles`` itself where ``roles_fingerprint`` says it is needed.

    Other ``post_migrate`` receivers still run. Django's ``Signal`` has no public way to mute some
    receivers while keeping their order, so the receiver list is swapped under the signal's lock
    and restored exactly (``tests/shared_apps/tenancy/test_migrate_schemas.py`` pins this).
    Process-wide while any block runs: meant for ``migrate_schemas`` and template migrations.
    """
    with _deferral_lock:
        if _deferrals["depth"] == 0:
            deferred = _deferred_receivers()
            with post_migrate.lock:
                _deferrals["original"] = post_migrate.receivers
                post_migrate.receivers = [e for e in post_migrate.receivers if _receiver_of(e) not in deferred]
                post_migrate.sender_receivers_cache.clear()
        _deferrals["depth"] += 1
    try:
        yield
    finally:
        with _deferral_lock:
            _deferrals["depth"] -= 1
            if _deferrals["depth"] == 0:
                original = _deferrals["original"]
                with post_migrate.lock:
                    added = [entry for entry in post_migrate.receivers if entry not in original]  # meanwhile
                    post_migrate.receivers = [*original, *added]
                    post_migrate.sender_receivers_cache.clear()
                _deferrals["original"] = []
