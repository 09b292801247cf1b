"""The special orders role matrix: every route for every person, and a check that every route of
the app is in it.

Each row acts on one of cleo's special orders in the status the action needs (``wren`` assigned to
the one in progress). ``carl`` is another client, ``will`` another writer, ``eddie`` an editor,
``sue`` support. A special order a user may not see answers 404 like a missing one; a rule on one
they see answers 403, as does an admin-only action (quote, start, complete: 403 for every id, so it
tells nothing of which exist). Online payments are off in tests: the client paying by card meets
the 503.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from tenant_apps.writing.special_orders import urls
from tests.api import error_code
from tests.factories.writing_special_orders import pay_installment
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import fund
from tests.tenant_apps.writing.special_orders.conftest import SPECIAL, make_special, pay_url, quote_body, special_url

PEOPLE = ("cleo", "carl", "wren", "will", "eddie", "sue", "admin", None)


@dataclass(frozen=True)
class Row:
    """One endpoint: ``path(writing)`` builds its URL (making what it acts on), ``body`` its data."""

    method: str
    path: Callable[[Writing], str]
    body: dict[str, Any] | Callable[[], dict[str, Any]] | None = None


def _special(writing: Writing, status: str, action: str = "", **kwargs: Any) -> str:
    return special_url(make_special(writing, status, **kwargs).pk, action)


def _first_paid(writing: Writing) -> str:
    special = make_special(writing, "accepted")
    with tenant_context(writing.tenant):
        pay_installment(special, 1)
    return special_url(special.pk, "start/")


def _all_paid(writing: Writing) -> str:
    special = make_special(writing, "in_progress")
    with tenant_context(writing.tenant):
        pay_installment(special, 2)
    return special_url(special.pk, "complete/")


def _payable(writing: Writing, how: str) -> str:
    special = make_special(writing, "accepted")
    fund(writing, "cleo", "50.00")
    return pay_url(special.pk, 1, how)


ROWS: dict[str, Row] = {
    "list": Row("get", lambda w: SPECIAL),
    "request": Row("post", lambda w: SPECIAL, {"title": "A custom thesis"}),
    "detail": Row("get", lambda w: _special(w, "in_progress", writer=w.wren)),
    "quote": Row("post", lambda w: _special(w, "requested", "quote/"), quote_body),
    "accept": Row("post", lambda w: _special(w, "quoted", "accept/")),
    "decline": Row("post", lambda w: _special(w, "quoted", "decline/"), {}),
    "cancel": Row("post", lambda w: _special(w, "quoted", "cancel/"), {}),
    "start": Row("post", _first_paid, {}),
    "complete": Row("post", _all_paid),
    "pay_wallet": Row("post", lambda w: _payable(w, "wallet")),
    "pay_card": Row("post", lambda w: _payable(w, "card")),
}

MATRIX: dict[str, tuple[int, ...]] = {
    #           cleo carl wren will eddie sue admin anonymous
    "list": (200, 200, 200, 200, 200, 200, 200, 401),
    "request": (201, 201, 403, 403, 403, 403, 403, 401),
    "detail": (200, 404, 200, 404, 404, 200, 200, 401),
    "quote": (403, 403, 403, 403, 403, 403, 200, 401),
    "accept": (200, 404, 404, 404, 404, 403, 403, 401),
    "decline": (200, 404, 404, 404, 404, 403, 403, 401),
    "cancel": (200, 404, 404, 404, 404, 403, 200, 401),
    "start": (403, 403, 403, 403, 403, 403, 200, 401),
    "complete": (403, 403, 403, 403, 403, 403, 200, 401),
    "pay_wallet": (200, 404, 404, 404, 404, 403, 403, 401),
    "pay_card": (503, 404, 404, 404, 404, 403, 403, 401),
}


def _call(writing: Writing, who: str | None, endpoint: str) -> int:
    row = ROWS[endpoint]
    url = row.path(writing)
    body = row.body() if callable(row.body) else row.body
    response = getattr(writing.client(who), row.method)(url, body, format="json")
    assert response.status_code < 500 or response.status_code == 503, response.content
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
    "list": "/api/v1/special-orders/",
    "request": "/api/v1/special-orders/",
    "detail": "/api/v1/special-orders/<int:pk>/",
    "quote": "/api/v1/special-orders/<int:pk>/quote/",
    "accept": "/api/v1/special-orders/<int:pk>/accept/",
    "decline": "/api/v1/special-orders/<int:pk>/decline/",
    "cancel": "/api/v1/special-orders/<int:pk>/cancel/",
    "start": "/api/v1/special-orders/<int:pk>/start/",
    "complete": "/api/v1/special-orders/<int:pk>/complete/",
    "pay_wallet": "/api/v1/special-orders/<int:pk>/installments/<int:sequence>/pay/wallet/",
    "pay_card": "/api/v1/special-orders/<int:pk>/installments/<int:sequence>/pay/card/",
}


def test_every_route_of_the_app_is_in_the_matrix() -> None:
    routes = {f"/api/v1/{pattern.pattern}" for pattern in urls.urlpatterns}
    assert routes == set(ROUTE_OF.values())
    assert set(ROUTE_OF) == set(ROWS) == set(MATRIX)
