"""Attacks on tenant archives (issue 17, points 3-4): the API is platform staff's only, and an
archive's contents cannot reach outside the import (member names are never paths; a manifest
cannot name a file outside the new tenant's prefix; links and devices are refused)."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django_tenants.utils import schema_exists

from saas.errors import ApplicationError
from shared_apps.superadmin.models import TenantExport, TenantImport
from shared_apps.superadmin.portability import archive
from shared_apps.superadmin.portability.restore import tenant_import
from shared_apps.tenancy.models import Tenant
from tests.fixture_types import ClientFor, Login


def _tar(members: list[tuple[tarfile.TarInfo, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:") as tar:
        for info, data in members:
            info.size = len(data) if info.isfile() else 0
            tar.addfile(info, io.BytesIO(data) if info.isfile() else None)
    return buffer.getvalue()


def _file(name: str) -> tarfile.TarInfo:
    return tarfile.TarInfo(name)


def _manifest(**changes: object) -> bytes:
    manifest = {
        "format": archive.FORMAT,
        "format_version": archive.FORMAT_VERSION,
        "slug": "alpha",
        "name": "Alpha",
        "kind": "school",
        "schema": "alpha",
        "migrations": [],
        "tables": {},
        "dump": {"size": 3, "sha256": "x"},
        "files": [],
    }
    manifest.update(changes)
    return json.dumps(manifest).encode()


def _refused(data: bytes, slug: str = "archive-attack") -> str:
    with pytest.raises(ApplicationError) as refused:
        tenant_import(source=io.BytesIO(data), slug=slug)
    assert not Tenant.objects.filter(schema_name=slug).exists() and not schema_exists(slug)
    assert not default_storage.exists(slug)
    return str(refused.value.code)


def test_member_names_never_become_paths(session_tenants: dict[str, Tenant], db: None, tmp_path: Path) -> None:
    traversal = _tar([(_file("files/../../../../tmp/pwned"), b"x"), (_file(archive.MANIFEST), _manifest())])
    assert _refused(traversal) in {"invalid_archive", "archive_checksum_mismatch"}
    assert not Path("/tmp/pwned").exists()
    link = tarfile.TarInfo("files/avatars/link")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    assert _refused(_tar([(link, b"")])) == "invalid_archive"
    stranger = _tar([(_file("etc/passwd"), b"x")])
    assert _refused(stranger) == "invalid_archive"


def test_a_manifest_cannot_name_a_file_outside_the_new_prefix(session_tenants: dict[str, Tenant], db: None) -> None:
    escaping = _manifest(files=[{"key": "../alpha/files/secret.txt", "size": 1, "sha256": "x"}])
    data = _tar([(_file(archive.DUMP), b"abc"), (_file(archive.MANIFEST), escaping)])
    assert _refused(data) == "invalid_archive"


def test_the_archive_api_is_platform_staffs_only(
    session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, login: Login
) -> None:
    alpha = session_tenants["alpha"]
    before = (TenantImport.objects.count(), TenantExport.objects.count())
    job = TenantExport.objects.create(tenant_slug="alpha", status="done", archive_key="_platform/exports/alpha/x.tar")
    calls = [
        ("post", "/api/v1/tenants/alpha/exports/", {}),
        ("get", "/api/v1/tenant-exports/", None),
        ("get", f"/api/v1/tenant-exports/{job.pk}/", None),
        ("get", f"/api/v1/tenant-exports/{job.pk}/download/", None),
        ("get", "/api/v1/tenant-imports/", None),
        ("post", "/api/v1/tenant-imports/", {"slug": "stolen", "export": job.pk}),
    ]
    anonymous = client_for(None)
    nonstaff = client_for(None, login(None, "nonstaff@localhost")["access"])
    tenant_admin = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    for method, path, body in calls:
        assert getattr(anonymous, method)(path, body).status_code == 401, path
        assert getattr(nonstaff, method)(path, body).status_code == 403, path
        assert getattr(tenant_admin, method)(path, body).status_code == 404, path  # not served on a site
    assert (TenantImport.objects.count(), TenantExport.objects.count()) == (before[0], before[1] + 1)  # nothing started
