"""Attacks on the store's admin site (``/admin/`` on a store host): a seller or customer holding a
session posting the admin's actions and forms, forged action names and ids, malformed input.

Every answer is a page or a redirect, never a 500; nothing changes unless the signed-in admin's
service call succeeds. (The admin's HTML pages are not in the OpenAPI schema, so the schema fuzzing
does not reach them: these tests do.)
"""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.store.catalog.models import Product, ProductStatus
from tenant_apps.store.returns.models import ReturnRequest, ReturnStatus
from tenant_apps.store.shop.models import StoreSettings
from tenant_apps.store.shop.services import store_settings
from tests.admin import (
    admin_client,
    admin_url,
    audit_verbs,
    run_action,
    session_client,
)
from tests.factories import ReturnRequestFactory, StoreOrderFactory, StoreProductFactory
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.store.conftest import Store, make_store, reload

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(gamma: Tenant, client_for: ClientFor, login: Login) -> Store:
    """The ``gamma`` store with its people (``make_store``)."""
    return make_store(gamma, client_for, login)


def test_a_seller_with_a_session_cannot_approve_their_own_product(store: Store) -> None:
    with tenant_context(store.tenant):
        product = StoreProductFactory(seller=store.sam, title="Self approved")
    response = session_client(store.tenant, store.sam).post(
        admin_url(Product), {"action": "approve_products", "_selected_action": [str(product.pk)]}
    )
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert reload(store, product).status == ProductStatus.PENDING
    assert "product.approved" not in audit_verbs(store.tenant, product)


def test_a_customer_cannot_post_the_settings_form(store: Store) -> None:
    response = session_client(store.tenant, store.cal).post(
        "/admin/shop/storesettings/1/change/", {"commission_percent": "99.00", "_save": "Save"}
    )
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    with tenant_context(store.tenant):
        assert store_settings().commission_percent != 99


@pytest.mark.parametrize(
    "selected", [["not-a-number"], ["999999999"], ["1 OR 1=1"], ["99999999999999999999"], ["-5"], ["1", "x"], []]
)
def test_forged_ids_in_an_action_answer_a_page_and_change_nothing(store: Store, selected: list[str]) -> None:
    with tenant_context(store.tenant):
        product = StoreProductFactory(title="Bystander")
    response = admin_client(store.tenant).post(
        admin_url(Product), {"action": "approve_products", "_selected_action": selected}, follow=True
    )
    assert response.status_code == 200
    assert reload(store, product).status == ProductStatus.PENDING


@pytest.mark.parametrize("action", ["delete_selected", "no_such_action", "__class__"])
def test_actions_the_page_does_not_offer_do_nothing(store: Store, action: str) -> None:
    with tenant_context(store.tenant):
        product = StoreProductFactory(title="Still here")
    response = run_action(admin_client(store.tenant), Product, action, [product])
    assert response.status_code == 200
    with tenant_context(store.tenant):
        assert Product.objects.filter(pk=product.pk, status=ProductStatus.PENDING).exists()


@pytest.mark.parametrize("pk", ["abc", "-1", "1e9", "%00"])
def test_malformed_ids_in_admin_urls_are_not_errors(store: Store, pk: str) -> None:
    response = admin_client(store.tenant).get(f"/admin/catalog/product/{pk}/change/")
    assert response.status_code in (302, 404) or (
        response.status_code == 400 and response["Content-Type"].startswith("application/json")
    )


def test_malformed_settings_are_the_form_again(store: Store) -> None:
    client = admin_client(store.tenant)
    response = client.post(
        "/admin/shop/storesettings/1/change/",
        {
            "commission_percent": "ten",
            "completion_wait_days": "3",
            "return_window_days": "14",
            "anti_sniping_seconds": "120",
            "points_per_order": "10",
            "ranks": "{not json",
            "brand_rank": "bronze",
            "_save": "Save",
        },
    )
    assert response.status_code == 200
    assert {"commission_percent", "ranks"} <= set(response.context["adminform"].form.errors)
    with tenant_context(store.tenant):
        assert StoreSettings.objects.get(pk=1).commission_percent == store_settings().commission_percent


def test_an_input_page_with_a_forged_choice_is_refused_by_the_form(store: Store) -> None:
    with tenant_context(store.tenant):
        order = StoreOrderFactory(buyer=store.cal, courier=store.dave, status="delivered")
        found = ReturnRequestFactory(order=order, received=True)
    response = run_action(admin_client(store.tenant), ReturnRequest, "inspect_returns", [found], condition="pristine")
    assert response.status_code == 200 and "Select a valid choice." in response.content.decode()
    assert reload(store, found).status == ReturnStatus.RECEIVED


def test_a_delta_object_id_on_gammas_admin_shows_nothing_of_delta(store: Store, delta: Tenant) -> None:
    with tenant_context(delta):
        theirs = StoreProductFactory(title="Delta secret product")
    response = admin_client(store.tenant).get(admin_url(theirs, "change"))
    assert "Delta secret product" not in response.content.decode()
