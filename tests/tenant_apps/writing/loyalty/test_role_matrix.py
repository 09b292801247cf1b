"""The loyalty app's role matrix over every one of its endpoints for every person, and a check
that every route of ``tenant_apps/writing/loyalty/urls.py`` is in it.

The programme (settings, tiers) is public to read; a client's own account, ledger and redemption
are for clients (``carl``, with no points, meets 409 ``insufficient_points``); every account,
adjustments and the programme's changes are for admins (403 for every id, so nothing tells which
accounts exist). ``cleo`` holds 200 points.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from tenant_apps.writing.loyalty import urls
from tenant_apps.writing.loyalty.models import LoyaltyTier
from tenant_apps.writing.loyalty.services import points_award
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.loyalty.conftest import LOYALTY
from tests.tenant_apps.writing.orders.conftest import error_code

PEOPLE = ("cleo", "carl", "wren", "will", "eddie", "sue", "admin", None)


@dataclass(frozen=True)
class Row:
    """One endpoint: ``path(writing)`` builds its URL (making what it acts on), ``body`` its data."""

    method: str
    path: Callable[[Writing], str]
    body: dict[str, Any] | Callable[[Writing], dict[str, Any]] | None = None


def _tier(writing: Writing) -> str:
    with tenant_context(writing.tenant):
        tier = LoyaltyTier.objects.create(name="Silver", slug="silver", minimum_spend=Decimal("100"))
    return f"{LOYALTY}tiers/{tier.pk}/"


def _account(writing: Writing, action: str = "") -> str:
    with tenant_context(writing.tenant):
        entry = points_award(user=writing.cleo, points=10, reason="Gift", reference="matrix:gift")
    return f"{LOYALTY}accounts/{entry.account_id}/{action}"


ROWS: dict[str, Row] = {
    "settings": Row("get", lambda w: f"{LOYALTY}settings/"),
    "settings_update": Row("patch", lambda w: f"{LOYALTY}settings/", {"minimum_redeem": 50}),
    "tiers": Row("get", lambda w: f"{LOYALTY}tiers/"),
    "tier_create": Row("post", lambda w: f"{LOYALTY}tiers/", {"name": "Gold", "slug": "gold", "minimum_spend": "500"}),
    "tier": Row("get", _tier),
    "tier_update": Row("patch", _tier, {"bonus_percent": "5"}),
    "tier_delete": Row("delete", _tier),
    "me": Row("get", lambda w: f"{LOYALTY}me/"),
    "me_entries": Row("get", lambda w: f"{LOYALTY}me/entries/"),
    "redeem": Row("post", lambda w: f"{LOYALTY}me/redeem/", {"points": 100}),
    "accounts": Row("get", lambda w: f"{LOYALTY}accounts/"),
    "account": Row("get", _account),
    "account_entries": Row("get", lambda w: _account(w, "entries/")),
    "adjust": Row(
        "post", lambda w: f"{LOYALTY}adjustments/", lambda w: {"user": w.cleo.pk, "points": 5, "reason": "x"}
    ),
}

MATRIX: dict[str, tuple[int, ...]] = {
    #                   cleo carl wren will eddie sue admin anonymous
    "settings": (200, 200, 200, 200, 200, 200, 200, 200),
    "settings_update": (403, 403, 403, 403, 403, 403, 200, 401),
    "tiers": (200, 200, 200, 200, 200, 200, 200, 200),
    "tier_create": (403, 403, 403, 403, 403, 403, 201, 401),
    "tier": (200, 200, 200, 200, 200, 200, 200, 200),
    "tier_update": (403, 403, 403, 403, 403, 403, 200, 401),
    "tier_delete": (403, 403, 403, 403, 403, 403, 204, 401),
    "me": (200, 200, 403, 403, 403, 403, 403, 401),
    "me_entries": (200, 200, 403, 403, 403, 403, 403, 401),
    "redeem": (201, 409, 403, 403, 403, 403, 403, 401),
    "accounts": (403, 403, 403, 403, 403, 403, 200, 401),
    "account": (403, 403, 403, 403, 403, 403, 200, 401),
    "account_entries": (403, 403, 403, 403, 403, 403, 200, 401),
    "adjust": (403, 403, 403, 403, 403, 403, 201, 401),
}

#: The route each row exercises (its URL template), for the coverage check below.
ROUTE_OF: dict[str, str] = {
    "settings": "loyalty/settings/",
    "settings_update": "loyalty/settings/",
    "tiers": "loyalty/tiers/",
    "tier_create": "loyalty/tiers/",
    "tier": "loyalty/tiers/<int:pk>/",
    "tier_update": "loyalty/tiers/<int:pk>/",
    "tier_delete": "loyalty/tiers/<int:pk>/",
    "me": "loyalty/me/",
    "me_entries": "loyalty/me/entries/",
    "redeem": "loyalty/me/redeem/",
    "accounts": "loyalty/accounts/",
    "account": "loyalty/accounts/<int:pk>/",
    "account_entries": "loyalty/accounts/<int:pk>/entries/",
    "adjust": "loyalty/adjustments/",
}


def _call(writing: Writing, who: str | None, endpoint: str) -> int:
    row = ROWS[endpoint]
    with tenant_context(writing.tenant):
        points_award(user=writing.cleo, points=200, reason="Matrix", reference="matrix:balance")
    url = row.path(writing)
    body = row.body(writing) if callable(row.body) else row.body
    response = getattr(writing.client(who), row.method)(url, body, format="json")
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
