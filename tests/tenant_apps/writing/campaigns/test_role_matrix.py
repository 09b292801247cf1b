"""The campaigns app's role matrix over every route, for every person of the golf site and an
anonymous visitor, and a check that every route of ``campaigns/urls.py`` is in it.

Campaigns are the admins' alone: everyone else signed in gets 403 for every id (so nothing tells
which exist), anonymous visitors 401. The unsubscribe link needs no login and answers whoever holds
it (a bearer token, good or bad, is not read); the marketing preference is everyone's own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.writing.campaigns.tokens import unsubscribe_token
from tests.tenant_apps.writing.campaigns.conftest import CAMPAIGNS, PREFERENCE, campaign_url, error_code, make_campaign
from tests.tenant_apps.writing.conftest import Writing

PEOPLE = ("cleo", "carl", "wren", "will", "eddie", "sue", "admin", None)


@dataclass(frozen=True)
class Row:
    """One endpoint: ``path(writing)`` builds its URL (making what it acts on), ``body`` its data."""

    method: str
    path: Callable[[Writing], str]
    body: dict[str, Any] | Callable[[], dict[str, Any]] | None = None


def _campaign(writing: Writing, action: str = "") -> str:
    return campaign_url(make_campaign(writing).pk, action)


def _unsubscribe(writing: Writing) -> str:
    with tenant_context(writing.tenant):
        return f"/api/v1/unsubscribe/{unsubscribe_token(writing.cleo.email)}/"


ROWS: dict[str, Row] = {
    "campaigns": Row("get", lambda w: CAMPAIGNS),
    "campaign_create": Row("post", lambda w: CAMPAIGNS, {"subject": "Hi", "text": "Hello.", "audience": "all_clients"}),
    "campaign": Row("get", _campaign),
    "campaign_update": Row("patch", _campaign, {"subject": "Changed"}),
    "campaign_preview": Row("post", lambda w: _campaign(w, "preview/"), {}),
    "campaign_send_test": Row("post", lambda w: _campaign(w, "send-test/"), {}),
    "campaign_schedule": Row(
        "post",
        lambda w: _campaign(w, "schedule/"),
        lambda: {"scheduled_at": (timezone.now() + timedelta(days=1)).isoformat()},
    ),
    "campaign_send": Row("post", lambda w: _campaign(w, "send/"), {}),
    "campaign_cancel": Row("post", lambda w: _campaign(w, "cancel/"), {}),
    "campaign_recipients": Row("get", lambda w: _campaign(w, "recipients/")),
    "unsubscribe_check": Row("get", _unsubscribe),
    "unsubscribe": Row("post", _unsubscribe, {}),
    "preference": Row("get", lambda w: PREFERENCE),
    "preference_set": Row("put", lambda w: PREFERENCE, {"subscribed": False}),
}

MATRIX: dict[str, tuple[int, ...]] = {
    #                       cleo carl wren will eddie sue admin anonymous
    "campaigns": (403, 403, 403, 403, 403, 403, 200, 401),
    "campaign_create": (403, 403, 403, 403, 403, 403, 201, 401),
    "campaign": (403, 403, 403, 403, 403, 403, 200, 401),
    "campaign_update": (403, 403, 403, 403, 403, 403, 200, 401),
    "campaign_preview": (403, 403, 403, 403, 403, 403, 200, 401),
    "campaign_send_test": (403, 403, 403, 403, 403, 403, 200, 401),
    "campaign_schedule": (403, 403, 403, 403, 403, 403, 200, 401),
    "campaign_send": (403, 403, 403, 403, 403, 403, 200, 401),
    "campaign_cancel": (403, 403, 403, 403, 403, 403, 200, 401),
    "campaign_recipients": (403, 403, 403, 403, 403, 403, 200, 401),
    "unsubscribe_check": (200, 200, 200, 200, 200, 200, 200, 200),
    "unsubscribe": (200, 200, 200, 200, 200, 200, 200, 200),
    "preference": (200, 200, 200, 200, 200, 200, 200, 401),
    "preference_set": (200, 200, 200, 200, 200, 200, 200, 401),
}

#: The route each row exercises (its URL template), for the coverage check.
ROUTE_OF: dict[str, str] = {
    "campaigns": "/api/v1/campaigns/",
    "campaign_create": "/api/v1/campaigns/",
    "campaign": "/api/v1/campaigns/<int:pk>/",
    "campaign_update": "/api/v1/campaigns/<int:pk>/",
    "campaign_preview": "/api/v1/campaigns/<int:pk>/preview/",
    "campaign_send_test": "/api/v1/campaigns/<int:pk>/send-test/",
    "campaign_schedule": "/api/v1/campaigns/<int:pk>/schedule/",
    "campaign_send": "/api/v1/campaigns/<int:pk>/send/",
    "campaign_cancel": "/api/v1/campaigns/<int:pk>/cancel/",
    "campaign_recipients": "/api/v1/campaigns/<int:pk>/recipients/",
    "unsubscribe_check": "/api/v1/unsubscribe/<str:token>/",
    "unsubscribe": "/api/v1/unsubscribe/<str:token>/",
    "preference": "/api/v1/marketing-preference/",
    "preference_set": "/api/v1/marketing-preference/",
}


def _call(writing: Writing, who: str | None, endpoint: str) -> int:
    row = ROWS[endpoint]
    url = row.path(writing)
    body = row.body() if callable(row.body) else row.body
    response = getattr(writing.client(who), row.method)(url, body, format="json")
    assert response.status_code < 500, response.content
    assert response["Content-Type"].startswith("application/json")
    if response.status_code >= 400:
        error_code(response)
    return response.status_code


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("endpoint", MATRIX)
def test_role_matrix(writing: Writing, endpoint: str, who: str | None) -> None:
    assert _call(writing, who, endpoint) == dict(zip(PEOPLE, MATRIX[endpoint], strict=True))[who]


def test_every_route_of_the_app_is_in_the_matrix() -> None:
    urls = import_module("tenant_apps.writing.campaigns.urls")
    routes = {f"/api/v1/{pattern.pattern}" for pattern in urls.urlpatterns}
    assert routes == set(ROUTE_OF.values())
    assert set(ROUTE_OF) == set(ROWS) == set(MATRIX)
