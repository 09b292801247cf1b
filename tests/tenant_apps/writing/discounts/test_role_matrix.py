"""The discounts app's role matrix over every one of its endpoints for every person, and a check
that every route of ``tenant_apps/writing/discounts/urls.py`` is in it.

Discounts are managed by admins only (403 for every id to anyone else, so nothing tells which
exist); the running campaigns are public. Codes are used through ``POST /quote/`` and
``POST /orders/`` (in the orders' and pricing's own matrices).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tenant_apps.writing.discounts import urls
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.discounts.conftest import DISCOUNTS, make_discount
from tests.tenant_apps.writing.orders.conftest import error_code

PEOPLE = ("cleo", "carl", "wren", "will", "eddie", "sue", "admin", None)


@dataclass(frozen=True)
class Row:
    """One endpoint: ``path(writing)`` builds its URL (making what it acts on), ``body`` its data."""

    method: str
    path: Callable[[Writing], str]
    body: dict[str, Any] | None = None


def _discount(writing: Writing, action: str = "") -> str:
    return f"{DISCOUNTS}{make_discount(writing, code='MATRIX').pk}/{action}"


ROWS: dict[str, Row] = {
    "discounts": Row("get", lambda w: DISCOUNTS),
    "discount_create": Row(
        "post", lambda w: DISCOUNTS, {"name": "Spring", "code": "SPRING", "kind": "percent", "value": "15"}
    ),
    "discount": Row("get", _discount),
    "discount_update": Row("patch", _discount, {"value": "12.50"}),
    "discount_delete": Row("delete", _discount),
    "discount_uses": Row("get", lambda w: _discount(w, "uses/")),
    "running": Row("get", lambda w: f"{DISCOUNTS}running/"),
}

MATRIX: dict[str, tuple[int, ...]] = {
    #                   cleo carl wren will eddie sue admin anonymous
    "discounts": (403, 403, 403, 403, 403, 403, 200, 401),
    "discount_create": (403, 403, 403, 403, 403, 403, 201, 401),
    "discount": (403, 403, 403, 403, 403, 403, 200, 401),
    "discount_update": (403, 403, 403, 403, 403, 403, 200, 401),
    "discount_delete": (403, 403, 403, 403, 403, 403, 204, 401),
    "discount_uses": (403, 403, 403, 403, 403, 403, 200, 401),
    "running": (200, 200, 200, 200, 200, 200, 200, 200),
}

#: The route each row exercises (its URL template), for the coverage check below.
ROUTE_OF: dict[str, str] = {
    "discounts": "discounts/",
    "discount_create": "discounts/",
    "discount": "discounts/<int:pk>/",
    "discount_update": "discounts/<int:pk>/",
    "discount_delete": "discounts/<int:pk>/",
    "discount_uses": "discounts/<int:pk>/uses/",
    "running": "discounts/running/",
}


def _call(writing: Writing, who: str | None, endpoint: str) -> int:
    row = ROWS[endpoint]
    response = getattr(writing.client(who), row.method)(row.path(writing), row.body, format="json")
    assert response.status_code < 500, response.content
    if response.status_code != 204:
        assert response["Content-Type"].startswith("application/json")
    if response.status_code >= 400:
        error_code(response)
    return response.status_code


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("endpoint", MATRIX)
def test_role_matrix(writing: Writing, endpoint: str, who: str | None) -> None:
    assert _call(writing, who, endpoint) == dict(zip(PEOPLE, MATRIX[endpoint], strict=True))[who]


def test_every_route_of_the_app_is_in_the_matrix() -> None:
    routes = {str(pattern.pattern) for pattern in urls.urlpatterns}
    assert routes == set(ROUTE_OF.values())
    assert set(ROUTE_OF) == set(ROWS) == set(MATRIX)
