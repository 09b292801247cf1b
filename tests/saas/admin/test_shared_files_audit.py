"""The files', audit log's and notifications' admin: read-only lists and pages; changes made in the
admin show in the audit log; one site's rows never on another's admin."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.files.models import StoredFile
from tests.admin import (
    admin_client,
    admin_url,
    assert_admin_pages,
    assert_list_queries_fixed,
)
from tests.factories import AuditLogEntryFactory, NotificationFactory, StoredFileFactory, UserFactory, create_in

pytestmark = pytest.mark.django_db

FILES = admin_url("files.storedfile")
AUDIT = admin_url("audit.auditlogentry")
NOTIFICATIONS = admin_url("notifications.notification")


def _student(tenant: Tenant, email: str = "ann@alpha.test") -> User:
    return create_in(tenant, UserFactory, email=email, roles=["student"])


def test_the_file_pages_answer_the_admin_only_with_a_signed_download_link(alpha: Tenant) -> None:
    ann = _student(alpha)
    stored = create_in(alpha, StoredFileFactory, uploaded_by=ann, name="homework.pdf")

    assert_admin_pages(
        alpha,
        "files.storedfile",
        stored.pk,
        query="?content_type=application/pdf&q=homework",
        shows="homework.pdf",
        non_admin="ann@alpha.test",
    )
    page = admin_client(alpha).get(admin_url("files.storedfile", "change", stored.pk)).content.decode()
    link = page.split(f"/api/v1/files/{stored.pk}/download/?signature=", 1)
    assert len(link) == 2  # the API's signed download URL
    signature = link[1].split('"', 1)[0]
    downloaded = admin_client(alpha).get(f"/api/v1/files/{stored.pk}/download/?signature={signature}")
    assert downloaded.status_code == 200


def test_the_audit_log_lists_and_shows_the_changes(alpha: Tenant) -> None:
    with tenant_context(alpha):
        actor = User.objects.get(email="admin@alpha.test")
        entry = AuditLogEntryFactory(actor=actor, verb="test.checked", changes={"status": ["old", "new"]})

    assert_admin_pages(
        alpha,
        "audit.auditlogentry",
        entry.pk,
        query=f"?verb=test.checked&actor__id__exact={actor.pk}&q=test.checked",
        shows="test.checked",
        non_admin=None,
    )
    page = admin_client(alpha).get(admin_url("audit.auditlogentry", "change", entry.pk)).content.decode()
    assert "&quot;status&quot;: [" in page and "&quot;new&quot;" in page
    assert admin_client(alpha).get(AUDIT + "?created_at__year=2000").status_code == 200  # date hierarchy


def test_a_change_made_in_the_admin_shows_in_the_audit_log(alpha: Tenant) -> None:
    ann = _student(alpha)
    client = admin_client(alpha)

    client.post(
        admin_url("accounts.user", "change", ann.pk), {"roles": ["teacher"], "is_active": "on", "_save": "Save"}
    )

    listed = client.get(AUDIT + "?q=ann@alpha.test").content.decode()
    assert "user.updated" in listed and "admin.changed" in listed
    with tenant_context(alpha):
        assert set(
            AuditLogEntry.objects.filter(target_id=str(ann.pk), actor__email="admin@alpha.test").values_list(
                "verb", flat=True
            )
        ) == {"user.updated", "admin.changed"}


def test_notifications_are_listed_read_only(alpha: Tenant) -> None:
    ann = _student(alpha)
    note = create_in(alpha, NotificationFactory, recipient=ann, verb="test.pinged")

    assert_admin_pages(
        alpha,
        "notifications.notification",
        note.pk,
        query="?read__exact=0&q=ann@alpha",
        shows="test.pinged",
    )
    assert admin_client(alpha).get(NOTIFICATIONS + "add/").status_code == 403


def test_read_only_pages_offer_no_change(alpha: Tenant) -> None:
    ann = _student(alpha)
    stored = create_in(alpha, StoredFileFactory, uploaded_by=ann)
    client = admin_client(alpha)

    response = client.post(admin_url("files.storedfile", "change", stored.pk), {"original_name": "renamed.pdf"})

    assert response.status_code == 403
    with tenant_context(alpha):
        assert StoredFile.objects.get(pk=stored.pk).original_name == stored.original_name
    assert client.get(FILES + "add/").status_code == 403


def test_another_sites_files_audit_and_notifications_never_show(alpha: Tenant, beta: Tenant) -> None:
    stranger = _student(beta, "stranger@beta.test")
    stored = create_in(beta, StoredFileFactory, uploaded_by=stranger, name="beta-secret.pdf")
    with tenant_context(beta):
        entry = AuditLogEntryFactory(actor=stranger, verb="beta.secret")
        note = NotificationFactory(recipient=stranger, verb="beta.secret")
    client = admin_client(alpha)

    for url in (
        FILES + "?q=beta-sec",
        admin_url("files.storedfile", "change", stored.pk),
        AUDIT + "?q=beta.sec",
        admin_url("audit.auditlogentry", "change", entry.pk),
        NOTIFICATIONS + "?q=beta.sec",
        admin_url("notifications.notification", "change", note.pk),
    ):
        response = client.get(url)
        assert response.status_code in (200, 302), url
        body = response.content.decode()
        assert "beta-secret.pdf" not in body and "beta.secret" not in body and "stranger@beta.test" not in body


def test_the_file_audit_and_notification_lists_cost_the_same_queries_for_2_and_10_rows(alpha: Tenant) -> None:
    ann = _student(alpha)

    def add_row() -> None:
        stored = StoredFileFactory(uploaded_by=ann)
        AuditLogEntryFactory(actor=ann, target=stored)
        NotificationFactory(recipient=ann)

    for url in (FILES, AUDIT, NOTIFICATIONS):
        assert_list_queries_fixed(alpha, url, add_row)
