"""The platform console (``/admin/`` on the platform host): tenants with their status actions,
domains, and each tenant's usage."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import update_last_login
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django import DjangoDbBlocker

from saas.admin import platform_admin_site
from saas.db.tenant import in_tenant, tenant_connection
from shared_apps.tenancy.models import Domain, Tenant, TenantStatus
from shared_apps.tenancy.selectors import TenantUsage, tenant_usage
from shared_apps.tenancy.services import tenant_drop, tenant_provision
from tests.admin import admin_client, admin_url, messages_of, run_action, sign_in
from tests.api import error_code
from tests.conftest import PASSWORD, SESSION_TENANTS, host_of
from tests.factories import DomainFactory, StoredFileFactory, UserFactory, create_in
from tests.factories.base import at
from tests.factories.files import PDF
from tests.fixture_types import ClientFor

pytestmark = pytest.mark.django_db

SLUG = "kilo"
TENANTS = admin_url(Tenant)
DOMAINS = admin_url(Domain)


def _drop(slug: str) -> None:
    tenant_connection().set_schema_to_public()
    for tenant in Tenant.objects.filter(schema_name=slug):
        tenant_drop(tenant=tenant, confirm_slug=slug)


@pytest.fixture(scope="module")
def kilo_committed(session_tenants: dict[str, Tenant], django_db_blocker: DjangoDbBlocker) -> Iterator[Tenant]:
    """A rental site of this module's own, committed (the session tenants stay active for the
    other tests); each test's status changes roll back with its transaction. Dropped after."""
    with django_db_blocker.unblock():
        _drop(SLUG)  # left over by an interrupted run of a kept database
        tenant = tenant_provision(
            kind="rental", slug=SLUG, name="Kilo", owner_email=f"admin@{SLUG}.test", owner_password=PASSWORD
        )
        tenant_connection().set_schema_to_public()
    yield tenant
    with django_db_blocker.unblock():
        _drop(SLUG)


@pytest.fixture
def kilo(kilo_committed: Tenant, db: None) -> Tenant:
    return Tenant.objects.get(pk=kilo_committed.pk)


@pytest.fixture
def staff() -> Client:
    """The platform's staff user, signed in to the console."""
    return admin_client(None)


def shown(response: Any) -> list[str]:
    """The rows of a changelist page, as their objects' ``str``, in order."""
    return [str(getattr(obj, "schema_name", obj)) for obj in response.context["cl"].result_list]


def readonly_fields(page: Any) -> dict[str, str]:
    """The fields of a read-only change page: name -> the text shown."""
    return {
        line.field["name"]: str(line.contents())
        for fieldset in page.context["adminform"]
        for row in fieldset
        for line in row
    }


def console_log(tenant: Tenant) -> list[str]:
    """The console's log (Django's ``LogEntry``, public schema) of ``tenant``, oldest first."""
    tenant_connection().set_schema_to_public()
    entries = LogEntry.objects.filter(object_id=str(tenant.pk), action_flag=CHANGE, user__email="staff@localhost")
    return list(entries.order_by("pk").values_list("change_message", flat=True))


def status_of(tenant: Tenant) -> str:
    tenant_connection().set_schema_to_public()
    return Tenant.objects.values_list("status", flat=True).get(pk=tenant.pk)


# -- the list --------------------------------------------------------------------------------


def test_staff_lists_the_tenants_filtered_by_kind_and_status_and_searched(staff: Client, kilo: Tenant) -> None:
    # when / then: every tenant, by slug
    everything = staff.get(TENANTS)
    assert everything.status_code == 200
    assert shown(everything) == sorted([*SESSION_TENANTS, SLUG])
    assert "kilo.localhost" in everything.content.decode()  # the primary domain column
    # a kind, a status
    assert shown(staff.get(TENANTS, {"kind": "rental"})) == ["echo", "foxtrot", SLUG]
    assert shown(staff.get(TENANTS, {"kind": "school", "status__exact": "active"})) == ["alpha", "beta"]
    assert shown(staff.get(TENANTS, {"status__exact": "suspended"})) == []
    # search: name, slug, owner e-mail
    assert shown(staff.get(TENANTS, {"q": "Kilo"})) == [SLUG]
    assert shown(staff.get(TENANTS, {"q": "admin@beta.test"})) == ["beta"]
    assert shown(staff.get(TENANTS, {"q": "nobody-has-this"})) == []


