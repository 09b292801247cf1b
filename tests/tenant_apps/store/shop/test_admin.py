"""The shop in the store's admin: the settings edited through ``store_settings_update`` (the API's
checks, audited twice: the service's row and the admin's change), sellers' points read-only,
fixed query counts, nothing of another store."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django_tenants.utils import tenant_context

from saas.errors import ApplicationError, ErrorCode
from shared_apps.tenancy.models import Tenant
from tenant_apps.store.shop.models import PointsEntry, SellerAccount, StoreSettings
from tenant_apps.store.shop.services import store_settings
from tests.admin import (
    admin_client,
    admin_url,
    assert_list_queries_fixed,
    audit_verbs,
    messages_of,
    session_client,
)
from tests.conftest import host_of
from tests.factories import SellerAccountFactory, UserFactory
from tests.tenant_apps.store.conftest import Store

pytestmark = pytest.mark.django_db

SETTINGS_URL = "/admin/shop/storesettings/1/change/"


def _form(**changes: Any) -> dict[str, Any]:
    """The settings form as posted: today's values with ``changes``."""
    row = store_settings()
    data = {
        "commission_percent": str(row.commission_percent),
        "completion_wait_days": str(row.completion_wait_days),
        "return_window_days": str(row.return_window_days),
        "anti_sniping_seconds": str(row.anti_sniping_seconds),
        "points_per_order": str(row.points_per_order),
        "ranks": json.dumps(row.ranks),
        "brand_rank": row.brand_rank,
        "_save": "Save",
    }
    return {**data, **changes}


def _settings(store: Store) -> StoreSettings:
    with tenant_context(store.tenant):
        return store_settings()


def test_the_settings_list_opens_the_one_row_for_the_admin_only(store: Store) -> None:
    client = admin_client(store.tenant)
    listing = client.get(admin_url(StoreSettings) + "?q=anything")
    assert listing.status_code == 302 and listing["Location"] == SETTINGS_URL
    page = client.get(SETTINGS_URL)
    assert page.status_code == 200 and 'name="commission_percent"' in page.content.decode()
    refused = session_client(store.tenant, store.sam).get(SETTINGS_URL)
    assert refused.status_code == 302 and refused["Location"].startswith("/admin/login/")


def test_changing_the_settings_goes_through_the_service_and_is_audited(store: Store) -> None:
    # given
    client = admin_client(store.tenant)
    with tenant_context(store.tenant):
        form = _form(commission_percent="12.50", ranks=json.dumps({"bronze": 40, "silver": 200, "gold": 500}))
    # when
    response = client.post(SETTINGS_URL, form)
    # then
    assert response.status_code == 302, response.content.decode()[:2000]
    row = _settings(store)
    assert (row.commission_percent, row.ranks["bronze"]) == (Decimal("12.50"), 40)
    verbs = audit_verbs(store.tenant, row)
    assert "store.settings_updated" in verbs and "admin.changed" in verbs


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"brand_rank": "platinum"}, "brand_rank"),
        ({"ranks": json.dumps({"bronze": 50, "silver": 50})}, "ranks"),
        ({"commission_percent": "150"}, "commission_percent"),
        ({"completion_wait_days": "-1"}, "completion_wait_days"),
    ],
)
def test_settings_the_api_refuses_are_refused_and_nothing_changes(
    store: Store, changes: dict[str, str], error: str
) -> None:
    client = admin_client(store.tenant)
    before = _settings(store)
    with tenant_context(store.tenant):
        form = _form(**changes)
    response = client.post(SETTINGS_URL, form)
    assert response.status_code == 200  # the form again, with the error
    assert error in response.context["adminform"].form.errors
    after = _settings(store)
    assert (after.commission_percent, after.ranks, after.brand_rank, after.updated_at) == (
        before.commission_percent,
        before.ranks,
        before.brand_rank,
        before.updated_at,
    )
    assert "store.settings_updated" not in audit_verbs(store.tenant, after)


def test_a_refusal_by_the_service_is_shown_and_records_no_change(store: Store) -> None:
    # given: the service refuses (as under an edit that raced this one past the form's checks)
    client = admin_client(store.tenant)
    with tenant_context(store.tenant):
        form = _form(points_per_order="25")
    refusal = ApplicationError("Ranks changed meanwhile.", code=ErrorCode.VALIDATION_ERROR)
    # when
    with mock.patch("tenant_apps.store.shop.services.store_settings_update", side_effect=refusal) as update:
        response = client.post(SETTINGS_URL, form, follow=True)
    # then: the service was asked, its message shown, no success and no admin change recorded
    assert update.call_args.kwargs == {"actor": store.admin, "points_per_order": 25}
    assert messages_of(response) == ["Ranks changed meanwhile."]
    assert response.redirect_chain == [(SETTINGS_URL, 302)]
    row = _settings(store)
    assert row.points_per_order != 25
    assert "admin.changed" not in audit_verbs(store.tenant, row)


def test_sellers_points_and_their_ledger_are_shown_read_only(store: Store) -> None:
    # given
    with tenant_context(store.tenant):
        account = SellerAccountFactory(seller=store.sam, points=70)
        entry = PointsEntry.objects.get(account=account)
    client = admin_client(store.tenant)
    # when
    accounts = client.get(admin_url(SellerAccount) + "?seller__is_active__exact=1&q=sam")
    detail = client.get(admin_url(account, "change"))
    entries = client.get(admin_url(PointsEntry) + f"?kind__exact=adjustment&q={store.sam.email}")
    entry_page = client.get(admin_url(entry, "change"))
    # then
    assert accounts.status_code == 200 and store.sam.email in accounts.content.decode()
    assert detail.status_code == 200 and "Adjustment" in detail.content.decode()  # the ledger inline
    assert entries.status_code == 200 and 'class="field-delta">70<' in entries.content.decode()
    assert entry_page.status_code == 200
    assert client.post(admin_url(account, "change"), {"points": "9999"}).status_code == 403
    with tenant_context(store.tenant):
        assert SellerAccount.objects.get(pk=account.pk).points == 70
    for url in (admin_url(account, "change"), admin_url(PointsEntry)):
        refused = session_client(store.tenant, store.sam).get(url)
        assert refused.status_code == 302 and refused["Location"].startswith("/admin/login/")


def test_the_points_ledger_runs_as_many_queries_for_ten_rows_as_for_two(store: Store) -> None:
    assert_list_queries_fixed(
        store.tenant, PointsEntry, lambda: SellerAccountFactory(seller=UserFactory(roles=["seller"]), points=5)
    )


def test_a_store_admin_sees_no_points_of_another_store(store: Store, delta: Tenant) -> None:
    with tenant_context(delta):
        theirs = SellerAccountFactory(seller=UserFactory(email="deltaonly@delta.test", roles=["seller"]), points=9)
    client = admin_client(store.tenant)
    detail = client.get(admin_url(theirs, "change"))
    assert detail.status_code in (302, 404) or "deltaonly@delta.test" not in detail.content.decode()
    assert "deltaonly@delta.test" not in client.get(admin_url(SellerAccount)).content.decode()
    assert client.get(admin_url(theirs, "change"), HTTP_HOST=host_of(delta)).status_code == 302
