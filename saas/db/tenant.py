"""The small, named interface app code uses to learn which tenant it serves.

App code should rarely need this; when it does (building a storage path, tagging a log, a
service that behaves per kind), it calls these functions instead of reaching into
django-tenants or the connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.db import connection
from django_tenants.utils import get_public_schema_name, get_tenant_model

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


#: What ``current_tenant_uuid`` answers on the platform host (the public schema is never dropped).
PLATFORM_TENANT_UUID = "public"


def current_tenant_uuid() -> str:
    """The random, never-reused id of the current tenant (``Tenant.uuid``) as a string.

    ``PLATFORM_TENANT_UUID`` on the public schema. Costs no query when the connection was set
    with a ``Tenant`` (requests, tasks, ``tenant_context``); one when only a schema name was set.
    """
    schema = current_schema()
    if schema == get_public_schema_name():
        return PLATFORM_TENANT_UUID
    tenant = current_tenant()
    uuid = getattr(tenant, "uuid", None)
    if uuid is None:  # a FakeTenant: the connection was pointed at a schema by name only
        uuid = get_tenant_model().objects.values_list("uuid", flat=True).get(schema_name=schema)
    return str(uuid)
