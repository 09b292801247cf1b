"""What the export and import tests share: committed tenants of their own (pg_dump, a separate
process, sees committed data only), provisioned in a module-scoped fixture and dropped after."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from pytest_django import DjangoDbBlocker

from saas.db.tenant import tenant_connection
from shared_apps.tenancy.models import Tenant
from tests.conftest import PASSWORD


def unique_slug(prefix: str) -> str:
    """A slug no other test module uses: ``<prefix>-<8 hex>``."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@contextmanager
def committed_tenant(blocker: DjangoDbBlocker, *, kind: str, slug: str) -> Iterator[Tenant]:
    """Provision ``slug`` (committed, owner ``admin@<slug>.test`` / ``PASSWORD``), and drop it with
    its files afterwards (whatever the test left: it may have dropped it already)."""
    from shared_apps.superadmin.purge import _delete_files
    from shared_apps.tenancy.services import tenant_provision

    with blocker.unblock():
        tenant_connection().set_schema_to_public()
        tenant = tenant_provision(
            kind=kind, slug=slug, name=slug.title(), owner_email=f"admin@{slug}.test", owner_password=PASSWORD
        )
    try:
        yield tenant
    finally:
        with blocker.unblock():
            drop_committed(slug)
            _delete_files(slug)


def drop_committed(slug: str) -> None:
    """Drop tenant ``slug`` and its schema, committed, if they exist."""
    from django_tenants.utils import schema_exists

    from shared_apps.tenancy.services import tenant_drop

    tenant_connection().set_schema_to_public()
    kept = Tenant.objects.filter(schema_name=slug).first()
    if kept is not None:
        tenant_drop(tenant=kept, confirm_slug=slug)
    elif schema_exists(slug):
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA "{slug}" CASCADE')
