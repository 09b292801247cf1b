"""Helpers of the orders tests: people of every store role in gamma, products, API clients.

Everything is written through the services (``tests/factories/store_orders.py``), in gamma (a
store) unless a test says otherwise, inside the test's rolled-back transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tests.api import error_code  # noqa: F401 (re-exported to the tests of this folder)
from tests.conftest import PASSWORD, SESSION_TENANTS
from tests.factories import CustomerFactory, UserFactory, create_in
from tests.fixture_types import ClientFor, Login

CART = "/api/v1/cart/"
CART_ITEMS = "/api/v1/cart/items/"
CHECKOUT = "/api/v1/orders/checkout/"
ORDERS = "/api/v1/orders/"
PROFILE = "/api/v1/profile/"
AVAILABLE = "/api/v1/delivery/orders/available/"


def order_url(pk: int, suffix: str = "") -> str:
    """``/api/v1/orders/{pk}/`` plus ``suffix`` (``"cancel/"``, ``"proof/"``...)."""
    return f"{ORDERS}{pk}/{suffix}"


def delivery_url(pk: int, action: str) -> str:
    """``/api/v1/delivery/orders/{pk}/{action}/`` (``claim``, ``advance``)."""
    return f"/api/v1/delivery/orders/{pk}/{action}/"


@pytest.fixture(autouse=True)
def _books_balance(session_tenants: dict[str, Tenant], db: None) -> Iterator[None]:
    """After every test, in every store tenant: each wallet equals the sums of its ledger."""
    from tenant_apps.wallet.selectors import ledger_discrepancies

    yield
    for slug, kind in SESSION_TENANTS.items():
        if kind == "store":
            with tenant_context(session_tenants[slug]):
                assert ledger_discrepancies() == [], f"wallets disagree with their ledger in {slug}"


@pytest.fixture
def in_gamma(gamma: Tenant) -> Iterator[Tenant]:
    """The test body runs in gamma's schema."""
    with tenant_context(gamma):
        yield gamma


@pytest.fixture
def people(gamma: Tenant) -> SimpleNamespace:
    """gamma's users by role: customers with a delivery location, sellers, couriers, the admin."""
    with tenant_context(gamma):
        admin = User.objects.get(email="admin@gamma.test")
    return SimpleNamespace(
        admin=admin,
        buyer=create_in(gamma, CustomerFactory, email="buyer@gamma.test"),
        other_buyer=create_in(gamma, CustomerFactory, email="other-buyer@gamma.test"),
        seller=create_in(gamma, UserFactory, email="seller@gamma.test", roles=["seller"]),
        other_seller=create_in(gamma, UserFactory, email="other-seller@gamma.test", roles=["seller"]),
        courier=create_in(gamma, UserFactory, email="courier@gamma.test", roles=["delivery"]),
        other_courier=create_in(gamma, UserFactory, email="other-courier@gamma.test", roles=["delivery"]),
    )


class Api:
    """``api(email)``: an API client of gamma logged in as ``email``; ``api()``: anonymous."""

    def __init__(self, tenant: Tenant, client_for: ClientFor, login: Login) -> None:
        self.tenant, self.client_for, self.login = tenant, client_for, login
        self.tokens: dict[str, str] = {}

    def __call__(self, email: str | None = None) -> APIClient:
        if email is None:
            return self.client_for(self.tenant)
        if email not in self.tokens:
            self.tokens[email] = self.login(self.tenant, email, PASSWORD)["access"]
        return self.client_for(self.tenant, self.tokens[email])


@pytest.fixture
def api(gamma: Tenant, client_for: ClientFor, login: Login) -> Api:
    return Api(gamma, client_for, login)
