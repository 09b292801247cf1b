"""The tenant archive API on the platform host (issue 17, points 3-4): staff start an export job,
poll its progress, download the archive; start an import from an export or an upload; everyone
else is refused, and a job that fails says why."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.storage import default_storage
from pytest_django import DjangoDbBlocker
from rest_framework.test import APIClient

from shared_apps.superadmin.models import PlatformAuditEntry, TenantExport, TenantImport
from shared_apps.superadmin.portability import archive
from shared_apps.tenancy.models import Tenant
from tests.conftest import PASSWORD, host_of
from tests.fixture_types import ClientFor, Login
from tests.shared_apps.superadmin.portability_fixtures import committed_tenant, drop_committed, unique_slug


@pytest.fixture
def staff(session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, login: Login) -> APIClient:
    return client_for(None, login(None, "staff@localhost")["access"])


def _download(client: APIClient, job: dict[str, Any]) -> bytes:
    response = client.get(job["download"])
    assert response.status_code == 200 and response["Content-Type"] == "application/x-tar"
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_staff_export_a_tenant_as_a_job_and_download_its_archive(
    staff: APIClient, alpha: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        started = staff.post("/api/v1/tenants/alpha/exports/")
    assert started.status_code == 202, started.content
    assert (started.json()["status"], started.json()["progress"]) == ("queued", 0)
    job = staff.get(f"/api/v1/tenant-exports/{started.json()['id']}/").json()
    try:
        assert (job["status"], job["progress"], job["step"], job["error_code"]) == ("done", 100, "done", "")
        assert job["tenant_slug"] == "alpha" and job["requested_by"] == "staff@localhost"
        body = _download(staff, job)
        assert (len(body), hashlib.sha256(body).hexdigest()) == (job["size"], job["sha256"])
        with tarfile.open(fileobj=io.BytesIO(body), mode="r:") as tar:
            manifest = json.loads(tar.extractfile(archive.MANIFEST).read())  # type: ignore[union-attr]
        assert (manifest["slug"], manifest["kind"]) == ("alpha", alpha.kind)
        stored = TenantExport.objects.get(pk=job["id"]).archive_key
        assert stored == f"_platform/exports/alpha/{job['id']}.tar"  # never under a tenant's prefix
        entry = PlatformAuditEntry.objects.get(verb="tenant.exported", tenant_slug="alpha")
        assert entry.actor_email == "staff@localhost" and entry.details["sha256"] == job["sha256"]
        listed = staff.get("/api/v1/tenant-exports/?tenant_slug=alpha").json()
        assert [j["id"] for j in listed["results"]] == [job["id"]]
    finally:
        default_storage.delete(f"_platform/exports/alpha/{job['id']}.tar")


def test_export_of_an_unknown_tenant_is_404_and_an_unfinished_download_409(staff: APIClient) -> None:
    assert staff.post("/api/v1/tenants/nosuch/exports/").status_code == 404
    queued = TenantExport.objects.create(tenant_slug="alpha")
    refused = staff.get(f"/api/v1/tenant-exports/{queued.pk}/download/")
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "export_not_ready")


def test_import_requests_are_checked_before_a_job_is_queued(staff: APIClient) -> None:
    imports_before = TenantImport.objects.count()
    done = TenantExport.objects.create(tenant_slug="alpha", status="done", archive_key="_platform/exports/a/1.tar")
    queued = TenantExport.objects.create(tenant_slug="alpha")
    cases = [
        ({"slug": "alpha", "export": done.pk}, 409, "slug_taken"),
        ({"slug": "Not A Slug", "export": done.pk}, 400, "invalid_slug"),
        ({"slug": "fresh-one"}, 400, "validation_error"),
        ({"slug": "fresh-one", "export": 999_999}, 404, "not_found"),
        ({"slug": "fresh-one", "export": queued.pk}, 409, "export_not_ready"),
    ]
    for body, status_code, code in cases:
        response = staff.post("/api/v1/tenant-imports/", body, format="json")
        assert (response.status_code, response.json()["error"]["code"]) == (status_code, code), body
    assert TenantImport.objects.count() == imports_before


def test_an_uploaded_file_that_is_no_archive_fails_the_job_with_its_reason(
    staff: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    upload = io.BytesIO(b"definitely not a tar archive" * 50)
    upload.name = "site.tar"
    with django_capture_on_commit_callbacks(execute=True):
        started = staff.post("/api/v1/tenant-imports/", {"slug": "fresh-one", "archive": upload}, format="multipart")
    assert started.status_code == 202, started.content
    job = staff.get(f"/api/v1/tenant-imports/{started.json()['id']}/").json()
    assert (job["status"], job["error_code"], job["tenant"]) == ("failed", "invalid_archive", None)
    assert not Tenant.objects.filter(schema_name="fresh-one").exists()
    assert not default_storage.exists(TenantImport.objects.get(pk=job["id"]).archive_key)  # the upload is removed


@pytest.fixture(scope="module")
def imported_by_api(session_tenants: dict[str, Tenant], django_db_blocker: DjangoDbBlocker) -> Iterator[dict[str, Any]]:
    """A committed tenant exported and imported under a new slug, both through the API (autocommit:
    each job runs when its request commits, the tasks eager)."""
    slug, copy_slug = unique_slug("api"), unique_slug("apicopy")
    with committed_tenant(django_db_blocker, kind="school", slug=slug), django_db_blocker.unblock():
        staff = APIClient(HTTP_HOST=host_of(None))
        token = staff.post("/api/v1/auth/login/", {"email": "staff@localhost", "password": PASSWORD}).json()["access"]
        staff.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        export = staff.post(f"/api/v1/tenants/{slug}/exports/").json()
        try:
            started = staff.post("/api/v1/tenant-imports/", {"slug": copy_slug, "export": export["id"]}, format="json")
            job = staff.get(f"/api/v1/tenant-imports/{started.json()['id']}/").json()
            yield {"slug": slug, "copy": copy_slug, "started": started, "job": job}
        finally:
            drop_committed(copy_slug)
            default_storage.delete(f"_platform/exports/{slug}/{export['id']}.tar")
            TenantImport.objects.all().delete()
            TenantExport.objects.all().delete()
            PlatformAuditEntry.objects.filter(tenant_slug__in=[slug, copy_slug]).delete()


def test_staff_import_an_export_under_a_new_slug(imported_by_api: dict[str, Any], db: None) -> None:
    assert imported_by_api["started"].status_code == 202
    job = imported_by_api["job"]
    assert (job["status"], job["progress"], job["tenant"]) == ("done", 100, imported_by_api["copy"])
    copy = Tenant.objects.get(schema_name=imported_by_api["copy"])
    assert copy.kind == "school" and copy.status == "active"
    client = APIClient(HTTP_HOST=host_of(copy))
    login = client.post("/api/v1/auth/login/", {"email": f"admin@{imported_by_api['slug']}.test", "password": PASSWORD})
    assert login.status_code == 200