def test_the_tenant_list_costs_the_same_queries_for_2_rows_as_for_9(staff: Client, kilo: Tenant) -> None:
    staff.get(TENANTS)  # warm: the session, the user, content types

    with CaptureQueriesContext(connection) as two:
        assert len(shown(staff.get(TENANTS, {"kind": "school"}))) == 2
    with CaptureQueriesContext(connection) as nine:
        assert len(shown(staff.get(TENANTS))) == 9

    assert len(two) == len(nine), [q["sql"] for q in nine.captured_queries]


def test_the_list_does_not_read_the_tenants_schemas(staff: Client, kilo: Tenant) -> None:
    with CaptureQueriesContext(connection) as queries:
        staff.get(TENANTS)

    # (the signed-in staff user is read from the public schema's users; no tenant's files or log)
    assert not any("storedfile" in q["sql"] or "auditlogentry" in q["sql"] for q in queries.captured_queries)
    assert "users, storage, activity" in staff.get(TENANTS).content.decode()  # a link to each page instead


# -- a tenant's page: domains and usage ------------------------------------------------------


def test_a_tenants_page_shows_its_domains_and_its_usage(staff: Client, kilo: Tenant) -> None:
    # given: two more users (one deactivated), two uploads, a sign-in after them
    soon = timezone.now() + timedelta(hours=1)
    with at(soon):
        bob = create_in(kilo, UserFactory, email="bob@kilo.test", roles=["guest"])
        create_in(kilo, UserFactory, email="carol@kilo.test", inactive=True)
    with at(soon + timedelta(minutes=5)):
        create_in(kilo, StoredFileFactory, uploaded_by=bob)
        create_in(kilo, StoredFileFactory, uploaded_by=bob, text=True)
    signed_in_at = (soon + timedelta(minutes=30)).replace(microsecond=0)
    with in_tenant(kilo), at(signed_in_at):
        update_last_login(type(bob), bob)  # what a sign-in (API or admin) records
    size = len(PDF) + len(b"a plain text note\n")

    # when
    page = staff.get(admin_url(kilo, "change"))

    # then
    assert page.status_code == 200
    html = page.content.decode()
    assert "kilo.localhost</a> (primary)" in html
    fields = readonly_fields(page)
    assert fields["usage_users"] == "3"  # the owner, bob, carol
    assert fields["usage_active_users"] == "2"
    assert fields["usage_storage"].endswith(f"({size} bytes)")
    assert fields["usage_last_activity"] == signed_in_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    assert fields["status"] == "Active" and fields["owner_email"] == "admin@kilo.test"


def test_usage_is_read_in_the_tenants_schema_with_a_fixed_number_of_queries(kilo: Tenant) -> None:
    # given: the provisioned site (its owner only, nothing uploaded)
    with CaptureQueriesContext(connection) as empty:
        before = tenant_usage(kilo)
    assert (before.users, before.active_users, before.storage_bytes) == (1, 1, 0)
    assert tenant_connection().schema_name == "public"  # back where it was

    # when: the site grows
    later = timezone.now() + timedelta(hours=2)
    with at(later):
        users = [create_in(kilo, UserFactory, email=f"u{n}@kilo.test") for n in range(5)]
        for user in users:
            create_in(kilo, StoredFileFactory, uploaded_by=user)

    # then: the same queries, the new figures; the newest change (the uploads' audit rows) is the last activity
    with CaptureQueriesContext(connection) as grown:
        after = tenant_usage(kilo)
    assert len(grown) == len(empty) <= 4
    assert after == TenantUsage(users=6, active_users=6, storage_bytes=5 * len(PDF), last_activity=later)
    assert after.last_activity is not None and after.last_activity.utcoffset() == timedelta(0)


def test_usage_of_one_tenant_counts_nothing_of_another(kilo: Tenant, alpha: Tenant) -> None:
    # given: alpha grows, kilo does not
    create_in(alpha, UserFactory, email="extra@alpha.test")
    create_in(alpha, StoredFileFactory)

    # then
    usage = tenant_usage(kilo)
    assert (usage.users, usage.storage_bytes) == (1, 0)
    assert tenant_usage(alpha).storage_bytes >= len(PDF)


def test_a_tenants_page_is_read_only(staff: Client, kilo: Tenant) -> None:
    # when: a forged edit, an add, a delete
    edit = staff.post(admin_url(kilo, "change"), {"name": "Renamed", "status": "archived"})
    add = staff.get(admin_url(Tenant, "add"))
    delete = staff.post(admin_url(kilo, "delete"), {"post": "yes"})

    # then: refused, nothing changed
    assert (edit.status_code, add.status_code, delete.status_code) == (403, 403, 403)
    kilo.refresh_from_db()
    assert (kilo.name, kilo.status) == ("Kilo", TenantStatus.ACTIVE)
    assert "Save" not in staff.get(admin_url(kilo, "change")).content.decode()


