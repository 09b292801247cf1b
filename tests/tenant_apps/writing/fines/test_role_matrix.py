"""The role matrix of every endpoint of the writing fines app, for every person of the golf site,
and a check that every route of the app is in it.

Each row acts on a fine of wren's (an admin's, about no order; appealed for the decisions).
``carl`` is another client, ``will`` another writer, ``eddie`` an editor, ``sue`` support. A fine a
user may not see answers 404 like a missing one; appealing one you see but is not yours answers
403; deciding, issuing and the rules answer 403 to everyone but admins, whatever the id. The list
answers everyone signed in, with what they may see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from tenant_apps.accounts.models import User
from tenant_apps.writing.fines.services import fine_appeal, fine_issue
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.fines.conftest import FINES, SETTINGS, error_code, fine_url

PEOPLE = ("cleo", "carl", "wren", "will", "eddie", "sue", "admin", None)


@dataclass(frozen=True)
class Row:
    """One endpoint: ``path(writing)`` builds its URL (making what it acts on), ``body`` its data."""

    method: str
    path: Callable[[Writing], str]
    body: dict[str, Any] | Callable[[], dict[str, Any]] | None = None


def _fine(writing: Writing, action: str = "", *, appealed: bool = False) -> str:
    with tenant_context(writing.tenant):
        fine = fine_issue(writer=writing.wren, amount="3.00", reason="Plagiarism.", actor=writing.admin)
        if appealed:
            fine_appeal(fine=fine, writer=writing.wren, explanation="Not me.")
    return fine_url(fine.pk, action)


def _issue_body() -> dict[str, Any]:
    return {"writer": User.objects.get(email="wren@golf.test").pk, "amount": "2.00", "reason": "Plagiarism."}


ROWS: dict[str, Row] = {
    "fines": Row("get", lambda w: FINES),
    "fine_issue": Row("post", lambda w: FINES, _issue_body),
    "fine": Row("get", lambda w: _fine(w)),
    "fine_appeal": Row("post", lambda w: _fine(w, "appeal/"), {"explanation": "The source was cited."}),
    "fine_accept": Row("post", lambda w: _fine(w, "accept/", appealed=True), {"note": "Fair."}),
    "fine_reject": Row("post", lambda w: _fine(w, "reject/", appealed=True), {"note": "It stands."}),
    "fine_settings": Row("get", lambda w: SETTINGS),
    "fine_settings_update": Row("patch", lambda w: SETTINGS, {"grace_minutes": 30}),
}

MATRIX: dict[str, tuple[int, ...]] = {
    #                       cleo carl wren will eddie sue admin anonymous
    "fines": (200, 200, 200, 200, 200, 200, 200, 401),
    "fine_issue": (403, 403, 403, 403, 403, 403, 201, 401),
    "fine": (404, 404, 200, 404, 404, 200, 200, 401),
    "fine_appeal": (404, 404, 201, 404, 404, 403, 403, 401),
    "fine_accept": (403, 403, 403, 403, 403, 403, 200, 401),
    "fine_reject": (403, 403, 403, 403, 403, 403, 200, 401),
    "fine_settings": (403, 403, 403, 403, 403, 403, 200, 401),
    "fine_settings_update": (403, 403, 403, 403, 403, 403, 200, 401),
}

#: The route each row exercises (its URL template), for the coverage check below.
ROUTE_OF: dict[str, str] = {
    "fines": "/api/v1/fines/",
    "fine_issue": "/api/v1/fines/",
    "fine": "/api/v1/fines/<int:pk>/",
    "fine_appeal": "/api/v1/fines/<int:pk>/appeal/",
    "fine_accept": "/api/v1/fines/<int:pk>/accept/",
    "fine_reject": "/api/v1/fines/<int:pk>/reject/",
    "fine_settings": "/api/v1/fines/settings/",
    "fine_settings_update": "/api/v1/fines/settings/",
}


def _call(writing: Writing, who: str | None, endpoint: str) -> int:
    row = ROWS[endpoint]
    url = row.path(writing)
    body: dict[str, Any] | None
    if callable(row.body):
        with tenant_context(writing.tenant):
            body = row.body()
    else:
        body = row.body
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


def test_every_route_of_the_fines_app_is_in_the_matrix() -> None:
    urls = import_module("tenant_apps.writing.fines.urls")
    routes = {f"/api/v1/{pattern.pattern}" for pattern in urls.urlpatterns}
    assert routes == set(ROUTE_OF.values())
    assert set(ROUTE_OF) == set(ROWS) == set(MATRIX)
