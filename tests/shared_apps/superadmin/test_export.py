"""Export one tenant (issue 17, point 3): the archive holds the schema's dump, the files and a
manifest whose counts and checksums describe the data; 100k rows go through without the dump
ever sitting in memory."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django_tenants.utils import tenant_context
from pytest_django import DjangoDbBlocker

from shared_apps.superadmin.portability import archive
from shared_apps.superadmin.portability.export import tenant_export
from shared_apps.tenancy.models import Tenant
from tests.concurrency import in_thread
from tests.shared_apps.superadmin.portability_fixtures import committed_tenant, unique_slug

ROWS = 100_000


@pytest.fixture(scope="module")
def big(session_tenants: dict[str, Tenant], django_db_blocker: DjangoDbBlocker) -> Iterator[Tenant]:
    """A store tenant (committed) with 100,000 audit rows and two stored files."""
    slug = unique_slug("exp")
    with committed_tenant(django_db_blocker, kind="store", slug=slug) as tenant:
        with django_db_blocker.unblock():
            with tenant_context(tenant), connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO audit_auditlogentry (created_at, actor_repr, verb, target_id, target_repr, changes)"
                    " SELECT now(), 'bulk', 'bulk.row', g::text, md5(g::text) || md5((-g)::text),"
                    " jsonb_build_object('n', g)"
                    " FROM generate_series(1, %s) g",
                    [ROWS],
                )
            default_storage.save(f"{slug}/files/a1/report.txt", ContentFile(b"quarterly report"))
            default_storage.save(f"{slug}/avatars/b2/me.png", ContentFile(b"\x89PNG fake"))
        yield tenant


def _members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]


def test_export_writes_dump_files_and_a_manifest_that_describes_them(big: Tenant, tmp_path: Path, db: None) -> None:
    steps: list[tuple[int, str]] = []
    target = tmp_path / "a.tar"
    with open(target, "wb") as out:
        returned = tenant_export(tenant=big, target=out, progress=lambda p, s: steps.append((p, s)))

    members = _members(target)
    assert next(iter(members)) == archive.DUMP and list(members)[-1] == archive.MANIFEST
    manifest = json.loads(members[archive.MANIFEST])
    assert manifest == json.loads(json.dumps(returned))
    assert (manifest["format"], manifest["slug"], manifest["kind"]) == (archive.FORMAT, big.slug, "store")
    assert manifest["tables"]["audit_auditlogentry"]["rows"] >= ROWS
    assert manifest["tables"]["accounts_user"]["rows"] >= 1
    assert ["accounts", "0001_initial"] in manifest["migrations"]
    assert manifest["dump"] == {
        "size": len(members[archive.DUMP]),
        "sha256": hashlib.sha256(members[archive.DUMP]).hexdigest(),
    }
    assert members[archive.DUMP][:5] == b"PGDMP"  # pg_dump's custom format
    files = {f["key"]: f for f in manifest["files"]}
    assert set(files) == {"files/a1/report.txt", "avatars/b2/me.png"}
    assert members["files/files/a1/report.txt"] == b"quarterly report"
    assert files["files/a1/report.txt"]["sha256"] == hashlib.sha256(b"quarterly report").hexdigest()
    assert steps[0][0] < steps[-1][0] == 100


def test_checksums_change_with_one_changed_row_and_not_with_row_order(big: Tenant, db: None) -> None:
    """The checksum is order-independent (computed in SQL) yet sees one changed value."""
    with connection.cursor() as cursor:
        before = archive.table_stats(cursor, big.slug)["audit_auditlogentry"]
        cursor.execute(f'CLUSTER "{big.slug}".audit_auditlogentry USING audit_recent')  # rows reordered on disk
        reordered = archive.table_stats(cursor, big.slug)["audit_auditlogentry"]
        cursor.execute(f"UPDATE \"{big.slug}\".audit_auditlogentry SET target_repr = 'changed' WHERE target_id = '7'")
        changed = archive.table_stats(cursor, big.slug)["audit_auditlogentry"]
    assert reordered == before
    assert changed["rows"] == before["rows"] and changed["checksum"] != before["checksum"]


class _CountingSink(io.RawIOBase):
    """A write-only sink that keeps nothing: counts bytes and the largest single write."""

    def __init__(self) -> None:
        self.size = 0
        self.largest = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.size += len(data)
        self.largest = max(self.largest, len(data))
        return len(data)


def test_export_of_100k_rows_streams_with_bounded_memory(big: Tenant, db: None) -> None:
    sink = _CountingSink()
    tracemalloc.start()
    try:
        manifest = tenant_export(tenant=big, target=sink)  # type: ignore[arg-type]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert manifest["dump"]["size"] > 4 * archive.CHUNK  # the dump is several chunks long...
    assert sink.size > manifest["dump"]["size"]
    assert sink.largest <= archive.CHUNK + 10_240  # ...written a chunk (plus a tar header) at a time
    assert peak < manifest["dump"]["size"] // 2  # ...and never held whole


def test_counts_and_checksums_are_taken_in_the_dumps_snapshot(
    big: Tenant, monkeypatch: pytest.MonkeyPatch, db: None
) -> None:
    """A row committed after the snapshot was exported (while pg_dump runs) is neither dumped nor
    counted: the manifest describes the dump. Read committed counts would include it."""
    real_stats = archive.table_stats

    def late_write(statement: str) -> None:
        def run() -> None:
            with tenant_context(big), connection.cursor() as cursor:
                cursor.execute(statement)

        in_thread(run)

    def write_then_count(cursor: Any, schema: str, **kwargs: Any) -> Any:
        late_write(
            "INSERT INTO audit_auditlogentry (created_at, actor_repr, verb, target_id, target_repr, changes)"
            " VALUES (now(), 'late', 'late.row', 'late', 'late', '{}')"
        )
        return real_stats(cursor, schema, **kwargs)

    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{big.slug}".audit_auditlogentry')
        before = cursor.fetchone()[0]
    monkeypatch.setattr(archive, "table_stats", write_then_count)
    try:
        manifest = tenant_export(tenant=big, target=_CountingSink())  # type: ignore[arg-type]
    finally:
        late_write("DELETE FROM audit_auditlogentry WHERE actor_repr = 'late'")
    assert manifest["tables"]["audit_auditlogentry"]["rows"] == before
