"""Avatar uploads (``PUT /api/v1/auth/user/avatar/``, multipart) pass the files app's checks: size limit, type from
the bytes (images only), a stored name that matches the content, and a signed URL to read them."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context
from PIL import Image
from pytest_django import DjangoCaptureOnCommitCallbacks
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tests.api import streamed_body
from tests.fixture_types import ApiResponse, ClientFor, Login, MakeUser


def _image(fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (200, 10, 10)).save(buffer, fmt)
    return buffer.getvalue()


def _patch_avatar(
    client: APIClient, content: bytes, name: str = "me.png", content_type: str = "image/png"
) -> ApiResponse:
    return client.put(
        "/api/v1/auth/user/avatar/", {"avatar": SimpleUploadedFile(name, content, content_type)}, format="multipart"
    )


def _avatar_name(tenant: Tenant, email: str) -> str:
    with tenant_context(tenant):
        return str(User.objects.get(email=email).avatar.name or "")


def _student(tenant: Tenant, make_user: MakeUser, login: Login, client_for: ClientFor) -> APIClient:
    make_user(tenant, "pic@example.com", roles=["student"])
    return client_for(tenant, login(tenant, "pic@example.com")["access"])


def test_a_30_mb_png_avatar_is_refused_and_not_stored(
    alpha: Tenant, client_for: ClientFor, login: Login, make_user: MakeUser
) -> None:
    client = _student(alpha, make_user, login, client_for)
    # when a valid PNG padded to 30 MB is sent as the avatar
    response = _patch_avatar(client, _image() + b"\x00" * (30 * 1024 * 1024))
    # then it is refused like an oversized file upload, and nothing is stored
    assert response.status_code == 413, response.content
    assert response.json()["error"]["code"] == "file_too_large"
    assert _avatar_name(alpha, "pic@example.com") == ""


def test_an_image_type_that_is_not_an_avatar_type_is_refused(
    alpha: Tenant, client_for: ClientFor, login: Login, make_user: MakeUser
) -> None:
    client = _student(alpha, make_user, login, client_for)
    # when a TIFF (which Pillow reads, but browsers do not show) comes named and declared as PNG
    response = _patch_avatar(client, _image("TIFF"))
    # then
    assert response.status_code == 415, response.content
    assert response.json()["error"]["code"] == "unsupported_file_type"
    assert _avatar_name(alpha, "pic@example.com") == ""


def test_a_non_image_avatar_is_refused_in_the_error_shape(
    alpha: Tenant, client_for: ClientFor, login: Login, make_user: MakeUser
) -> None:
    client = _student(alpha, make_user, login, client_for)
    # when a PDF (accepted by the files app) is sent as the avatar
    response = _patch_avatar(client, b"%PDF-1.4\n%%EOF\n", "me.png")
    # then
    assert response.status_code == 415, response.content
    assert response.json()["error"]["code"] == "unsupported_file_type"
    assert response.json()["error"]["details"]["detected"] == "application/pdf"


def test_the_stored_avatar_name_comes_from_its_content_not_the_client(
    alpha: Tenant, client_for: ClientFor, login: Login, make_user: MakeUser
) -> None:
    client = _student(alpha, make_user, login, client_for)
    # when a GIF is uploaded named and declared as a PNG
    response = _patch_avatar(client, _image("GIF"), "me.png", "image/png")
    # then it is kept under a name that matches what it is
    assert response.status_code == 200, response.content
    name = _avatar_name(alpha, "pic@example.com")
    assert name.startswith("alpha/avatars/") and name.endswith("/avatar.gif"), name


def test_avatar_url_is_signed_on_the_primary_domain_and_serves_the_image(
    alpha: Tenant, beta: Tenant, client_for: ClientFor, login: Login, make_user: MakeUser
) -> None:
    make_user(alpha, "pic@example.com", roles=["student"])
    token = login(alpha, "pic@example.com")["access"]
    client = APIClient(HTTP_HOST="alpha.localhost:1337")  # the attacker's port in the Host header
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    png = _image()
    # when
    url = _patch_avatar(client, png).json()["avatar"]
    # then the URL names the primary domain and the files app's signed download
    assert url.startswith("https://alpha.localhost/api/v1/files/download/?signature="), url
    path = url.removeprefix("https://alpha.localhost")
    download = client_for(alpha).get(path)
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert streamed_body(download) == png
    # and the link is alpha's only
    other = client_for(beta).get(path)
    assert other.status_code == 403
    assert other.json()["error"]["code"] == "invalid_signature"


def test_a_new_avatar_replaces_the_old_file_and_delete_removes_it(
    alpha: Tenant,
    client_for: ClientFor,
    login: Login,
    make_user: MakeUser,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    from django.core.files.storage import default_storage

    client = _student(alpha, make_user, login, client_for)
    assert _patch_avatar(client, _image("PNG")).status_code == 200
    first = _avatar_name(alpha, "pic@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        assert _patch_avatar(client, _image("GIF")).status_code == 200
    assert not default_storage.exists(first)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete("/api/v1/auth/user/avatar/").status_code == 204
    assert _avatar_name(alpha, "pic@example.com") == ""
    assert client.get("/api/v1/auth/user/").json()["avatar"] is None


def test_the_profile_endpoint_takes_json_only_and_keeps_avatar_read_only(
    alpha: Tenant, client_for: ClientFor, login: Login, make_user: MakeUser
) -> None:
    client = _student(alpha, make_user, login, client_for)
    response = client.patch(
        "/api/v1/auth/user/", {"avatar": SimpleUploadedFile("me.png", _image(), "image/png")}, format="multipart"
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
