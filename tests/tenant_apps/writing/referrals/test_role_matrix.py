"""The referrals app's role matrix: every route for every person of the writing site (cleo and
carl clients, wren and will writers, eddie editor, sue support, admin, anonymous), and a check that
every route of ``referrals/urls.py`` is in it.

Clients have a code and claim one (each claim here is of a new client's code); the list of every
referral and the settings are the admins'.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from tenant_apps.writing.referrals import urls
from tenant_apps.writing.referrals.services import referral_code_for
from tests.factories import UserFactory
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import error_code

PEOPLE = ("cleo", "carl", "wren", "will", "eddie", "sue", "admin", None)


@dataclass(frozen=True)
class Row:
    """One endpoint: ``route`` (its URL template), ``path`` and ``body`` built for the test."""

    method: str
    route: str
    path: Callable[[Writing], str]
    body: Callable[[Writing], dict[str, Any]] | None = None


def _new_code(writing: Writing) -> dict[str, Any]:
    with tenant_context(writing.tenant):
        return {"code": referral_code_for(user=UserFactory(roles=["client"])).code}


ROWS: dict[str, Row] = {
    "me": Row("get", "referrals/me/", lambda w: "/api/v1/referrals/me/"),
    "claim": Row("post", "referrals/claim/", lambda w: "/api/v1/referrals/claim/", _new_code),
    "list": Row("get", "referrals/", lambda w: "/api/v1/referrals/"),
    "settings": Row("get", "referrals/settings/", lambda w: "/api/v1/referrals/settings/"),
    "settings_update": Row(
        "patch", "referrals/settings/", lambda w: "/api/v1/referrals/settings/", lambda w: {"reward_amount": "6.00"}
    ),
}

MATRIX: dict[str, tuple[int, ...]] = {
    #                   cleo carl wren will eddie sue admin anonymous
    "me": (200, 200, 403, 403, 403, 403, 403, 401),
    "claim": (201, 201, 403, 403, 403, 403, 403, 401),
    "list": (403, 403, 403, 403, 403, 403, 200, 401),
    "settings": (403, 403, 403, 403, 403, 403, 200, 401),
    "settings_update": (403, 403, 403, 403, 403, 403, 200, 401),
}


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("endpoint", MATRIX)
def test_role_matrix(writing: Writing, endpoint: str, who: str | None) -> None:
    row = ROWS[endpoint]
    url = row.path(writing)
    body = row.body(writing) if row.body is not None else None
    response = getattr(writing.client(who), row.method)(url, body, format="json")
    assert response["Content-Type"].startswith("application/json")
    if response.status_code >= 400:
        error_code(response)
    assert response.status_code == dict(zip(PEOPLE, MATRIX[endpoint], strict=True))[who], response.content


def test_every_route_of_the_app_is_in_the_matrix() -> None:
    routes = {str(pattern.pattern) for pattern in urls.urlpatterns}
    assert routes == {row.route for row in ROWS.values()}
    assert set(ROWS) == set(MATRIX)
