"""Tenancy: a store's catalog lives in its own schema. gamma's products, brands, categories, sale
events and images never appear on delta (another store), and their ids answer 404 there, even to
delta's admin."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.store.catalog.models import Brand, Category, Product, ProductImage, SaleEvent
from tests.api import error_code
from tests.factories import BrandFactory, CategoryFactory, SaleEventFactory, StoreProductFactory
from tests.fixture_types import ApiAsOrAnonymous, ClientFor, Login
from tests.tenant_apps.store.catalog.conftest import BRANDS, CATEGORIES, PRODUCTS, SALE_EVENTS, StorePeople


def test_gammas_catalog_is_invisible_on_delta(people: StorePeople, delta: Tenant, api: ApiAsOrAnonymous) -> None:
    # given: a full catalog in gamma
    gamma = people.tenant
    with tenant_context(gamma):
        category = CategoryFactory(name="Gamma only")
        brand = BrandFactory(owner=people.seller, approved=True, name="Gamma brand")
        product = StoreProductFactory(seller=people.seller, category=category, brand=brand, approved=True, images=1)
        sale = SaleEventFactory(products=[product])
        image = ProductImage.objects.get(product=product)
    image_url = api(gamma).get(f"{PRODUCTS}{product.pk}/").json()["images"][0]["url"]
    delta_admin = api(delta, "admin@delta.test")
    # when / then: lists are empty on delta
    for url in (PRODUCTS, BRANDS, CATEGORIES, SALE_EVENTS):
        listing = delta_admin.get(url)
        assert (listing.status_code, listing.json()["count"]) == (200, 0), url
    assert delta_admin.get(f"{CATEGORIES}tree/").json() == []
    # and gamma's ids are unknown there, for reading and for changing
    for response in (
        delta_admin.get(f"{PRODUCTS}{product.pk}/"),
        delta_admin.patch(f"{PRODUCTS}{product.pk}/", {"stock": 1}),
        delta_admin.post(f"{PRODUCTS}{product.pk}/reject/", {"reason": "x"}),
        delta_admin.delete(f"{PRODUCTS}{product.pk}/images/{image.pk}/"),
        delta_admin.get(f"{BRANDS}{brand.pk}/"),
        delta_admin.post(f"{BRANDS}{brand.pk}/approve/"),
        delta_admin.get(f"{CATEGORIES}{category.pk}/"),
        delta_admin.delete(f"{CATEGORIES}{category.pk}/"),
        delta_admin.get(f"{SALE_EVENTS}{sale.pk}/"),
    ):
        assert (response.status_code, error_code(response)) == (404, "not_found")
    # a product on delta cannot name gamma's category or brand
    with tenant_context(delta):
        delta_seller_category = CategoryFactory(name="Delta")
    refused = delta_admin.post(f"{CATEGORIES}", {"name": "Child", "parent": category.pk})
    assert refused.status_code == 400
    # gamma's image link does not open on delta's host
    path = image_url.split("localhost", 1)[1]
    assert api(delta).get(path).status_code in (403, 404)
    with tenant_context(delta):
        assert (Product.objects.count(), Brand.objects.count(), SaleEvent.objects.count()) == (0, 0, 0)
        assert list(Category.objects.values_list("pk", flat=True)) == [delta_seller_category.pk]
    with tenant_context(gamma):
        assert Product.objects.filter(pk=product.pk).exists()


def test_a_gamma_token_is_refused_on_delta(
    people: StorePeople, delta: Tenant, client_for: ClientFor, login: Login
) -> None:
    token = login(people.tenant, "seller@gamma.test")["access"]
    response = client_for(delta, token).get("/api/v1/seller/account/")
    assert response.status_code == 401
