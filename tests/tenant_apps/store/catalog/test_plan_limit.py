"""The plan's ``products`` limit (``store/kind.py``): every product listed counts; beyond it a
seller's new product is 403 ``plan_limit_reached`` and nothing is written."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.store.catalog.models import Product
from tests.api import error_code
from tests.factories import CategoryFactory, StoreProductFactory
from tests.fixture_types import ApiAsOrAnonymous
from tests.shared_apps.billing.plans import plan_for
from tests.tenant_apps.store.catalog.conftest import PRODUCTS, StorePeople


def test_a_product_beyond_the_plan_is_refused_and_nothing_is_written(
    people: StorePeople, api: ApiAsOrAnonymous
) -> None:
    # given: one product under a limit of one
    with tenant_context(people.tenant):
        category = CategoryFactory(name="Phones")
        StoreProductFactory(seller=people.seller, category=category)
        before = (Product.objects.count(), AuditLogEntry.objects.count())
    plan_for(people.tenant, products=1)
    # when
    response = api(people.tenant, "seller@gamma.test").post(
        PRODUCTS, {"title": "Pixel 9", "category": category.pk, "price": "499.00"}
    )
    # then
    assert response.status_code == 403, response.content
    assert error_code(response) == "plan_limit_reached"
    assert response.json()["error"]["details"] == {"limit": "products", "allowed": 1, "usage": 1}
    with tenant_context(people.tenant):
        assert (Product.objects.count(), AuditLogEntry.objects.count()) == before


def test_under_the_limit_a_product_is_listed(people: StorePeople, api: ApiAsOrAnonymous) -> None:
    # given
    with tenant_context(people.tenant):
        category = CategoryFactory(name="Phones")
    plan_for(people.tenant, products=1)
    # when
    response = api(people.tenant, "seller@gamma.test").post(
        PRODUCTS, {"title": "Pixel 9", "category": category.pk, "price": "499.00"}
    )
    # then
    assert response.status_code == 201, response.content
