"""An archive from older code is migrated forward on import (issue 17, point 4).

The "older code" is real, not simulated in the manifest: the exported site's schema has the store
auctions app migrated back to ``0001`` (its ``0002_bid_location`` unapplied: the ``location``
column of a bid does not exist), as a site exported before that migration shipped would be. The
import must apply it, and the restored site must then serve the auctions API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from pytest_django import DjangoDbBlocker
from rest_framework.test import APIClient

from saas.db.tenant import use_public_schema
from shared_apps.superadmin.portability.export import tenant_export
from shared_apps.superadmin.portability.restore import pending_migrations, tenant_import
from shared_apps.tenancy.models import Tenant
from tests.conftest import PASSWORD, host_of
from tests.shared_apps.superadmin.portability_fixtures import committed_tenant, drop_committed, unique_slug

BID_LOCATION = ["auctions", "0002_bid_location"]


def _has_column(schema: str, table: str, column: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = %s AND table_name = %s AND column_name = %s",
            [schema, table, column],
        )
        return cursor.fetchone() is not None


@pytest.fixture(scope="module")
def older(
    session_tenants: dict[str, Tenant], django_db_blocker: DjangoDbBlocker, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    slug, copy_slug = unique_slug("older"), unique_slug("newer")
    path: Path = tmp_path_factory.mktemp("older") / "older.tar"
    with committed_tenant(django_db_blocker, kind="store", slug=slug) as tenant, django_db_blocker.unblock():
        call_command("migrate_schemas", "auctions", "0001", "--tenant", f"--schema={slug}", verbosity=0)
        use_public_schema()
        column_before = _has_column(slug, "auctions_bid", "location_address")
        with open(path, "wb") as out:
            manifest = tenant_export(tenant=tenant, target=out)
        try:
            with open(path, "rb") as source:
                copy = tenant_import(source=source, slug=copy_slug)
            yield {"manifest": manifest, "copy": copy, "column_before": column_before}
        finally:
            drop_committed(copy_slug)


def test_an_older_archive_is_migrated_forward(older: dict[str, Any], db: None) -> None:
    manifest, copy = older["manifest"], older["copy"]
    assert BID_LOCATION not in manifest["migrations"] and not older["column_before"]  # really older
    assert pending_migrations("store", manifest["migrations"]) == ["auctions.0002_bid_location"]
    assert _has_column(copy.slug, "auctions_bid", "location_address")
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{copy.slug}".django_migrations')
        assert tuple(BID_LOCATION) in cursor.fetchall()
    client = APIClient(HTTP_HOST=host_of(copy))
    login = client.post("/api/v1/auth/login/", {"email": f"admin@{manifest['slug']}.test", "password": PASSWORD})
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['access']}")
    assert client.get("/api/v1/auctions/").status_code == 200
