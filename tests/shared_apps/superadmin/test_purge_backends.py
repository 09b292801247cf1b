"""The purge's file and cache steps on the production backends: S3 (moto, in process) and Redis are
covered here and in test_purge.py; the local-memory cache (``make run`` without Redis) here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings
from django_tenants.utils import schema_context
from moto import mock_aws

from shared_apps.superadmin import purge
from tests.tenant_apps.files.test_s3_storage import S3_STORAGES

LOCMEM = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "purge-test",
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    },
    "platform": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "purge-test-platform"},
}


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws(), override_settings(STORAGES=S3_STORAGES, AWS_STORAGE_BUCKET_NAME="tenant-files"):
        client = boto3.client("s3", region_name="eu-west-1")
        client.create_bucket(Bucket="tenant-files", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        yield client


def test_files_under_the_schema_prefix_are_deleted_from_s3_and_no_other(s3: Any) -> None:
    # given: files of "doomed", and of "doomed2", whose name starts the same
    for key in ("doomed/files/a/1.txt", "doomed/files/b/2.txt", "doomed/avatars/c/3.txt", "doomed2/files/d/4.txt"):
        default_storage.save(key, ContentFile(b"x"))
    # when
    deleted = purge._delete_files("doomed")
    # then
    assert deleted == 3
    keys = [obj["Key"] for obj in s3.list_objects_v2(Bucket="tenant-files").get("Contents", [])]
    assert keys == ["doomed2/files/d/4.txt"]
    # a second run finds nothing left to do
    assert purge._delete_files("doomed") == 0


def test_local_files_are_deleted_with_their_folders_and_no_other() -> None:
    # given
    default_storage.save("doomed/files/a/1.txt", ContentFile(b"x"))
    default_storage.save("doomed2/files/b/2.txt", ContentFile(b"x"))
    # when
    deleted = purge._delete_files("doomed")
    # then
    assert deleted == 1
    assert not default_storage.exists("doomed")
    assert default_storage.exists("doomed2/files/b/2.txt")
    purge._delete_files("doomed2")


@override_settings(CACHES=LOCMEM)
def test_local_memory_cache_keys_of_the_schema_are_deleted_and_no_other() -> None:
    # given
    with schema_context("doomed"):
        cache.set("a", 1)
        cache.set("b", 2)
    with schema_context("doomed2"):
        cache.set("a", 3)
    # when
    deleted = purge._delete_cache_keys("doomed")
    # then
    assert deleted == 2
    with schema_context("doomed"):
        assert cache.get("a") is None and cache.get("b") is None
    with schema_context("doomed2"):
        assert cache.get("a") == 3
