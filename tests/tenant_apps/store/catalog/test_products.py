"""Products (store, issue "The store kind" point 1): sellers list them pending, admins approve or
reject them, customers see approved active ones; prices always come from ``pricing``."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from saas.db import extensions
from tenant_apps.notifications.models import Notification
from tenant_apps.store.catalog.models import Product
from tests.api import error_code
from tests.factories import BrandFactory, CategoryFactory, SaleEventFactory, StoreProductFactory
from tests.fixture_types import ApiAsOrAnonymous
from tests.tenant_apps.store.catalog.conftest import PRODUCTS, StorePeople


def test_a_seller_lists_a_pending_product_in_the_sites_currency(people: StorePeople, api: ApiAsOrAnonymous) -> None:
    # given
    with tenant_context(people.tenant):
        category = CategoryFactory(name="Phones")
    # when
    response = api(people.tenant, "seller@gamma.test").post(
        PRODUCTS,
        {"title": "Pixel 9", "category": category.pk, "price": "499.00", "stock": 3, "description": "A phone."},
    )
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["currency"], body["price"], body["effective_price"]) == (
        "pending",
        settings.DEFAULT_CURRENCY,
        "499.00",
        "499.00",
    )
    assert body["seller"] == {"id": people.seller.pk, "name": "Sam Seller", "email": None}
    assert (body["in_stock"], body["stock"], body["category"]["slug"]) == (True, 3, "phones")


def test_customers_and_anonymous_see_only_approved_active_products(people: StorePeople, api: ApiAsOrAnonymous) -> None:
    # given
    with tenant_context(people.tenant):
        on_sale = StoreProductFactory(seller=people.seller, approved=True, title="On sale")
        StoreProductFactory(seller=people.seller, title="Pending")
        StoreProductFactory(seller=people.seller, rejected=True, title="Rejected")
        StoreProductFactory(seller=people.seller, approved=True, is_active=False, title="Off")
        theirs = StoreProductFactory(seller=people.other_seller, title="Other pending")
    # when
    seen = {
        who: sorted(p["title"] for p in api(people.tenant, email).get(PRODUCTS).json()["results"])
        for who, email in (
            ("anonymous", None),
            ("customer", "customer@gamma.test"),
            ("seller", "seller@gamma.test"),
            ("admin", "admin@gamma.test"),
        )
    }
    # then
    assert seen["anonymous"] == seen["customer"] == ["On sale"]
    assert seen["seller"] == ["Off", "On sale", "Pending", "Rejected"]
    assert seen["admin"] == ["Off", "On sale", "Other pending", "Pending", "Rejected"]
    customer = api(people.tenant, "customer@gamma.test")
    assert customer.get(f"{PRODUCTS}{on_sale.pk}/").json()["status"] is None
    assert error_code(customer.get(f"{PRODUCTS}{theirs.pk}/")) == "not_found"
    admin_view = api(people.tenant, "admin@gamma.test").get(f"{PRODUCTS}{on_sale.pk}/").json()
    assert (admin_view["status"], admin_view["seller"]["email"]) == ("approved", "seller@gamma.test")


def test_approval_and_rejection_notify_the_seller_once(people: StorePeople, api: ApiAsOrAnonymous) -> None:
    # given
    with tenant_context(people.tenant):
        first = StoreProductFactory(seller=people.seller)
        second = StoreProductFactory(seller=people.seller)
    admin = api(people.tenant, "admin@gamma.test")
    # when
    approved = admin.post(f"{PRODUCTS}{first.pk}/approve/")
    no_reason = admin.post(f"{PRODUCTS}{second.pk}/reject/", {"reason": "  "})
    rejected = admin.post(f"{PRODUCTS}{second.pk}/reject/", {"reason": "Blurry photos"})
    again = admin.post(f"{PRODUCTS}{first.pk}/reject/", {"reason": "Changed my mind"})
    # then
    assert (approved.status_code, approved.json()["status"]) == (200, "approved")
    assert error_code(no_reason) == "validation_error"
    assert (rejected.json()["status"], rejected.json()["rejection_reason"]) == ("rejected", "Blurry photos")
    assert (again.status_code, error_code(again)) == (409, "invalid_status_transition")
    with tenant_context(people.tenant):
        notes = list(Notification.objects.filter(recipient=people.seller).order_by("id"))
    assert [(n.verb, n.extra_data.get("reason")) for n in notes] == [
        ("product_approved", None),
        ("product_rejected", "Blurry photos"),
    ]


def test_a_seller_edits_their_own_product_and_new_text_goes_back_to_review(
    people: StorePeople, api: ApiAsOrAnonymous
) -> None:
    # given
    with tenant_context(people.tenant):
        product = StoreProductFactory(seller=people.seller, approved=True)
        elsewhere = CategoryFactory(name="Elsewhere")
    seller = api(people.tenant, "seller@gamma.test")
    url = f"{PRODUCTS}{product.pk}/"
    # when
    priced = seller.patch(url, {"price": "30.00", "stock": 0, "discount_percent": "10", "category": elsewhere.pk})
    retitled = seller.patch(url, {"title": "A better title"})
    by_other = api(people.tenant, "other@gamma.test").patch(url, {"price": "1.00"})
    by_customer = api(people.tenant, "customer@gamma.test").patch(url, {"price": "1.00"})
    # then
    assert priced.status_code == 200, priced.content
    body = priced.json()
    assert (body["price"], body["effective_price"], body["in_stock"], body["status"]) == (
        "30.00",
        "27.00",
        False,
        "approved",
    )
    assert body["category"]["id"] == elsewhere.pk
    assert retitled.json()["status"] == "pending"
    assert error_code(by_other) == "not_found"  # now pending: hidden from other sellers
    assert error_code(by_customer) == "not_found"


def test_editing_a_visible_product_of_someone_else_is_forbidden(people: StorePeople, api: ApiAsOrAnonymous) -> None:
    with tenant_context(people.tenant):
        product = StoreProductFactory(seller=people.seller, approved=True)
    response = api(people.tenant, "other@gamma.test").patch(f"{PRODUCTS}{product.pk}/", {"stock": 1})
    assert (response.status_code, error_code(response)) == (403, "permission_denied")


def test_bad_product_input_is_a_400(people: StorePeople, api: ApiAsOrAnonymous) -> None:
    with tenant_context(people.tenant):
        category = CategoryFactory()
    seller = api(people.tenant, "seller@gamma.test")
    base = {"title": "Thing", "category": category.pk, "price": "10.00"}
    for bad in ({"price": "0"}, {"price": "10.001"}, {"stock": -1}, {"discount_percent": "101"}, {"category": 10**9}):
        response = seller.post(PRODUCTS, {**base, **bad})
        assert response.status_code == 400, (bad, response.content)
        assert error_code(response) in {"validation_error", "invalid_amount"}


def test_prices_on_a_page_are_the_effective_prices_read_in_constant_queries(
    people: StorePeople, api: ApiAsOrAnonymous
) -> None:
    # given: a sale of 20 % on one product, 5 % of its own on another
    with tenant_context(people.tenant):
        on_sale = StoreProductFactory(seller=people.seller, approved=True, price="50.00", images=1)
        own = StoreProductFactory(seller=people.seller, approved=True, price="50.00", discount_percent="5")
        SaleEventFactory(products=[on_sale])
    client = api(people.tenant, "customer@gamma.test")
    # when
    with CaptureQueriesContext(connection) as few:
        page = client.get(PRODUCTS).json()["results"]
    with tenant_context(people.tenant):
        for _ in range(4):
            StoreProductFactory(seller=people.seller, approved=True, images=1)
    with CaptureQueriesContext(connection) as more:
        assert len(client.get(PRODUCTS).json()["results"]) == 6
    # then
    prices = {p["id"]: p["effective_price"] for p in page}
    assert (prices[on_sale.pk], prices[own.pk]) == ("40.00", "47.50")
    assert len(more.captured_queries) == len(few.captured_queries)
    image = next(p for p in page if p["id"] == on_sale.pk)["images"][0]
    assert image["url"].startswith("http") and image["thumbnail_url"].startswith("http")


def test_search_finds_words_and_typos_best_first(people: StorePeople, api: ApiAsOrAnonymous) -> None:
    # given
    with tenant_context(people.tenant):
        for title, description in (
            ("iPhone 15 Pro", "Apple smartphone"),
            ("Running shoes", "Light trainers for running"),
            ("Phone case", "Fits the iPhone 15"),
        ):
            StoreProductFactory(seller=people.seller, approved=True, title=title, description=description)
    client = api(people.tenant)

    def titles(query: str) -> list[str]:
        response = client.get(PRODUCTS, {"search": query})
        assert response.status_code == 200, response.content
        return [p["title"] for p in response.json()["results"]]

    # then
    assert titles("iphone") == ["iPhone 15 Pro", "Phone case"]
    if extensions.installed("pg_trgm"):
        assert titles("iphnoe")[0] == "iPhone 15 Pro"  # a typo, through the title's trigrams
    else:  # the embedded server (no contrib): full-text only
        assert titles("iphnoe") == []
    assert titles("trainers") == ["Running shoes"]
    assert titles('"running shoes" -case') == ["Running shoes"]
    assert titles("zzzqqq") == []


def test_filters_and_ordering(people: StorePeople, api: ApiAsOrAnonymous) -> None:
    # given: phones > smartphones, and shoes
    with tenant_context(people.tenant):
        phones = CategoryFactory(name="Phones")
        smart = CategoryFactory(name="Smartphones", parent=phones)
        shoes = CategoryFactory(name="Shoes")
        brand = BrandFactory(owner=people.seller, approved=True, name="Acme")
        StoreProductFactory(seller=people.seller, approved=True, title="A", category=phones, price="10.00")
        StoreProductFactory(
            seller=people.seller, approved=True, title="B", category=smart, price="20.00", stock=0, brand=brand
        )
        StoreProductFactory(seller=people.other_seller, approved=True, title="C", category=shoes, price="30.00")
    client = api(people.tenant)

    def titles(**params: str) -> list[str]:
        response = client.get(PRODUCTS, params)
        assert response.status_code == 200, response.content
        return [p["title"] for p in response.json()["results"]]

    # then
    assert sorted(titles(category=str(phones.pk))) == ["A", "B"]
    assert titles(category="smartphones") == ["B"]
    assert titles(category="no-such-category") == []
    assert titles(brand=str(brand.pk)) == ["B"]
    assert titles(min_price="15", max_price="25") == ["B"]
    assert sorted(titles(in_stock="true")) == ["A", "C"]
    assert titles(seller=str(people.other_seller.pk)) == ["C"]
    assert titles(ordering="-price") == ["C", "B", "A"]
    assert titles(ordering="title") == ["A", "B", "C"]
    assert titles(min_rating="1") == []
    for bad in ({"in_stock": "maybe"}, {"min_price": "x"}, {"ordering": "seller__email"}, {"brand": "0"}):
        response = client.get(PRODUCTS, bad)
        assert response.status_code in (200, 400), bad
        if response.status_code == 400:
            assert error_code(response) == "validation_error"


def test_new_products_cost_what_their_seller_asked(people: StorePeople) -> None:
    with tenant_context(people.tenant):
        product = StoreProductFactory(seller=people.seller, price="12.34")
        assert Product.objects.get(pk=product.pk).price == Decimal("12.34")
