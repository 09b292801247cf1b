"""Roles per tenant kind, stored as Django auth Groups with their model permissions.

Each kind declares its roles and their permissions in its ``kind.py`` (``tenant_apps.kinds``);
``admin`` is every kind's last role and holds every permission of its schema. ``sync_roles``
makes the groups of the current schema match the declaration; it runs after every migration
of a tenant or template schema and during provisioning.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.management import create_contenttypes

from tenant_apps.kinds import ADMIN, kind_spec

__all__ = ["ADMIN", "default_role", "ensure_roles", "roles_of", "sync_roles"]


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

    A schema cloned from its template already holds the synced groups (templates are synced
    after every ``migrate_schemas``), so this usually costs one query.
    """
    names = set(roles_of(kind))
    if set(Group.objects.filter(name__in=names).values_list("name", flat=True)) != names:
        sync_roles(kind)
