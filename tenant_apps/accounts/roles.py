"""Roles per tenant kind, stored as Django auth Groups with their model permissions.

Each kind's apps extend ``ROLE_PERMISSIONS`` with their own permission codenames as they land.
``sync_roles`` makes the groups of the current schema match this definition; it runs after
every migration of a tenant or template schema and during provisioning.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.management import create_contenttypes

ADMIN = "admin"

#: Role names of each kind; the first one is what a self-registered user gets.
ROLES: dict[str, tuple[str, ...]] = {
    "school": ("student", "teacher", "support", "financial", ADMIN),
    "store": ("customer", "seller", "delivery", ADMIN),
    "writing": ("client", "writer", "editor", "support", ADMIN),
    "rental": ("guest", "host", "customer_service", ADMIN),
}

#: Model permissions ("app_label.codename") of each role; ``admin`` has every permission of its schema.
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "school": {"support": ("accounts.view_user",), "financial": ("accounts.view_user",),
               "teacher": ("accounts.view_user",)},
    "store": {"seller": (), "delivery": ()},
    "writing": {"support": ("accounts.view_user",), "editor": ("accounts.view_user",)},
    "rental": {"customer_service": ("accounts.view_user",), "host": ()},
}


def roles_of(kind: str) -> tuple[str, ...]:
    """The role names of ``kind`` (empty for the platform)."""
    return ROLES.get(kind, ())


def default_role(kind: str) -> str | None:
    """The role a user who registers on a ``kind`` site gets."""
    names = roles_of(kind)
    return names[0] if names else None


def _permissions(labels: tuple[str, ...]) -> list[Permission]:
    found: list[Permission] = []
    for label in labels:
        app_label, codename = label.split(".", 1)
        found.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
    return found


def sync_roles(kind: str) -> list[Group]:
    """Make the current schema's role groups and their permissions match ``ROLES``/``ROLE_PERMISSIONS``.

    Idempotent. Creates missing content types and permissions first (they are normally made
    after ``migrate``). Groups that are not roles are left alone. Returns the role groups.
    """
    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0)
        create_permissions(app_config, verbosity=0)
    groups = []
    for name in roles_of(kind):
        group, _ = Group.objects.get_or_create(name=name)
        if name == ADMIN:
            wanted = list(Permission.objects.all())
        else:
            wanted = _permissions(ROLE_PERMISSIONS.get(kind, {}).get(name, ()))
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
