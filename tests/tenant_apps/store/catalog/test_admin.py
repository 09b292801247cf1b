"""The catalog in the store's admin site: pages for the admin only, moderation actions that do
what the API does (state, audit, notification) and refuse what it refuses, fixed query counts,
nothing of another store, no model of another kind."""

from __future__ import annotations

from typing import Any

import pytest
from django_tenants.utils import tenant_context

from saas.admin import tenant_admin_site
from shared_apps.tenancy.models import Tenant
from tenant_apps.notifications.models import Notification
from tenant_apps.store.catalog.models import Brand, BrandStatus, Category, Product, ProductStatus, SaleEvent
from tests.admin import (
    admin_client,
    admin_url,
    assert_list_queries_fixed,
    audit_verbs,
    messages_of,
    run_action,
    session_client,
)
from tests.conftest import host_of
from tests.factories import BrandFactory, CategoryFactory, SaleEventFactory, StoreProductFactory
from tests.tenant_apps.store.conftest import Store, reload

pytestmark = pytest.mark.django_db


def _rows(tenant: Tenant) -> dict[str, Any]:
    with tenant_context(tenant):
        product = StoreProductFactory(title="Blue Anvil", images=1)
        return {
            "product": product,
            "brand": BrandFactory(name="Acme Anvils"),
            "category": product.category,
            "sale": SaleEventFactory(name="Spring Sale", products=[product]),
        }


@pytest.mark.parametrize(
    ("key", "query", "shown"),
    [
        ("product", "?status__exact=pending&q=anvil", "Blue Anvil"),
        ("brand", "?status__exact=pending&q=acme", "Acme Anvils"),
        ("category", "?depth=1&q=category", None),
        ("sale", "?q=spring&starts_at__year={year}", "Spring Sale"),
    ],
)
def test_each_catalog_page_answers_the_admin_and_sends_others_to_sign_in(
    store: Store, key: str, query: str, shown: str | None
) -> None:
    # given
    obj = _rows(store.tenant)[key]
    shown = shown or str(obj)
    client = admin_client(store.tenant)
    # when
    year = obj.starts_at.year if isinstance(obj, SaleEvent) else None  # the sale's date filter
    listing = client.get(admin_url(type(obj)) + query.format(year=year))
    detail = client.get(admin_url(obj, "change"))
    # then
    assert listing.status_code == 200 and shown in listing.content.decode()
    assert detail.status_code == 200 and shown in detail.content.decode()
    customer = session_client(store.tenant, store.cal)
    for url in (admin_url(type(obj)), admin_url(obj, "change")):
        refused = customer.get(url)
        assert refused.status_code == 302 and refused["Location"].startswith("/admin/login/")


def test_a_search_that_matches_nothing_lists_nothing(store: Store) -> None:
    _rows(store.tenant)
    response = admin_client(store.tenant).get(admin_url(Product) + "?q=zeppelin")
    assert response.status_code == 200 and "Blue Anvil" not in response.content.decode()


def test_approving_a_product_is_the_apis_approval_and_is_refused_once_decided(store: Store) -> None:
    # given
    with tenant_context(store.tenant):
        product = StoreProductFactory(seller=store.sam, title="Anvil")
    client = admin_client(store.tenant)
    # when
    response = run_action(client, Product, "approve_products", [product])
    # then
    assert response.status_code == 200
    assert "1 approved." in messages_of(response)
    assert reload(store, product).status == ProductStatus.APPROVED
    assert "product.approved" in audit_verbs(store.tenant, product)
    with tenant_context(store.tenant):
        assert Notification.objects.filter(recipient=store.sam, verb="product_approved").count() == 1
    # when (again)
    again = run_action(client, Product, "approve_products", [product])
    # then: the service's refusal, nothing changed, nobody notified twice
    assert messages_of(again) == ["Anvil: This product is already approved."]
    with tenant_context(store.tenant):
        assert Notification.objects.filter(recipient=store.sam, verb="product_approved").count() == 1
    assert audit_verbs(store.tenant, product).count("product.approved") == 1


def test_rejecting_products_asks_for_a_reason_then_rejects_through_the_service(store: Store) -> None:
    # given
    with tenant_context(store.tenant):
        first = StoreProductFactory(seller=store.sam, title="First")
        second = StoreProductFactory(seller=store.sid, title="Second", approved=True)
    client = admin_client(store.tenant)
    # when: the action first shows its form
    page = run_action(client, Product, "reject_products", [first, second])
    # then
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="reason"' in body and "First" in body and "Second" in body
    assert reload(store, first).status == ProductStatus.PENDING
    # when: a blank reason is refused by the form, nothing changes
    blank = run_action(client, Product, "reject_products", [first], reason="  ")
    assert blank.status_code == 200 and "This field is required." in blank.content.decode()
    assert reload(store, first).status == ProductStatus.PENDING
    # when: posted with a reason
    done = run_action(client, Product, "reject_products", [first, second], reason="Blurry photos.")
    # then: the pending one is rejected with the reason; the approved one refused by the service
    assert "1 rejected." in messages_of(done)
    assert "Second: This product is already approved." in messages_of(done)
    first, second = reload(store, first), reload(store, second)
    assert (first.status, first.rejection_reason) == (ProductStatus.REJECTED, "Blurry photos.")
    assert second.status == ProductStatus.APPROVED
    assert "product.rejected" in audit_verbs(store.tenant, first)
    with tenant_context(store.tenant):
        notice = Notification.objects.get(recipient=store.sam, verb="product_rejected")
    assert notice.extra_data["reason"] == "Blurry photos."


