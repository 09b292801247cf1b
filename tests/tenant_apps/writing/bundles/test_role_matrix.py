"""The role matrix of the writing bundles app: every route for every person, and a check that every
route of ``tenant_apps/writing/bundles/urls.py`` is in it.

Rows act on a new bundle, on cleo's active bundle purchase, on cleo's unpaid order (paid from that
purchase) and on a new express class. ``carl`` is another client, ``wren``/``will`` writers,
``eddie`` an editor, ``sue`` support. Something a user may not see answers 404 like a missing one
(a purchase of someone else's; an order or purchase that is not yours to pay with); a change only
admins make answers 403. Online payments are off in tests: a client buying by card meets the 503.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module
from typing import Any

import pytest
from django.utils import timezone

from tests.api import error_code
from tests.tenant_apps.writing.bundles.conftest import (
    bundle_url,
    express_url,
    make_bundle,
    make_express,
    make_purchase,
    pay_bundle_url,
    purchase_url,
)
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import make_order

PEOPLE = ("cleo", "carl", "wren", "will", "eddie", "sue", "admin", None)


@dataclass(frozen=True)
class Row:
    """One endpoint: ``path(writing)`` builds its URL (making what it acts on) and its body."""

    method: str
    path: Callable[[Writing], str]
    body: dict[str, Any] | Callable[[Writing], dict[str, Any]] | None = None


def _order_body() -> dict[str, Any]:
    return {
        "topic": "Matrix",
        "academic_level": "undergraduate",
        "deadline": (timezone.now() + timedelta(hours=12)).isoformat(),
        "pages": 2,
        "spacing": "double",
    }


_paid_with: dict[int, int] = {}


def _pay_bundle(writing: Writing) -> str:
    order = make_order(writing)
    _paid_with[0] = make_purchase(writing).pk
    return pay_bundle_url(order.pk)


ROWS: dict[str, Row] = {
    "bundles": Row("get", lambda w: "/api/v1/bundles/"),
    "bundle_create": Row(
        "post",
        lambda w: "/api/v1/bundles/",
        {"name": "Matrix", "unit": "pages", "quantity": 5, "price": "50.00", "validity_days": 10},
    ),
    "bundle": Row("get", lambda w: bundle_url(make_bundle(w).pk)),
    "bundle_update": Row("patch", lambda w: bundle_url(make_bundle(w).pk), {"name": "Renamed"}),
    "bundle_delete": Row("delete", lambda w: bundle_url(make_bundle(w).pk)),
    "bundle_buy": Row("post", lambda w: bundle_url(make_bundle(w).pk, "buy/"), {"method": "card"}),
    "purchases": Row("get", lambda w: "/api/v1/bundle-purchases/"),
    "purchase": Row("get", lambda w: purchase_url(make_purchase(w).pk)),
    "pay_bundle": Row("post", _pay_bundle, lambda w: {"purchase": _paid_with[0]}),
    "express_classes": Row("get", lambda w: "/api/v1/express-classes/"),
    "express_class_create": Row(
        "post",
        lambda w: "/api/v1/express-classes/",
        {"name": "Matrix class", "unit": "pages", "price": "20.00", "min_hours": 3, "max_hours": 48},
    ),
    "express_class": Row("get", lambda w: express_url(make_express(w).slug)),
    "express_class_update": Row("patch", lambda w: express_url(make_express(w).slug), {"price": "22.00"}),
    "express_class_delete": Row("delete", lambda w: express_url(make_express(w).slug)),
    "express_quote": Row("post", lambda w: express_url(make_express(w).slug, "quote/"), lambda w: _order_body()),
    "express_order": Row("post", lambda w: express_url(make_express(w).slug, "orders/"), lambda w: _order_body()),
}

MATRIX: dict[str, tuple[int, ...]] = {
    #                       cleo carl wren will eddie sue admin anonymous
    "bundles": (200, 200, 200, 200, 200, 200, 200, 200),
    "bundle_create": (403, 403, 403, 403, 403, 403, 201, 401),
    "bundle": (200, 200, 200, 200, 200, 200, 200, 200),
    "bundle_update": (403, 403, 403, 403, 403, 403, 200, 401),
    "bundle_delete": (403, 403, 403, 403, 403, 403, 204, 401),
    "bundle_buy": (503, 503, 403, 403, 403, 403, 403, 401),
    "purchases": (200, 200, 200, 200, 200, 200, 200, 401),
    "purchase": (200, 404, 404, 404, 404, 404, 200, 401),
    "pay_bundle": (200, 404, 404, 404, 404, 404, 404, 401),
    "express_classes": (200, 200, 200, 200, 200, 200, 200, 200),
    "express_class_create": (403, 403, 403, 403, 403, 403, 201, 401),
    "express_class": (200, 200, 200, 200, 200, 200, 200, 200),
    "express_class_update": (403, 403, 403, 403, 403, 403, 200, 401),
    "express_class_delete": (403, 403, 403, 403, 403, 403, 204, 401),
    "express_quote": (200, 200, 200, 200, 200, 200, 200, 200),
    "express_order": (201, 201, 403, 403, 403, 403, 403, 401),
}


def _call(writing: Writing, who: str | None, endpoint: str) -> int:
    row = ROWS[endpoint]
    url = row.path(writing)
    body = row.body(writing) if callable(row.body) else row.body
    response = getattr(writing.client(who), row.method)(url, body, format="json")
    assert response.status_code < 500 or response.status_code == 503, response.content
    if response.status_code != 204:
        assert response["Content-Type"].startswith("application/json")
    if response.status_code >= 400:
        error_code(response)
    return response.status_code


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("endpoint", MATRIX)
def test_role_matrix(writing: Writing, endpoint: str, who: str | None) -> None:
    assert _call(writing, who, endpoint) == dict(zip(PEOPLE, MATRIX[endpoint], strict=True))[who]


#: The route each row exercises (its URL template), for the coverage check below.
ROUTE_OF: dict[str, str] = {
    "bundles": "/api/v1/bundles/",
    "bundle_create": "/api/v1/bundles/",
    "bundle": "/api/v1/bundles/<int:pk>/",
    "bundle_update": "/api/v1/bundles/<int:pk>/",
    "bundle_delete": "/api/v1/bundles/<int:pk>/",
    "bundle_buy": "/api/v1/bundles/<int:pk>/buy/",
    "purchases": "/api/v1/bundle-purchases/",
    "purchase": "/api/v1/bundle-purchases/<int:pk>/",
    "pay_bundle": "/api/v1/orders/<int:pk>/pay/bundle/",
    "express_classes": "/api/v1/express-classes/",
    "express_class_create": "/api/v1/express-classes/",
    "express_class": "/api/v1/express-classes/<slug:slug>/",
    "express_class_update": "/api/v1/express-classes/<slug:slug>/",
    "express_class_delete": "/api/v1/express-classes/<slug:slug>/",
    "express_quote": "/api/v1/express-classes/<slug:slug>/quote/",
    "express_order": "/api/v1/express-classes/<slug:slug>/orders/",
}


def test_every_route_of_the_bundles_app_is_in_the_matrix() -> None:
    urls = import_module("tenant_apps.writing.bundles.urls")
    routes = {f"/api/v1/{pattern.pattern}" for pattern in urls.urlpatterns}
    assert routes == set(ROUTE_OF.values())
    assert set(ROUTE_OF) == set(ROWS) == set(MATRIX)
