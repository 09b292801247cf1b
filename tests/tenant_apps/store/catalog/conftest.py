"""Helpers of the store catalog tests: the people of every store role on gamma (a store site), and
API clients logged in as them.

Everything is written through the services (the factories of ``tests/factories/store_catalog.py``),
in gamma unless a test says otherwise, inside the test's rolled-back transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tests.conftest import PASSWORD
from tests.factories import SellerAccountFactory, UserFactory
from tests.factories.store_catalog import brand_points
from tests.fixture_types import ApiAsOrAnonymous, ClientFor, Login

PRODUCTS = "/api/v1/products/"
BRANDS = "/api/v1/brands/"
CATEGORIES = "/api/v1/categories/"
SALE_EVENTS = "/api/v1/sale-events/"


@dataclass
class StorePeople:
    """gamma's users by role: ``seller`` holds the points the brand rank needs, ``other_seller`` none."""

    tenant: Tenant
    admin: User
    customer: User
    seller: User
    other_seller: User
    delivery: User


@pytest.fixture
def people(gamma: Tenant) -> StorePeople:
    """gamma's admin (``admin@gamma.test``) and a new user of each store role."""
    with tenant_context(gamma):
        seller = UserFactory(email="seller@gamma.test", roles=["seller"], full_name="Sam Seller")
        SellerAccountFactory(seller=seller, points=brand_points())
        return StorePeople(
            tenant=gamma,
            admin=User.objects.get(email="admin@gamma.test"),
            customer=UserFactory(email="customer@gamma.test", roles=["customer"]),
            seller=seller,
            other_seller=UserFactory(email="other@gamma.test", roles=["seller"], full_name="Olga Other"),
            delivery=UserFactory(email="delivery@gamma.test", roles=["delivery"]),
        )


@pytest.fixture
def api(client_for: ClientFor, login: Login) -> ApiAsOrAnonymous:
    """``api(tenant, email)``: a client of ``tenant`` logged in as ``email``; ``api(tenant)``: anonymous."""

    def make(tenant: Tenant, email: str | None = None) -> APIClient:
        if email is None:
            return client_for(tenant)
        return client_for(tenant, login(tenant, email, PASSWORD)["access"])

    return make
