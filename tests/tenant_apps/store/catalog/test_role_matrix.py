"""The catalog's role matrix, through the API: every endpoint as anonymous, customer, seller
(owner of the objects), other seller, delivery and admin.

A refusal is 401 for anonymous writes, 403 for a role that may not act, 404 for an object the
user may not see (pending products and brands of someone else).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from tenant_apps.store.catalog.models import ProductImage
from tests.factories import BrandFactory, CategoryFactory, SaleEventFactory, StoreProductFactory, png_bytes
from tests.fixture_types import ApiAsOrAnonymous, ApiResponse
from tests.tenant_apps.store.catalog.conftest import BRANDS, CATEGORIES, PRODUCTS, SALE_EVENTS, StorePeople

ROLES = {
    "anonymous": None,
    "customer": "customer@gamma.test",
    "seller": "seller@gamma.test",
    "other_seller": "other@gamma.test",
    "delivery": "delivery@gamma.test",
    "admin": "admin@gamma.test",
}
OK = (200, 201, 204)

Act = Callable[[APIClient, dict[str, Any]], ApiResponse]


def _soon(hours: int) -> str:
    return (timezone.now() + timedelta(hours=hours)).isoformat()


#: action -> (what it does, {role: expected status class}) where "ok" is any 2xx.
ACTIONS: dict[str, tuple[Act, dict[str, int | str]]] = {
    "list_categories": (lambda c, w: c.get(CATEGORIES), dict.fromkeys(ROLES, "ok")),
    "category_tree": (lambda c, w: c.get(f"{CATEGORIES}tree/"), dict.fromkeys(ROLES, "ok")),
    "create_category": (
        lambda c, w: c.post(CATEGORIES, {"name": "New"}),
        {**dict.fromkeys(ROLES, 403), "anonymous": 401, "admin": "ok"},
    ),
    "rename_category": (
        lambda c, w: c.patch(f"{CATEGORIES}{w['category'].pk}/", {"name": "Renamed"}),
        {**dict.fromkeys(ROLES, 403), "anonymous": 401, "admin": "ok"},
    ),
    "delete_empty_category": (
        lambda c, w: c.delete(f"{CATEGORIES}{w['empty'].pk}/"),
        {**dict.fromkeys(ROLES, 403), "anonymous": 401, "admin": "ok"},
    ),
    "list_products": (lambda c, w: c.get(PRODUCTS), dict.fromkeys(ROLES, "ok")),
    "read_approved_product": (lambda c, w: c.get(f"{PRODUCTS}{w['approved'].pk}/"), dict.fromkeys(ROLES, "ok")),
    "read_pending_product": (
        lambda c, w: c.get(f"{PRODUCTS}{w['pending'].pk}/"),
        {**dict.fromkeys(ROLES, 404), "seller": "ok", "admin": "ok"},
    ),
    "create_product": (
        lambda c, w: c.post(PRODUCTS, {"title": "T", "category": w["category"].pk, "price": "5.00"}),
        {**dict.fromkeys(ROLES, 403), "anonymous": 401, "seller": "ok", "other_seller": "ok"},
    ),
    "edit_approved_product": (
        lambda c, w: c.patch(f"{PRODUCTS}{w['approved'].pk}/", {"stock": 4}),
        {**dict.fromkeys(ROLES, 403), "anonymous": 401, "seller": "ok", "admin": "ok"},
    ),
    "edit_pending_product": (
        lambda c, w: c.patch(f"{PRODUCTS}{w['pending'].pk}/", {"stock": 4}),
        {**dict.fromkeys(ROLES, 404), "anonymous": 401, "seller": "ok", "admin": "ok"},
    ),
    "assign_brand": (
        lambda c, w: c.patch(f"{PRODUCTS}{w['approved'].pk}/assign-brand/", {"brand": w["brand"].pk}),
        {**dict.fromkeys(ROLES, 403), "anonymous": 401, "seller": "ok", "admin": "ok"},
    ),
    "approve_product": (
        lambda c, w: c.post(f"{PRODUCTS}{w['pending'].pk}/approve/"),
        {**dict.fromkeys(ROLES, 403), "anonymous": 401, "admin": "ok"},
    ),
    "reject_product": (
        lambda c, w: c.post(f"{PRODUCTS}{w['pending'].pk}/reject/", {"reason": "No"}),
        {**dict.fromkeys(ROLES, 403), "anonymous": 401, "admin": "ok"},
    ),
    "add_image": (
        lambda c, w: c.post(
            f"{PRODUCTS}{w['approved'].pk}/images/",
            {"file": SimpleUploadedFile("i.png", png_bytes())},
            format="multipart",
        ),
        {**dict.fromkeys(ROLES, 403), "anonymous": 401, "seller": "ok", "admin": "ok"},
    ),
    "delete_image": (
        lambda c, w: c.delete(f"{PRODUCTS}{w['approved'].pk}/images/{w['image'].pk}/"),
        {**dict.fromkeys(ROLES, 403), "anonymous": 401, "seller": "ok", "admin": "ok"},
    ),
    "list_brands": (lambda c, w: c.get(BRANDS), dict.fromkeys(ROLES, "ok")),
    "read_pending_brand": (
        lambda c, w: c.get(f"{BRANDS}{w['pending_brand'].pk}/"),
        {**dict.fromkeys(ROLES, 404), "seller": "ok", "admin": "ok"},
    ),
    "create_brand": (
        lambda c, w: c.post(BRANDS, {"name": "Brand new"}),
        {**dict.fromkeys(ROLES, 403), "anonymous": 401, "seller": "ok"},
    ),
    "approve_brand": (
        lambda c, w: c.post(f"{BRANDS}{w['pending_brand'].pk}/approve/"),
        {**dict.fromkeys(ROLES, 403), "anonymous": 401, "admin": "ok"},
    ),
    "reject_brand": (
        lambda c, w: c.post(f"{BRANDS}{w['pending_brand'].pk}/reject/", {"reason": "No"}),
        {**dict.fromkeys(ROLES, 403), "anonymous": 401, "admin": "ok"},
    ),
    "list_sale_events": (
        lambda c, w: c.get(SALE_EVENTS),
        {**dict.fromkeys(ROLES, 403), "anonymous": 401, "admin": "ok"},
    ),
    "create_sale_event": (
        lambda c, w: c.post(
            SALE_EVENTS, {"name": "S", "percent": "5", "starts_at": _soon(1), "ends_at": _soon(2), "products": []}
        ),
        {**dict.fromkeys(ROLES, 403), "anonymous": 401, "admin": "ok"},
    ),
    "change_sale_event": (
        lambda c, w: c.patch(f"{SALE_EVENTS}{w['sale'].pk}/", {"percent": "7"}),
        {**dict.fromkeys(ROLES, 403), "anonymous": 401, "admin": "ok"},
    ),
    "delete_sale_event": (
        lambda c, w: c.delete(f"{SALE_EVENTS}{w['sale'].pk}/"),
        {**dict.fromkeys(ROLES, 403), "anonymous": 401, "admin": "ok"},
    ),
    "read_settings": (
        lambda c, w: c.get("/api/v1/store/settings/"),
        {**dict.fromkeys(ROLES, 403), "anonymous": 401, "admin": "ok"},
    ),
    "read_seller_account": (
        lambda c, w: c.get("/api/v1/seller/account/"),
        {**dict.fromkeys(ROLES, 403), "anonymous": 401, "seller": "ok", "other_seller": "ok"},
    ),
}


@pytest.fixture
def world(people: StorePeople) -> dict[str, Any]:
    """In gamma: an approved product of ``seller`` with an image, a pending one, an approved brand,
    a pending brand, a category with a product, an empty category and a sale event."""
    with tenant_context(people.tenant):
        category = CategoryFactory(name="Main")
        approved = StoreProductFactory(seller=people.seller, category=category, approved=True, images=1)
        return {
            "category": category,
            "empty": CategoryFactory(name="Empty"),
            "approved": approved,
            "image": ProductImage.objects.get(product=approved),
            "pending": StoreProductFactory(seller=people.seller, category=category),
            "brand": BrandFactory(owner=people.seller, approved=True),
            "pending_brand": BrandFactory(owner=people.seller),
            "sale": SaleEventFactory(products=[approved]),
        }


@pytest.mark.parametrize("action", ACTIONS)
def test_each_catalog_action_is_allowed_to_exactly_its_roles(
    action: str, people: StorePeople, world: dict[str, Any], api: ApiAsOrAnonymous
) -> None:
    act, expected = ACTIONS[action]
    outcomes = {}
    for role, email in ROLES.items():
        # each role acts on a fresh world: roll back what the one before changed
        sid = transaction.savepoint()
        response = act(api(people.tenant, email), world)
        outcomes[role] = "ok" if response.status_code in OK else response.status_code
        transaction.savepoint_rollback(sid)
    assert outcomes == expected
