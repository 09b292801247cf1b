"""Brands (store, point 2): sellers whose rank unlocks brands propose them, admins approve or
reject them (with a reason), the owner is notified; only approved brands are assigned to
products, by sellers whose rank allows it."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from tenant_apps.notifications.models import Notification
from tests.api import error_code
from tests.factories import BrandFactory, StoreProductFactory
from tests.fixture_types import ApiAsOrAnonymous
from tests.tenant_apps.store.catalog.conftest import BRANDS, PRODUCTS, StorePeople


def test_a_ranked_seller_proposes_a_pending_brand(people: StorePeople, api: ApiAsOrAnonymous) -> None:
    # when
    response = api(people.tenant, "seller@gamma.test").post(BRANDS, {"name": " Acme ", "description": "Anvils"})
    duplicate = api(people.tenant, "seller@gamma.test").post(BRANDS, {"name": "ACME"})
    # then
    assert response.status_code == 201, response.content
    assert (response.json()["name"], response.json()["status"], response.json()["owner"]["id"]) == (
        "Acme",
        "pending",
        people.seller.pk,
    )
    assert (duplicate.status_code, error_code(duplicate)) == (409, "brand_name_taken")


def test_a_seller_below_the_brand_rank_is_refused_with_the_rank_they_need(
    people: StorePeople, api: ApiAsOrAnonymous
) -> None:
    response = api(people.tenant, "other@gamma.test").post(BRANDS, {"name": "Nope"})
    assert (response.status_code, error_code(response)) == (403, "rank_too_low")
    details = response.json()["error"]["details"]
    assert (details["points"], details["rank"], details["required_rank"]) == (0, None, "bronze")
    customer = api(people.tenant, "customer@gamma.test").post(BRANDS, {"name": "Nope"})
    assert error_code(customer) == "permission_denied"


def test_brands_are_listed_by_who_may_see_them(people: StorePeople, api: ApiAsOrAnonymous) -> None:
    # given
    with tenant_context(people.tenant):
        BrandFactory(owner=people.seller, name="Approved", approved=True)
        BrandFactory(owner=people.seller, name="Pending")
        rejected = BrandFactory(owner=people.seller, name="Rejected", rejected=True)

    def names(email: str | None, **params: str) -> list[str]:
        return [b["name"] for b in api(people.tenant, email).get(BRANDS, params).json()["results"]]

    # then
    assert names(None) == names("customer@gamma.test") == names("other@gamma.test") == ["Approved"]
    assert names("seller@gamma.test") == ["Approved", "Pending", "Rejected"]
    assert names("admin@gamma.test", status="pending") == ["Pending"]
    assert error_code(api(people.tenant).get(f"{BRANDS}{rejected.pk}/")) == "not_found"
    assert api(people.tenant, "seller@gamma.test").get(f"{BRANDS}{rejected.pk}/").json()["rejection_reason"]


def test_admins_decide_once_and_the_owner_is_notified(people: StorePeople, api: ApiAsOrAnonymous) -> None:
    # given
    with tenant_context(people.tenant):
        first = BrandFactory(owner=people.seller)
        second = BrandFactory(owner=people.seller)
    admin = api(people.tenant, "admin@gamma.test")
    # when
    approved = admin.post(f"{BRANDS}{first.pk}/approve/")
    without_reason = admin.post(f"{BRANDS}{second.pk}/reject/", {})
    rejected = admin.post(f"{BRANDS}{second.pk}/reject/", {"reason": "Trademark"})
    twice = admin.post(f"{BRANDS}{first.pk}/approve/")
    by_seller = api(people.tenant, "seller@gamma.test").post(f"{BRANDS}{second.pk}/approve/")
    # then
    assert approved.json()["status"] == "approved"
    assert error_code(without_reason) == "validation_error"
    assert (rejected.json()["status"], rejected.json()["rejection_reason"]) == ("rejected", "Trademark")
    assert (twice.status_code, error_code(twice)) == (409, "invalid_status_transition")
    assert by_seller.status_code == 403
    with tenant_context(people.tenant):
        notes = Notification.objects.filter(recipient=people.seller).order_by("id")
        assert [(n.verb, n.extra_data) for n in notes] == [
            ("brand_approved", {"brand": first.pk, "name": first.name}),
            ("brand_rejected", {"brand": second.pk, "name": second.name, "reason": "Trademark"}),
        ]


def test_only_approved_brands_are_assigned_by_ranked_sellers(people: StorePeople, api: ApiAsOrAnonymous) -> None:
    # given
    with tenant_context(people.tenant):
        approved = BrandFactory(owner=people.seller, approved=True)
        pending = BrandFactory(owner=people.seller)
        mine = StoreProductFactory(seller=people.seller, approved=True)
        theirs = StoreProductFactory(seller=people.other_seller, approved=True)
    seller = api(people.tenant, "seller@gamma.test")
    # when
    assigned = seller.patch(f"{PRODUCTS}{mine.pk}/assign-brand/", {"brand": approved.pk})
    not_approved = seller.patch(f"{PRODUCTS}{mine.pk}/assign-brand/", {"brand": pending.pk})
    unranked = api(people.tenant, "other@gamma.test").patch(f"{PRODUCTS}{theirs.pk}/", {"brand": approved.pk})
    not_theirs = seller.patch(f"{PRODUCTS}{theirs.pk}/assign-brand/", {"brand": approved.pk})
    removed = seller.patch(f"{PRODUCTS}{mine.pk}/", {"brand": None})
    # then
    assert assigned.json()["brand"] == {"id": approved.pk, "name": approved.name, "slug": approved.slug}
    assert (not_approved.status_code, error_code(not_approved)) == (400, "brand_not_approved")
    assert (unranked.status_code, error_code(unranked)) == (403, "rank_too_low")
    assert (not_theirs.status_code, error_code(not_theirs)) == (403, "permission_denied")
    assert removed.json()["brand"] is None
