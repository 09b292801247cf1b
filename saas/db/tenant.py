"""The small, named interface app code uses to learn which tenant it serves.

App code should rarely need this; when it does (building a storage path, tagging a log, a
service that behaves per kind), it calls these functions instead of reaching into
django-tenants or the connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.db import connection

if TYPE_CHECKING:
    from saas.db.backend.base import DatabaseWrapper


def tenant_connection() -> DatabaseWrapper:
    """The default connection, typed as our schema-switching backend."""
    return cast("DatabaseWrapper", connection)


def current_schema() -> str:
    """The schema the connection serves now: a tenant's slug, or ``public`` for the platform."""
    return str(tenant_connection().schema_name)


def current_tenant() -> Any:
    """The tenant the connection serves (a ``Tenant``, or django-tenants' ``FakeTenant``)."""
    return tenant_connection().tenant


def current_kind() -> str:
    """The kind of the current tenant (``school``, ``store``, ``writing``, ``rental``) or ``public``."""
    tenant = current_tenant()
    kind = tenant.get_tenant_type() if tenant is not None else None
    return str(kind or "public")


def use_public_schema() -> None:
    """Point the connection at the public schema (platform tables)."""
    tenant_connection().set_schema_to_public()
