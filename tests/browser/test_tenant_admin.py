"""A tenant's admin site in a real browser, on the tenant's custom domain: its admin approves an
offline payment and changes a user's role; a student is refused."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import expect
from pytest_django import DjangoDbBlocker

from saas.db.tenant import in_tenant
from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.payments.models import Invoice, InvoiceStatus, Payment, PaymentStatus
from tests.browser.conftest import CUSTOM_HOST, Snap, committed, drop, provision, run_action, sign_in, url
from tests.conftest import PASSWORD
from tests.dns_stub import DnsStub
from tests.factories import InvoiceFactory, PaymentFactory, UserFactory
from tests.live import LiveServer

#: ``django_db``: the test reads the database in its own (rolled-back) transaction, which sees what
#: the live server commits; the rows the server serves are committed by the module's fixture.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SLUG = "lima"
ADMIN = f"admin@{SLUG}.test"
STUDENT = f"student@{SLUG}.test"
PAT = f"pat@{SLUG}.test"


@dataclass(frozen=True)
class School:
    """The module's school site, served on ``CUSTOM_HOST``, and its rows."""

    tenant: Tenant
    payment_pk: int
    invoice_number: str


@pytest.fixture(scope="module")
def school(
    chromium: str, app_server: LiveServer, live_dns_stub: DnsStub, django_db_blocker: DjangoDbBlocker
) -> Iterator[School]:
    """A school provisioned for this module (committed, dropped after) with ``CUSTOM_HOST`` added
    and verified by its admin through the domains API (the TXT record published on the DNS stub):
    a student with a pending bank transfer of a 250.00 invoice, and Pat, a student whose role the
    admin changes."""
    tenant = provision(django_db_blocker, slug=SLUG, kind="school")
    try:
        with committed(django_db_blocker), in_tenant(tenant):
            student = UserFactory(email=STUDENT, roles=["student"])
            UserFactory(email=PAT, roles=["student"])
            payment = PaymentFactory(invoice=InvoiceFactory(customer=student, total="250.00"))
        host = f"{SLUG}.localhost"
        token = app_server.login(host, ADMIN, PASSWORD)
        added = app_server.request("POST", "/api/v1/domains/", host=host, token=token, json={"domain": CUSTOM_HOST})
        assert added.status_code == 201, added.text
        record = added.json()["verification_record"]
        live_dns_stub.set_txt(record["name"], record["value"])
        verified = app_server.request("POST", f"/api/v1/domains/{added.json()['id']}/verify/", host=host, token=token)
        assert verified.status_code == 200 and verified.json()["status"] == "verified", verified.text
        yield School(tenant=tenant, payment_pk=payment.pk, invoice_number=payment.invoice.number)
    finally:
        live_dns_stub.remove(f"_saas-challenge.{CUSTOM_HOST}")
        drop(django_db_blocker, SLUG)  # its custom domain and routing rows with it


def test_the_tenant_admin_signs_in_on_the_custom_domain_and_approves_an_offline_payment(
    page: Any, snap: Snap, app_server: LiveServer, school: School
) -> None:
    site = lambda path: url(app_server, CUSTOM_HOST, path)  # noqa: E731

    # given: signed in on the customer's own domain
    sign_in(page, site("/admin/"), ADMIN, PASSWORD)
    snap(page, "signed-in")
    assert page.url == site("/admin/")
    expect(page.locator("#site-name")).to_contain_text("Lima administration")

    # when: Payments, tick the pending transfer, "Approve the selected payments", Go
    page.goto(site("/admin/payments/payment/"))
    snap(page, "payments")
    run_action(page, "approve_payments", school.payment_pk)
    snap(page, "approved")

    # then: the page says so, the invoice reads paid, and so does the database
    expect(page.locator("ul.messagelist li.success")).to_contain_text("approved")
    expect(page.locator("ul.messagelist li.error")).to_have_count(0)
    page.goto(site("/admin/payments/invoice/"))
    snap(page, "invoices")
    expect(page.locator("#result_list tbody tr", has_text=school.invoice_number)).to_contain_text("Paid")
    with in_tenant(school.tenant):
        payment = Payment.objects.select_related("decided_by").get(pk=school.payment_pk)
        assert (payment.status, payment.decided_by.email if payment.decided_by else None) == (
            PaymentStatus.APPROVED,
            ADMIN,
        )
        assert Invoice.objects.get(number=school.invoice_number).status == InvoiceStatus.PAID


def test_the_tenant_admin_changes_a_users_role_and_the_audit_log_shows_it(
    page: Any, snap: Snap, app_server: LiveServer, school: School
) -> None:
    site = lambda path: url(app_server, CUSTOM_HOST, path)  # noqa: E731
    sign_in(page, site("/admin/accounts/user/"), ADMIN, PASSWORD)
    snap(page, "users")

    # when: Pat's page, roles student -> teacher, Save
    page.get_by_role("link", name=PAT, exact=True).click()
    snap(page, "pat")
    page.uncheck("input[name=roles][value=student]")
    page.check("input[name=roles][value=teacher]")
    page.click("input[name=_save]")
    snap(page, "saved")

    # then
    expect(page.locator("ul.messagelist li.success")).to_contain_text(PAT)
    with in_tenant(school.tenant):
        pat = User.objects.get(email=PAT)
        assert sorted(pat.groups.values_list("name", flat=True)) == ["teacher"]
        assert AuditLogEntry.objects.filter(verb="user.updated", target_id=str(pat.pk), actor__email=ADMIN).exists()
    page.goto(site("/admin/audit/auditlogentry/"))
    snap(page, "audit-log")
    expect(page.locator("#result_list tbody tr", has_text="user.updated").first).to_contain_text(PAT)


def test_a_student_is_refused_the_admin_site(page: Any, snap: Snap, app_server: LiveServer, school: School) -> None:
    site = lambda path: url(app_server, CUSTOM_HOST, path)  # noqa: E731

    # when: the right password, the wrong role
    sign_in(page, site("/admin/"), STUDENT, PASSWORD)
    snap(page, "refused")

    # then: the reason is shown, and the site stays behind its login page
    expect(page.locator(".errornote")).to_contain_text("This account cannot sign in to the admin site.")
    page.goto(site("/admin/"))
    snap(page, "still-login")
    assert page.url.startswith(site("/admin/login/"))
    expect(page.locator("#id_username")).to_be_visible()
