"""The platform console in a real browser: platform staff suspend a tenant, whose site then
refuses every request, and resume it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from playwright.sync_api import expect
from pytest_django import DjangoDbBlocker

from saas.db.tenant import tenant_connection
from shared_apps.tenancy.models import Tenant, TenantStatus
from tests.browser.conftest import Snap, drop, provision, run_action, sign_in, url
from tests.conftest import PASSWORD
from tests.live import LiveServer

#: ``django_db``: the test reads the database in its own (rolled-back) transaction, which sees what
#: the live server commits; the rows the server serves are committed by the module's fixture.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SLUG = "mike"


@pytest.fixture(scope="module")
def mike(chromium: str, app_server: LiveServer, django_db_blocker: DjangoDbBlocker) -> Iterator[Tenant]:
    """A rental site of this module's own (committed, dropped after): the session tenants must stay active."""
    tenant = provision(django_db_blocker, slug=SLUG, kind="rental")
    try:
        yield tenant
    finally:
        drop(django_db_blocker, SLUG)


def test_platform_staff_suspend_a_tenant_and_resume_it(
    page: Any, snap: Snap, app_server: LiveServer, mike: Tenant
) -> None:
    console = lambda path: url(app_server, "localhost", path)  # noqa: E731
    site = url(app_server, f"{SLUG}.localhost", "/api/v1/site/")
    assert page.goto(site).status == 200
    snap(page, "site-served")

    # given: staff signed in to the console, the tenant found by search
    sign_in(page, console("/admin/"), "staff@localhost", PASSWORD)
    snap(page, "signed-in")
    expect(page.locator("#site-name")).to_contain_text("Platform console")
    page.goto(console(f"/admin/tenancy/tenant/?q={SLUG}"))
    snap(page, "tenants")
    row = page.locator("#result_list tbody tr", has_text=f"{SLUG}.localhost")
    expect(row).to_contain_text("Active")

    # when: "Suspend the selected tenants"
    run_action(page, "suspend_tenants", mike.pk)
    snap(page, "suspended")

    # then: the console says so, and the site refuses every request
    expect(page.locator("ul.messagelist li.success")).to_have_text("1 suspended.")
    expect(row).to_contain_text("Suspended")
    refused = page.goto(site)
    snap(page, "site-suspended")
    assert refused.status == 403
    assert refused.json()["error"]["code"] == "tenant_suspended"

    # when: "Resume the selected tenants"
    page.goto(console(f"/admin/tenancy/tenant/?q={SLUG}"))
    run_action(page, "resume_tenants", mike.pk)
    snap(page, "resumed")

    # then: served again; both moves are in the console's log
    expect(page.locator("ul.messagelist li.success")).to_have_text("1 resumed.")
    assert page.goto(site).status == 200
    snap(page, "site-served-again")
    tenant_connection().set_schema_to_public()
    assert Tenant.objects.get(pk=mike.pk).status == TenantStatus.ACTIVE
    log = LogEntry.objects.filter(object_id=str(mike.pk), user__email="staff@localhost").order_by("pk")
    assert list(log.values_list("change_message", flat=True)) == [
        "suspend: status active -> suspended",
        "resume: status suspended -> active",
    ]
