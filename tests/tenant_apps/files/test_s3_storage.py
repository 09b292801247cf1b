"""With AWS_STORAGE_BUCKET_NAME set, files go to S3 under the tenant's prefix and download
through short-lived pre-signed URLs (S3 is played by moto, in process; nothing leaves the machine)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from moto import mock_aws
from storages.backends.s3 import S3Storage

from shared_apps.tenancy.models import Tenant
from tests.fixture_types import ClientFor, Login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

S3_STORAGES = {
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "tenant-files",
            "region_name": "eu-west-1",
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
            "signature_version": "s3v4",
        },
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with (
        mock_aws(),
        override_settings(STORAGES=S3_STORAGES, AWS_STORAGE_BUCKET_NAME="tenant-files", FILE_URL_TTL_SECONDS=300),
    ):
        client = boto3.client("s3", region_name="eu-west-1")
        client.create_bucket(Bucket="tenant-files", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        yield client  # override_settings resets the storages on entry and exit (django.test.signals)


def test_upload_lands_in_s3_under_the_tenant_prefix_with_a_presigned_url(
    s3: Any, alpha: Tenant, client_for: ClientFor, login: Login
) -> None:
    client = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    # when
    response = client.post(
        "/api/v1/files/", {"file": SimpleUploadedFile("r.pdf", PDF, "application/pdf")}, format="multipart"
    )
    # then
    assert response.status_code == 201, response.content
    assert isinstance(default_storage, S3Storage)
    bucket = default_storage.bucket  # the storage's own S3 connection (moto)
    keys = [o.key for o in bucket.objects.all()]
    assert len(keys) == 1
    assert keys[0].startswith("alpha/files/")
    assert bucket.Object(keys[0]).get()["Body"].read() == PDF
    url = urlparse(response.json()["url"])
    query = parse_qs(url.query)
    assert url.path.endswith(keys[0])
    assert query["X-Amz-Expires"] == ["300"]
    assert "X-Amz-Signature" in query
