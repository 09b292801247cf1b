"""Restore a tenant archive (issue 17, point 4) under a new slug while the original still serves:
the copy has the data and the files under its own prefix, and nothing of one reaches the other;
archives that are corrupt, foreign, from newer code or aimed at a taken slug are refused and leave
nothing behind; an archive from older code is migrated forward."""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django_tenants.utils import schema_exists, tenant_context
from pytest_django import DjangoDbBlocker
from rest_framework.test import APIClient

from saas.errors import ApplicationError
from shared_apps.billing.models import BillingAccount
from shared_apps.superadmin.models import PlatformAuditEntry
from shared_apps.superadmin.portability import archive
from shared_apps.superadmin.portability.export import tenant_export
from shared_apps.superadmin.portability.restore import SchemaRenamer, tenant_import
from shared_apps.tenancy.models import Tenant
from tests.concurrency import in_thread
from tests.conftest import PASSWORD, host_of
from tests.shared_apps.superadmin.portability_fixtures import committed_tenant, drop_committed, unique_slug

ME = "/api/v1/auth/user/"


def _login(tenant: Tenant, email: str) -> str:
    response = APIClient(HTTP_HOST=host_of(tenant)).post("/api/v1/auth/login/", {"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.content
    return str(response.json()["access"])


def _client(tenant: Tenant, token: str | None = None) -> APIClient:
    client = APIClient(HTTP_HOST=host_of(tenant))
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture(scope="module")
def exported(
    session_tenants: dict[str, Tenant], django_db_blocker: DjangoDbBlocker, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """An original store tenant (committed) whose admin has an avatar and a stored file, its
    archive, and a copy imported from it under another slug while the original exists."""
    slug, copy_slug = unique_slug("orig"), unique_slug("copy")
    path = tmp_path_factory.mktemp("archives") / "orig.tar"
    with committed_tenant(django_db_blocker, kind="store", slug=slug) as tenant, django_db_blocker.unblock():
        avatar = default_storage.save(f"{slug}/avatars/a1/me.png", ContentFile(b"original avatar"))
        with tenant_context(tenant):
            from tenant_apps.accounts.models import User

            User.objects.filter(email=f"admin@{slug}.test").update(avatar=avatar)
        with open(path, "wb") as out:
            manifest = tenant_export(tenant=tenant, target=out)
        try:
            with open(path, "rb") as source:
                copy = tenant_import(source=source, slug=copy_slug)
            yield {"original": tenant, "copy": copy, "path": path, "manifest": manifest, "avatar": avatar}
        finally:
            drop_committed(copy_slug)
            from shared_apps.superadmin.purge import _delete_files

            _delete_files(copy_slug)


def test_copy_under_a_new_slug_serves_the_same_data_with_its_own_files(exported: dict[str, Any], db: None) -> None:
    original, copy = exported["original"], exported["copy"]
    assert (copy.kind, copy.name, copy.status) == ("store", original.name, "active")
    assert copy.uuid != original.uuid
    admin_of_copy = f"admin@{original.slug}.test"  # the copy's users are the original's
    me_original = _client(original, _login(original, admin_of_copy)).get(ME).json()
    me_copy = _client(copy, _login(copy, admin_of_copy)).get(ME).json()
    assert me_copy["email"] == me_original["email"] and me_copy["id"] == me_original["id"]

    with tenant_context(copy):
        from tenant_apps.accounts.models import User

        copied_key = User.objects.get(email=admin_of_copy).avatar.name
    assert copied_key == f"{copy.slug}/avatars/a1/me.png"  # the key moved under the copy's prefix...
    with default_storage.open(copied_key) as handle:
        assert handle.read() == b"original avatar"  # ...and the file with it
    with tenant_context(original):
        assert User.objects.get(email=admin_of_copy).avatar.name == exported["avatar"]  # the original's untouched
    entry = PlatformAuditEntry.objects.get(verb="tenant.imported", tenant_slug=copy.slug)
    assert entry.details["from_slug"] == original.slug and entry.details["file_keys_rewritten"] == 1


def test_the_originals_tokens_are_refused_by_the_copy(exported: dict[str, Any], db: None) -> None:
    original, copy = exported["original"], exported["copy"]
    token = _login(original, f"admin@{original.slug}.test")
    assert _client(original, token).get(ME).status_code == 200
    assert _client(copy, token).get(ME).status_code == 401


def test_copy_gets_a_billing_account_without_the_originals_stripe_ids(exported: dict[str, Any], db: None) -> None:
    BillingAccount.objects.filter(tenant=exported["original"]).update(
        stripe_customer_id="cus_original", stripe_subscription_id="sub_original"
    )
    account = BillingAccount.objects.get(tenant=exported["copy"])
    assert account.stripe_customer_id == "" and account.stripe_subscription_id == ""
    original_plan = BillingAccount.objects.get(tenant=exported["original"]).plan_id
    assert account.plan_id == original_plan


def test_a_changed_row_in_the_copy_does_not_reach_the_original(exported: dict[str, Any], db: None) -> None:
    original, copy = exported["original"], exported["copy"]
    with tenant_context(copy):
        from tenant_apps.accounts.models import User

        User.objects.filter(email=f"admin@{original.slug}.test").update(full_name="Only in the copy")
    with tenant_context(original):
        assert not User.objects.filter(full_name="Only in the copy").exists()


def _rewritten(
    path: Path, target: Path, *, manifest_change: Any = None, dump_change: Any = None, sign: bool = True
) -> Path:
    """A copy of the archive at ``path`` with its manifest (signed again, unless not ``sign``) or its dump changed."""
    with tarfile.open(path, "r:") as source, tarfile.open(target, "w:") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == archive.MANIFEST and manifest_change is not None:
                manifest = json.loads(data)
                manifest_change(manifest)
                if sign:
                    manifest["signature"] = archive.manifest_signature(manifest)
                data = json.dumps(manifest).encode()
            if member.name == archive.DUMP and dump_change is not None:
                data = dump_change(data)
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return target


def _refused(source: Path | bytes, slug: str) -> ApplicationError:
    with pytest.raises(ApplicationError) as refused:
        handle = open(source, "rb") if isinstance(source, Path) else io.BytesIO(source)  # noqa: SIM115
        with handle:
            tenant_import(source=handle, slug=slug)
    assert not Tenant.objects.filter(schema_name=slug).exists()
    assert not schema_exists(slug)
    assert not default_storage.exists(slug)
    return refused.value


def _flip_last_byte(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 0xFF])


def test_broken_archives_are_refused_and_leave_nothing(
    exported: dict[str, Any], tmp_path: Path, db: None, django_db_blocker: DjangoDbBlocker
) -> None:
    path, slug = exported["path"], unique_slug("bad")
    assert _refused(b"not a tar at all" * 100, slug).code == "invalid_archive"
    assert _refused(path.read_bytes()[:5000], slug).code == "invalid_archive"  # cut short
    corrupt = _rewritten(path, tmp_path / "corrupt.tar", dump_change=_flip_last_byte)
    assert _refused(corrupt, slug).code == "archive_checksum_mismatch"

    def newer(manifest: dict[str, Any]) -> None:
        manifest["migrations"].append(["accounts", "9999_from_the_future"])

    refused = _refused(_rewritten(path, tmp_path / "newer.tar", manifest_change=newer), slug)
    assert (refused.code, refused.status_code) == ("archive_newer_than_code", 409)
    assert refused.details["migrations"] == ["accounts.9999_from_the_future"]

    def unknown_kind(manifest: dict[str, Any]) -> None:
        manifest["kind"] = "casino"

    assert _refused(_rewritten(path, tmp_path / "kind.tar", manifest_change=unknown_kind), slug).code == "invalid_kind"


def test_taken_slug_is_refused(exported: dict[str, Any], db: None) -> None:
    with open(exported["path"], "rb") as source, pytest.raises(ApplicationError) as refused:
        tenant_import(source=source, slug=exported["original"].slug)
    assert (refused.value.code, refused.value.status_code) == ("slug_taken", 409)


def test_tables_that_do_not_match_the_manifest_are_refused_after_loading_and_dropped(
    exported: dict[str, Any], tmp_path: Path, db: None
) -> None:
    """The dump loads, but its rows are not the ones the manifest counted: the new schema is dropped.
    Committed (psql commits the schema: the cleanup must be real), on a thread of its own."""

    def one_row_less(manifest: dict[str, Any]) -> None:
        manifest["tables"]["accounts_user"]["rows"] += 1

    slug = unique_slug("mismatch")
    tampered = _rewritten(exported["path"], tmp_path / "m.tar", manifest_change=one_row_less)
    refused = in_thread(lambda: _refused(tampered, slug))
    assert refused.code == "archive_checksum_mismatch" and refused.details["tables"] == ["accounts_user"]


def test_schema_renamer_rewrites_statements_and_leaves_copy_data_alone() -> None:
    rename = SchemaRenamer("old-site", "new-site")
    sql = [
        b'CREATE SCHEMA "old-site";\n',
        b'CREATE TABLE "old-site".notes (id bigint NOT NULL, body text);\n',
        b'COPY "old-site".notes (id, body) FROM stdin;\n',
        b'1\tsee "old-site".notes and old-site/files\n',
        b"\\.\n",
        b"SELECT pg_catalog.setval('\"old-site\".notes_id_seq', 1, true);\n",
    ]
    assert [rename(line) for line in sql] == [
        b'CREATE SCHEMA "new-site";\n',
        b'CREATE TABLE "new-site".notes (id bigint NOT NULL, body text);\n',
        b'COPY "new-site".notes (id, body) FROM stdin;\n',
        b'1\tsee "old-site".notes and old-site/files\n',  # data is data
        b"\\.\n",
        b"SELECT pg_catalog.setval('\"new-site\".notes_id_seq', 1, true);\n",
    ]
    plain = SchemaRenamer("shop", "copy")
    assert plain(b"ALTER TABLE ONLY shop.t ADD CONSTRAINT t_pkey PRIMARY KEY (id);\n") == (
        b'ALTER TABLE ONLY "copy".t ADD CONSTRAINT t_pkey PRIMARY KEY (id);\n'
    )
    assert plain(b"CREATE INDEX shop_idx ON shop.t USING btree (workshop.x);\n") == (
        b'CREATE INDEX shop_idx ON "copy".t USING btree (workshop.x);\n'
    )


def test_an_archive_not_signed_with_this_platforms_key_is_refused_unless_trusted(
    exported: dict[str, Any], tmp_path: Path, db: None
) -> None:
    def unknown_kind(manifest: dict[str, Any]) -> None:
        manifest["kind"] = "casino"

    tampered = _rewritten(exported["path"], tmp_path / "tampered.tar", manifest_change=unknown_kind, sign=False)
    assert _refused(tampered, unique_slug("tampered")).code == "archive_signature_invalid"
    with open(tampered, "rb") as source, pytest.raises(ApplicationError) as trusted:
        tenant_import(source=source, slug=unique_slug("tampered"), trust_unsigned=True)
    assert trusted.value.code == "invalid_kind"  # trusted: read on, and refused for what it holds


def test_the_commands_export_to_a_file_and_import_it(exported: dict[str, Any], tmp_path: Path, db: None) -> None:
    """``export_tenant`` then ``import_tenant``, committed (on a thread of its own, as a separate
    process would; cleaned up)."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from shared_apps.superadmin.purge import _delete_files

    original, output, slug = exported["original"], tmp_path / "cmd.tar", unique_slug("cmd")
    printed = io.StringIO()

    def run() -> str:
        call_command("export_tenant", original.slug, output=str(output), stderr=printed)
        try:
            call_command("import_tenant", str(output), slug=slug, stderr=printed)
            return str(Tenant.objects.get(schema_name=slug).kind)
        finally:
            drop_committed(slug)
            _delete_files(slug)

    assert in_thread(run) == "store"
    assert "100% done" in printed.getvalue() and f"Exported {original.slug!r}" in printed.getvalue()
    assert f"Imported {slug!r}" in printed.getvalue()
    with pytest.raises(CommandError, match="slug_taken"):
        call_command("import_tenant", str(output), slug=original.slug, stderr=printed)
    with pytest.raises(CommandError, match="unknown_tenant"):
        call_command("export_tenant", "no-such-site", output=str(tmp_path / "x.tar"), stderr=printed)


def test_an_import_that_loses_the_race_for_its_slug_leaves_the_winners_schema_alone(
    exported: dict[str, Any], monkeypatch: pytest.MonkeyPatch, db: None
) -> None:
    """Two imports of one slug: both pass the free-slug check, one creates the schema first. The
    other's load fails on ``CREATE SCHEMA``; it must answer ``slug_taken`` and drop nothing (the
    schema is the winner's). Deterministic: the winner's schema is created between the check and
    the load of the loser. Committed, on a thread of its own (``in_thread``), removed afterwards."""
    from shared_apps.superadmin.portability import restore

    slug = unique_slug("race")
    checked: list[str] = []

    def check_then_lose(name: str) -> None:
        checked.append(name)
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{name}"')  # the winner, right after our check
            cursor.execute(f'CREATE TABLE "{name}".winners_data (id int)')

    def lose() -> tuple[str, int, bool]:
        try:
            with open(exported["path"], "rb") as source, pytest.raises(ApplicationError) as lost:
                tenant_import(source=source, slug=slug)
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = %s", [slug])
                tables = int(cursor.fetchone()[0])
            return str(lost.value.code), tables, Tenant.objects.filter(schema_name=slug).exists()
        finally:
            drop_committed(slug)

    monkeypatch.setattr(restore, "_ensure_free", check_then_lose)
    code, tables, registered = in_thread(lose)
    assert (code, checked) == ("slug_taken", [slug])
    assert tables == 1 and not registered  # the winner's schema and table are still there, nothing of ours


def test_file_columns_are_found_from_the_models() -> None:
    """Every FileField/ImageField of the tenant apps is rewritten on a restore under a new slug
    (found from the models: a new one needs no list to be kept)."""
    from shared_apps.superadmin.portability.restore import file_fields

    found = set(file_fields())
    assert {("files_storedfile", "file"), ("accounts_user", "avatar")} <= found
    assert all(not table.startswith(("tenancy_", "billing_", "superadmin_")) for table, _ in found)
