"""The store's settings (admin; ranks validated) and a seller's account (points, rank, next rank,
whether brands are unlocked, the last entries)."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import tenant_context

from tenant_apps.store.shop.models import PointsEntryKind
from tenant_apps.store.shop.services import seller_points_change
from tests.api import error_code
from tests.fixture_types import ApiAsOrAnonymous
from tests.tenant_apps.store.catalog.conftest import StorePeople

SETTINGS = "/api/v1/store/settings/"
ACCOUNT = "/api/v1/seller/account/"


def test_an_admin_reads_and_changes_the_settings(people: StorePeople, api: ApiAsOrAnonymous) -> None:
    admin = api(people.tenant, "admin@gamma.test")
    assert admin.get(SETTINGS).json()["brand_rank"] == "bronze"
    changed = admin.patch(SETTINGS, {"ranks": {"silver": 200, "bronze": 10, "gold": 900}, "commission_percent": "7.5"})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["ranks"], changed.json()["commission_percent"]) == (
        {"bronze": 10, "silver": 200, "gold": 900},
        "7.50",
    )


def test_ranks_must_be_an_object_of_non_negative_numbers_naming_the_brand_rank(
    people: StorePeople, api: ApiAsOrAnonymous
) -> None:
    admin = api(people.tenant, "admin@gamma.test")
    bad: dict[str, Any]
    for bad in (
        {"ranks": {"bronze": -1}},
        {"ranks": []},
        {"ranks": {}},
        {"ranks": {"bronze": "many"}},
        {"ranks": {"silver": 10}},  # drops the brand rank
        {"brand_rank": "platinum"},
        {"ranks": {"bronze": 10, "silver": 10}},
        {"commission_percent": "101"},
    ):
        response = admin.patch(SETTINGS, bad, format="json")
        assert (response.status_code, error_code(response)) == (400, "validation_error"), bad
    assert admin.patch(SETTINGS, {"ranks": {"silver": 10}, "brand_rank": "silver"}).status_code == 200


def test_only_admins_see_the_settings(people: StorePeople, api: ApiAsOrAnonymous) -> None:
    for email in ("customer@gamma.test", "seller@gamma.test", "delivery@gamma.test"):
        assert api(people.tenant, email).get(SETTINGS).status_code == 403
        assert api(people.tenant, email).patch(SETTINGS, {"points_per_order": 1}).status_code == 403
    assert api(people.tenant).get(SETTINGS).status_code == 401


def test_a_seller_reads_their_rank_and_what_the_next_one_needs(people: StorePeople, api: ApiAsOrAnonymous) -> None:
    # given: 50 points from the fixture (bronze), then 100 more
    with tenant_context(people.tenant):
        seller_points_change(seller=people.seller, delta=100, kind=PointsEntryKind.ORDER_COMPLETED, reference="o:1")
    # when
    body = api(people.tenant, "seller@gamma.test").get(ACCOUNT).json()
    fresh = api(people.tenant, "other@gamma.test").get(ACCOUNT).json()
    # then
    assert {k: body[k] for k in ("points", "rank", "next_rank", "next_rank_points", "can_create_brands")} == {
        "points": 150,
        "rank": "bronze",
        "next_rank": "silver",
        "next_rank_points": 200,
        "can_create_brands": True,
    }
    assert [e["delta"] for e in body["entries"]] == [100, 50]
    assert (fresh["points"], fresh["rank"], fresh["can_create_brands"], fresh["entries"]) == (0, None, False, [])
    assert api(people.tenant, "customer@gamma.test").get(ACCOUNT).status_code == 403