# -- status actions --------------------------------------------------------------------------


def test_suspend_through_the_console_blocks_the_site_and_resume_serves_it_again(
    staff: Client, kilo: Tenant, client_for: ClientFor
) -> None:
    assert client_for(kilo).get("/api/v1/site/").status_code == 200

    # when
    suspended = run_action(staff, Tenant, "suspend_tenants", [kilo])

    # then
    assert suspended.status_code == 200
    assert messages_of(suspended) == ["1 suspended."]
    assert status_of(kilo) == TenantStatus.SUSPENDED
    site = client_for(kilo).get("/api/v1/site/")
    assert site.status_code == 403 and error_code(site) == "tenant_suspended"
    assert console_log(kilo) == ["suspend: status active -> suspended"]

    # when
    resumed = run_action(staff, Tenant, "resume_tenants", [kilo])

    # then
    assert messages_of(resumed) == ["1 resumed."]
    assert status_of(kilo) == TenantStatus.ACTIVE
    assert client_for(kilo).get("/api/v1/site/").status_code == 200
    assert console_log(kilo) == ["suspend: status active -> suspended", "resume: status suspended -> active"]


def test_archive_through_the_console_stops_serving_the_site(staff: Client, kilo: Tenant, client_for: ClientFor) -> None:
    archived = run_action(staff, Tenant, "archive_tenants", [kilo])

    assert messages_of(archived) == ["1 archived."]
    assert status_of(kilo) == TenantStatus.ARCHIVED
    site = client_for(kilo).get("/api/v1/site/")
    assert site.status_code == 410 and error_code(site) == "tenant_archived"


def test_a_move_the_status_does_not_allow_shows_the_error_and_changes_nothing(staff: Client, kilo: Tenant) -> None:
    # when: resuming an active site
    response = run_action(staff, Tenant, "resume_tenants", [kilo])

    # then
    assert messages_of(response) == [f"{kilo}: Cannot resume a tenant that is active."]
    assert status_of(kilo) == TenantStatus.ACTIVE
    assert console_log(kilo) == []


def test_one_refused_tenant_does_not_undo_the_others(staff: Client, kilo: Tenant, alpha: Tenant) -> None:
    # given: kilo suspended, alpha active
    run_action(staff, Tenant, "suspend_tenants", [kilo])

    # when: resume both
    response = run_action(staff, Tenant, "resume_tenants", [kilo, alpha])

    # then: kilo resumed, alpha refused and untouched
    assert messages_of(response) == [f"{alpha}: Cannot resume a tenant that is active.", "1 resumed."]
    assert (status_of(kilo), status_of(alpha)) == (TenantStatus.ACTIVE, TenantStatus.ACTIVE)
    assert console_log(alpha) == []
    assert console_log(kilo) == ["suspend: status active -> suspended", "resume: status suspended -> active"]


# -- who gets in -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "reason"),
    [
        ("nonstaff@localhost", "This account cannot sign in to the admin site."),
        # a tenant's admin has no account on the platform: their site's password opens nothing here
        ("admin@alpha.test", "Enter the e-mail address and password of an account allowed here."),
        ("admin@kilo.test", "Enter the e-mail address and password of an account allowed here."),
    ],
)
def test_non_staff_and_tenant_admins_are_refused(email: str, reason: str, kilo: Tenant) -> None:
    # when
    client = Client(HTTP_HOST=host_of(None))
    response = sign_in(client, email)

    # then: the form again, with the reason; no page, no action
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert client.get(TENANTS)["Location"].startswith("/admin/login/")
    assert client.get(admin_url(kilo, "change")).status_code == 302
    assert run_action(client, Tenant, "suspend_tenants", [kilo]).redirect_chain[0][0].startswith("/admin/login/")
    assert status_of(kilo) == TenantStatus.ACTIVE


def test_anonymous_visitors_are_sent_to_the_login_page(kilo: Tenant) -> None:
    client = Client(HTTP_HOST=host_of(None))

    assert client.get(TENANTS)["Location"].startswith("/admin/login/")
    assert client.post(TENANTS, {"action": "suspend_tenants", "_selected_action": [kilo.pk]}).status_code == 302
    assert status_of(kilo) == TenantStatus.ACTIVE


def test_a_tenant_admin_finds_no_console_on_their_own_site(alpha: Tenant) -> None:
    client = admin_client(alpha)

    assert client.get(TENANTS).status_code == 404
    assert client.get(DOMAINS).status_code == 404


