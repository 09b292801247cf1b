"""One writing site's bundles, purchases and express classes are invisible from another (golf and
hotel): lists, ids, paying with another site's purchase, and the expiry task run for one site."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.bundles.models import BundlePurchase
from tenant_apps.writing.bundles.tasks import purchases_expire_task
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.writing.bundles.conftest import (
    BUNDLES,
    EXPRESS,
    PURCHASES,
    bundle_url,
    express_url,
    make_bundle,
    make_express,
    make_purchase,
    pay_bundle_url,
    purchase_url,
)
from tests.tenant_apps.writing.conftest import Writing, make_writing, reload
from tests.tenant_apps.writing.orders.conftest import make_order


def test_golfs_bundles_and_purchases_are_not_hotels(
    writing: Writing, hotel: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given: a purchase of cleo's on golf, a bundle on hotel
    golf_purchase = make_purchase(writing)
    other = make_writing(hotel, client_for, login)
    hotel_bundle = make_bundle(other, name="Hotel pages")
    # then: each site lists its own
    assert [b["name"] for b in other.client("admin").get(BUNDLES).json()["results"]] == ["Hotel pages"]
    assert "Hotel pages" not in [b["name"] for b in writing.client("admin").get(BUNDLES).json()["results"]]
    assert other.client("admin").get(PURCHASES).json()["results"] == []
    assert other.client("cleo").get(PURCHASES).json()["results"] == []
    # and golf's purchase id is nobody's on hotel: not read, not spent on hotel's namesake's order
    assert other.client("admin").get(purchase_url(golf_purchase.pk)).status_code == 404
    hotel_order = make_order(other)
    paid = other.client("cleo").post(pay_bundle_url(hotel_order.pk), {"purchase": golf_purchase.pk}, format="json")
    assert paid.status_code == 404
    assert reload(other, hotel_order).status == "unpaid"
    assert reload(writing, golf_purchase).remaining == 10
    # and golf's bundle id is not found on hotel (unless hotel has its own under that id)
    if golf_purchase.bundle_id != hotel_bundle.pk:
        assert other.client(None).get(bundle_url(golf_purchase.bundle_id)).status_code == 404


def test_golfs_express_classes_are_not_hotels(
    writing: Writing, hotel: Tenant, client_for: ClientFor, login: Login
) -> None:
    golf_class = make_express(writing, name="Golf overnight")
    other = make_writing(hotel, client_for, login)
    assert other.client(None).get(EXPRESS).json()["results"] == []
    assert other.client(None).get(express_url(golf_class.slug)).status_code == 404


def test_the_expiry_task_run_for_hotel_leaves_golfs_purchases(
    writing: Writing, hotel: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given: a purchase on each site, both past their expiry
    golf_purchase = make_purchase(writing)
    other = make_writing(hotel, client_for, login)
    hotel_purchase = make_purchase(other)
    past = timezone.now() - timedelta(minutes=1)
    for site in (writing.tenant, hotel):
        with tenant_context(site):
            BundlePurchase.objects.update(expires_at=past)
    # when: the task runs for hotel
    with tenant_context(hotel):
        assert purchases_expire_task() == [hotel_purchase.pk]
    # then: golf's is untouched until golf's run
    assert reload(writing, golf_purchase).status == "active"
    assert reload(other, hotel_purchase).status == "expired"
    with tenant_context(writing.tenant):
        assert purchases_expire_task() == [golf_purchase.pk]
