"""Uploads: limits, content sniffing, tenant-prefixed keys, and download links bound to a tenant."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.files.models import StoredFile
from tests.api import streamed_body
from tests.fixture_types import ApiResponse, ClientFor, Login, MakeUser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 32


def _upload(
    client: APIClient, name: str = "receipt.pdf", content: bytes = PDF, content_type: str = "application/pdf"
) -> ApiResponse:
    return client.post("/api/v1/files/", {"file": SimpleUploadedFile(name, content, content_type)}, format="multipart")


def _download(client: APIClient, url: str) -> ApiResponse:
    path = url.split("localhost", 1)[-1]
    return client.get(path)


def test_upload_is_stored_under_the_tenants_prefix_and_downloads_through_its_link(
    alpha: Tenant, client_for: ClientFor, login: Login
) -> None:
    client = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    # when
    response = _upload(client)
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["original_name"], body["content_type"], body["size"]) == ("receipt.pdf", "application/pdf", len(PDF))
    with tenant_context(alpha):
        stored = StoredFile.objects.get(pk=body["id"])
        assert (stored.file.name or "").startswith("alpha/files/")
    download = _download(client_for(alpha), body["url"])  # the link itself is the permission
    assert download.status_code == 200
    assert streamed_body(download) == PDF
    assert 'filename="receipt.pdf"' in download["Content-Disposition"]


def test_two_tenants_uploading_the_same_name_never_share_a_path(
    alpha: Tenant, beta: Tenant, client_for: ClientFor, login: Login
) -> None:
    a = _upload(client_for(alpha, login(alpha, "admin@alpha.test")["access"])).json()
    b = _upload(client_for(beta, login(beta, "admin@beta.test")["access"])).json()
    with tenant_context(alpha):
        key_a = StoredFile.objects.get(pk=a["id"]).file.name
    with tenant_context(beta):
        key_b = StoredFile.objects.get(pk=b["id"]).file.name
    assert key_a is not None and key_b is not None
    assert key_a.split("/")[0] == "alpha"
    assert key_b.split("/")[0] == "beta"
    assert key_a != key_b


def test_a_download_link_of_one_tenant_does_not_work_on_another(
    alpha: Tenant, beta: Tenant, client_for: ClientFor, login: Login
) -> None:
    body = _upload(client_for(alpha, login(alpha, "admin@alpha.test")["access"])).json()
    path = body["url"].split("localhost", 1)[-1]
    response = client_for(beta).get(path)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "invalid_signature"


def test_a_tampered_or_expired_link_is_refused(alpha: Tenant, client_for: ClientFor, login: Login) -> None:
    body = _upload(client_for(alpha, login(alpha, "admin@alpha.test")["access"])).json()
    path = body["url"].split("localhost", 1)[-1]
    assert client_for(alpha).get(path[:-3] + "xyz").status_code == 403
    assert client_for(alpha).get(path.split("?")[0]).status_code == 403
    with override_settings(FILE_URL_TTL_SECONDS=-1):
        assert client_for(alpha).get(path).json()["error"]["code"] == "invalid_signature"


def test_file_details_are_for_the_uploader_and_admins_only(
    alpha: Tenant, client_for: ClientFor, login: Login, make_user: MakeUser
) -> None:
    make_user(alpha, "uploader@example.com", roles=["student"])
    make_user(alpha, "other@example.com", roles=["student"])
    uploader = client_for(alpha, login(alpha, "uploader@example.com")["access"])
    file_id = _upload(uploader).json()["id"]
    assert uploader.get(f"/api/v1/files/{file_id}/").status_code == 200
    admin = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    assert admin.get(f"/api/v1/files/{file_id}/").status_code == 200
    other = client_for(alpha, login(alpha, "other@example.com")["access"])
    response = other.get(f"/api/v1/files/{file_id}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client_for(alpha).get(f"/api/v1/files/{file_id}/").status_code == 401


def test_a_file_of_one_tenant_is_not_found_on_another(
    alpha: Tenant, beta: Tenant, client_for: ClientFor, login: Login
) -> None:
    file_id = _upload(client_for(alpha, login(alpha, "admin@alpha.test")["access"])).json()["id"]
    beta_admin = client_for(beta, login(beta, "admin@beta.test")["access"])
    assert beta_admin.get(f"/api/v1/files/{file_id}/").status_code == 404
    with tenant_context(beta):
        assert not StoredFile.objects.filter(pk=file_id).exists()


def test_too_large_a_file_is_refused_with_413(alpha: Tenant, client_for: ClientFor, login: Login) -> None:
    client = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    with override_settings(FILE_MAX_BYTES=10):
        response = _upload(client)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"
    assert response.json()["error"]["details"] == {"max_bytes": 10, "size": len(PDF)}
    with tenant_context(alpha):
        assert not StoredFile.objects.exists()


def test_the_type_comes_from_the_content_not_the_name(alpha: Tenant, client_for: ClientFor, login: Login) -> None:
    client = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    # a PNG called .pdf is stored as a PNG
    assert _upload(client, "photo.pdf", PNG, "application/pdf").json()["content_type"] == "image/png"
    # an executable called .pdf is refused
    response = _upload(client, "invoice.pdf", b"MZ\x90\x00" + b"\x00" * 60 + b"This program", "application/pdf")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_file_type"
    # plain text is accepted only when it really is text
    assert _upload(client, "notes.txt", "héllo\n".encode(), "text/plain").json()["content_type"] == "text/plain"
    assert _upload(client, "notes.txt", b"\xff\xfe\x00binary", "text/plain").status_code == 415


def test_missing_or_empty_file_is_a_400(alpha: Tenant, client_for: ClientFor, login: Login) -> None:
    client = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    response = client.post("/api/v1/files/", {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["error"]["details"]
    assert _upload(client, "empty.pdf", b"").json()["error"]["code"] == "empty_file"


def test_uploads_are_audited(alpha: Tenant, client_for: ClientFor, login: Login) -> None:
    body = _upload(client_for(alpha, login(alpha, "admin@alpha.test")["access"])).json()
    with tenant_context(alpha):
        entry = AuditLogEntry.objects.get(verb="file.uploaded")
        assert entry.target_id == body["id"]
        assert entry.actor_repr == "admin@alpha.test"
        assert entry.ip == "127.0.0.1"