def test_the_console_shows_tenants_and_domains_and_no_tenant_models(staff: Client) -> None:
    index = staff.get("/admin/")

    assert [(app["app_label"], [m["object_name"] for m in app["models"]]) for app in index.context["app_list"]] == [
        ("billing", ["BillingAccount", "BillingEvent", "Plan"]),
        ("superadmin", ["PlatformAuditEntry", "TenantHealth"]),
        ("tenancy", ["CustomDomain", "Domain", "Tenant"]),
    ]
    assert {model._meta.app_label for model in platform_admin_site._registry} == {"billing", "superadmin", "tenancy"}
    for path in (
        "/admin/accounts/user/",
        "/admin/tickets/ticket/",
        "/admin/payments/payment/",
        "/admin/audit/auditlogentry/",
    ):
        assert staff.get(path).status_code == 404, path


# -- domains ---------------------------------------------------------------------------------


def test_staff_lists_the_domains_read_only_searched_and_filtered(staff: Client, kilo: Tenant) -> None:
    # given: an alias of kilo's
    alias = DomainFactory(domain="kilo-alias.localhost", tenant=kilo)

    # when / then
    assert shown(staff.get(DOMAINS, {"q": "kilo"})) == ["kilo-alias.localhost", "kilo.localhost"]
    assert shown(staff.get(DOMAINS, {"q": "kilo", "is_primary__exact": "0"})) == ["kilo-alias.localhost"]
    assert len(shown(staff.get(DOMAINS))) == len(SESSION_TENANTS) + 2
    page = staff.get(admin_url(alias, "change"))
    assert page.status_code == 200
    assert readonly_fields(page)["tenant_link"] == f'<a href="{admin_url(kilo, "change")}">{kilo}</a>'
    assert staff.post(admin_url(alias, "change"), {"domain": "evil.localhost"}).status_code == 403
    assert Domain.objects.get(pk=alias.pk).domain == "kilo-alias.localhost"


def test_the_domain_list_costs_the_same_queries_for_1_row_as_for_9(staff: Client, kilo: Tenant) -> None:
    staff.get(DOMAINS)

    with CaptureQueriesContext(connection) as one:
        assert len(shown(staff.get(DOMAINS, {"q": "kilo"}))) == 1
    with CaptureQueriesContext(connection) as nine:
        assert len(shown(staff.get(DOMAINS))) == 9

    assert len(one) == len(nine)


def test_staff_see_every_tenants_custom_domains_and_where_their_check_stands(staff: Client, kilo: Tenant) -> None:
    # given: kilo's admin added a domain (pending), another one verified
    from shared_apps.tenancy.models import CustomDomain, CustomDomainStatus

    pending = CustomDomain.objects.create(
        tenant=kilo, domain="pending-shop.example", verification_token="token-of-pending-shop"
    )
    verified = CustomDomain.objects.create(
        tenant=kilo,
        domain="verified-shop.example",
        verification_token="token-of-verified-shop",
        status=CustomDomainStatus.VERIFIED,
        verified_at=timezone.now(),
    )

    # when: staff filter the list by status, then open one
    listed = staff.get(admin_url(CustomDomain), {"status__exact": "verified"})
    detail = staff.get(admin_url(pending, "change"))

    # then: only the verified one is listed, with its tenant; the page is read-only and hides the token
    assert listed.status_code == 200
    assert [row.domain for row in listed.context["cl"].result_list] == [verified.domain]
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "pending-shop.example" in body and "token-of-pending-shop" not in body
    assert staff.post(admin_url(pending, "change"), {"status": "verified"}).status_code == 403
    pending.refresh_from_db()
    assert pending.status == CustomDomainStatus.PENDING


def test_staff_read_the_platforms_audit_log_and_cannot_change_it(staff: Client, kilo: Tenant) -> None:
    from shared_apps.superadmin.models import PlatformAuditEntry
    from shared_apps.superadmin.services import platform_audit_record

    # given
    entry = platform_audit_record(verb="tenant.archived", tenant=kilo, details={"reason": "asked by the owner"})
    entries = "/admin/superadmin/platformauditentry/"
    # when / then: listed, searched by the tenant's slug, shown read-only
    assert str(entry) in shown(staff.get(entries, {"q": "kilo"}))
    assert shown(staff.get(entries, {"q": "nobody-such"})) == []
    page = staff.get(admin_url(entry, "change"))
    assert page.status_code == 200 and readonly_fields(page)["verb"] == "tenant.archived"
    assert staff.post(admin_url(entry, "change"), {"verb": "forged"}).status_code == 403
    assert staff.post(admin_url(entry, "delete"), {"post": "yes"}).status_code == 403
    assert staff.get(f"{entries}add/").status_code == 403
    assert PlatformAuditEntry.objects.get(pk=entry.pk).verb == "tenant.archived"
