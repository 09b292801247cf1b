"""Helpers of the writing bundles tests: URLs, bundles, purchases and express classes made through
the factories (the services), and ``bundle_committed`` for the race tests.

The session site's default table prices an undergraduate page at 12.00 for 14 days: the default
order of ``orders/conftest.py`` (2 pages) is 24.00. ``BundleFactory()`` is 10 pages for 90.00.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.bundles.models import Bundle, BundlePurchase, ExpressClass
from tests.api import error_code
from tests.concurrency import in_thread
from tests.factories import BundleFactory, BundlePurchaseFactory, ExpressClassFactory
from tests.tenant_apps.writing.conftest import Writing

BUNDLES = "/api/v1/bundles/"
PURCHASES = "/api/v1/bundle-purchases/"
EXPRESS = "/api/v1/express-classes/"


def bundle_url(pk: Any, action: str = "") -> str:
    """``/api/v1/bundles/{pk}/{action}``."""
    return f"{BUNDLES}{pk}/{action}"


def purchase_url(pk: Any) -> str:
    """``/api/v1/bundle-purchases/{pk}/``."""
    return f"{PURCHASES}{pk}/"


def express_url(slug: str, action: str = "") -> str:
    """``/api/v1/express-classes/{slug}/{action}``."""
    return f"{EXPRESS}{slug}/{action}"


def pay_bundle_url(order_pk: Any) -> str:
    """``/api/v1/orders/{pk}/pay/bundle/``."""
    return f"/api/v1/orders/{order_pk}/pay/bundle/"


def err(response: Any) -> tuple[int, str]:
    """``(status, error.code)`` of an error response (its shape checked by ``error_code``)."""
    return response.status_code, error_code(response)


def make_bundle(writing: Writing, **fields: Any) -> Bundle:
    """A bundle of the writing site (``BundleFactory``)."""
    with tenant_context(writing.tenant):
        return BundleFactory(**fields)


def make_purchase(writing: Writing, who: str = "cleo", **fields: Any) -> BundlePurchase:
    """``who``'s purchase (``BundlePurchaseFactory``: paid from their wallet, ``active``)."""
    with tenant_context(writing.tenant):
        return BundlePurchaseFactory(client=getattr(writing, who), **fields)


def make_express(writing: Writing, **fields: Any) -> ExpressClass:
    """An express class of the writing site (``ExpressClassFactory``)."""
    with tenant_context(writing.tenant):
        return ExpressClassFactory(**fields)


#: The bundles app's tables, children first: emptied after a race test, before ``committed`` cleans
#: the orders and invoices they name.
_TABLES = (
    "writing_bundles_bundledraw",
    "writing_bundles_expressorder",
    "writing_bundles_expressclass_academic_levels",
    "writing_bundles_expressclass",
    "writing_bundles_bundlepurchase",
    "writing_bundles_bundle",
)


@pytest.fixture
def bundle_committed(
    golf: Tenant, committed: Callable[[Callable[[], Any]], Any]
) -> Iterator[Callable[[Callable[[], Any]], Any]]:
    """``committed`` for the bundles app: its rows are deleted first after the test."""
    yield committed

    def empty() -> None:
        with tenant_context(golf), connection.cursor() as cursor:
            for table in _TABLES:
                cursor.execute(f'DELETE FROM "{table}"')

    in_thread(empty)