def test_brands_are_approved_and_rejected_through_the_service(store: Store) -> None:
    # given
    with tenant_context(store.tenant):
        good, bad = BrandFactory(name="Good"), BrandFactory(name="Bad")
    client = admin_client(store.tenant)
    # when
    approved = run_action(client, Brand, "approve_brands", [good])
    rejected = run_action(client, Brand, "reject_brands", [bad], reason="Not a brand we carry.")
    refused = run_action(client, Brand, "reject_brands", [good], reason="Changed my mind.")
    # then
    assert "1 approved." in messages_of(approved) and "1 rejected." in messages_of(rejected)
    assert messages_of(refused) == ["Good: This brand is already approved."]
    good, bad = reload(store, good), reload(store, bad)
    assert (good.status, good.decided_by_id) == (BrandStatus.APPROVED, store.admin.pk)
    assert (bad.status, bad.rejection_reason) == (BrandStatus.REJECTED, "Not a brand we carry.")
    assert "brand.approved" in audit_verbs(store.tenant, good)
    assert "brand.rejected" in audit_verbs(store.tenant, bad)
    with tenant_context(store.tenant):
        verbs = set(Notification.objects.filter(verb__startswith="brand_").values_list("verb", flat=True))
    assert verbs == {"brand_approved", "brand_rejected"}


def test_deleting_a_sale_event_goes_through_the_service(store: Store) -> None:
    # given
    with tenant_context(store.tenant):
        event = SaleEventFactory(name="Flash")
    # when
    response = run_action(admin_client(store.tenant), SaleEvent, "delete_sale_events", [event])
    # then
    assert "1 deleted." in messages_of(response)
    with tenant_context(store.tenant):
        assert not SaleEvent.objects.filter(pk=event.pk).exists()
    assert "sale_event.deleted" in audit_verbs(store.tenant, event)


def test_categories_are_deleted_with_their_subtree_unless_products_are_filed_there(store: Store) -> None:
    # given: an empty root with a child, and a category holding a product
    with tenant_context(store.tenant):
        empty = CategoryFactory(name="Empty")
        child = CategoryFactory(name="Empty child", parent=empty)
        product = StoreProductFactory(title="Filed")
        used = product.category
    # when
    response = run_action(admin_client(store.tenant), Category, "delete_categories", [empty, used])
    # then
    assert "1 deleted." in messages_of(response)
    assert f"{used}: This category (or one under it) has products; move them first." in messages_of(response)
    with tenant_context(store.tenant):
        assert not Category.objects.filter(pk__in=[empty.pk, child.pk]).exists()
        assert Category.objects.filter(pk=used.pk).exists()
    assert "category.deleted" in audit_verbs(store.tenant, empty)
    assert "category.deleted" not in audit_verbs(store.tenant, used)


def test_the_catalog_pages_allow_no_raw_add_change_or_delete(store: Store) -> None:
    product = _rows(store.tenant)["product"]
    client = admin_client(store.tenant)
    assert client.get(admin_url(Product, "add")).status_code == 403
    assert client.post(admin_url(product, "change"), {"title": "Hacked", "price": "1.00"}).status_code == 403
    assert client.post(admin_url(product, "delete"), {"post": "yes"}).status_code == 403
    assert reload(store, product).title == "Blue Anvil"


def test_the_product_list_runs_as_many_queries_for_ten_rows_as_for_two(store: Store) -> None:
    with tenant_context(store.tenant):
        category = CategoryFactory()
        brand = BrandFactory(approved=True)

    assert_list_queries_fixed(
        store.tenant, Product, lambda: StoreProductFactory(category=category, brand=brand, seller=brand.owner)
    )


def test_a_store_admin_sees_nothing_of_another_store(store: Store, delta: Tenant) -> None:
    # given: delta's product and brand; gamma's admin signed in on gamma
    theirs = _rows(delta)
    client = admin_client(store.tenant)
    # when / then
    for key in ("product", "brand"):
        obj = theirs[key]
        response = client.get(admin_url(obj, "change"), follow=False)
        assert response.status_code in (302, 404) or str(obj) not in response.content.decode()
    listing = client.get(admin_url(Product)).content.decode()
    assert "Blue Anvil" not in listing
    # and gamma's session does not open delta's admin
    assert client.get(admin_url(theirs["product"], "change"), HTTP_HOST=host_of(delta)).status_code == 302


def test_the_store_site_shows_the_store_models_and_no_other_kinds() -> None:
    registry = tenant_admin_site("store")._registry
    assert {Product, Brand, Category, SaleEvent} <= set(registry)
    assert not any(
        m._meta.app_config.name.startswith(("tenant_apps.school", "tenant_apps.writing", "tenant_apps.rental"))
        for m in registry
    )
    assert Product not in tenant_admin_site("school")._registry
    assert Category in registry  # the store's category, not the writing blog's
