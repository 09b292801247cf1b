"""The writing kind's role matrix over every endpoint of its writers, files, messages, wallets and
dashboard apps (pricing and orders keep theirs: ``pricing/test_pricing_api.py``,
``orders/test_access.py``), and a check that every route of these apps is in it.

Each row acts on cleo's order in progress (``wren`` its writer; ``eddie`` an editor who has not
handled it), on cleo's attachment of it, or on wren's payout request. ``carl`` is another client,
``will`` another writer, ``sue`` support. Something a user may not see answers 404 like a missing
one; a rule on something they see answers 403, as does a decision only admins make (deciding a
payout: 403 for every id, so it tells nothing of which exist). Lists of one's own things (top-ups,
payout requests) answer everyone signed in, empty when they have none. Online payments are off in
tests: a client who may top up by card meets the 503.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from tenant_apps.writing.writers.models import WriterLevel
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import error_code, make_order, order_url
from tests.tenant_apps.writing.wallets.conftest import make_payout, payout_url

PEOPLE = ("cleo", "carl", "wren", "will", "eddie", "sue", "admin", None)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass(frozen=True)
class Row:
    """One endpoint: ``path(writing)`` builds its URL (making what it acts on), ``body`` its data."""

    method: str
    path: Callable[[Writing], str]
    body: dict[str, Any] | Callable[[], dict[str, Any]] | None = None
    multipart: bool = False


def _order(writing: Writing) -> int:
    return make_order(writing, "in_progress").pk


def _attachment(writing: Writing) -> str:
    order = _order(writing)
    upload = SimpleUploadedFile("brief.pdf", PDF, content_type="application/pdf")
    response = writing.client("cleo").post(
        order_url(order, "files/"), {"file": upload, "category": "attachment"}, format="multipart"
    )
    assert response.status_code == 201, response.content
    return order_url(order, f"files/{response.json()['id']}/")


def _default_level(writing: Writing) -> int:
    with tenant_context(writing.tenant):
        return WriterLevel.objects.get(is_default=True).pk


def _payout(writing: Writing, action: str = "", status: str = "requested") -> str:
    return payout_url(make_payout(writing, status).pk, action)


def _upload() -> dict[str, Any]:
    return {"file": SimpleUploadedFile("brief.pdf", PDF, content_type="application/pdf"), "category": "attachment"}


ROWS: dict[str, Row] = {
    "writer_levels": Row("get", lambda w: "/api/v1/writer-levels/"),
    "writer_level_create": Row(
        "post",
        lambda w: "/api/v1/writer-levels/",
        {"name": "Matrix", "share_percent": "55.00", "per_page_amount": "5.50"},
    ),
    "writer_level": Row("get", lambda w: f"/api/v1/writer-levels/{_default_level(w)}/"),
    "writer_level_update": Row("patch", lambda w: f"/api/v1/writer-levels/{_default_level(w)}/", {"position": 3}),
    "writers": Row("get", lambda w: "/api/v1/writers/"),
    "writer_me": Row("get", lambda w: "/api/v1/writers/me/"),
    "writer": Row("get", lambda w: f"/api/v1/writers/{w.wren.pk}/"),
    "writer_set_level": Row(
        "patch", lambda w: f"/api/v1/writers/{w.wren.pk}/", lambda: {"level": WriterLevel.objects.get(slug="expert").pk}
    ),
    "files": Row("get", lambda w: order_url(_order(w), "files/")),
    "file_add": Row("post", lambda w: order_url(_order(w), "files/"), _upload, multipart=True),
    "file": Row("get", _attachment),
    "file_remove": Row("delete", _attachment),
    "messages": Row("get", lambda w: order_url(_order(w), "messages/")),
    "message_post": Row("post", lambda w: order_url(_order(w), "messages/"), {"body": "Any news?"}),
    "flagged_messages": Row("get", lambda w: "/api/v1/order-messages/flagged/"),
    "message_settings": Row("get", lambda w: "/api/v1/order-messages/settings/"),
    "message_settings_update": Row(
        "patch", lambda w: "/api/v1/order-messages/settings/", {"block_contact_details": True}
    ),
    "top_ups": Row("get", lambda w: "/api/v1/wallet/top-ups/"),
    "top_up": Row("post", lambda w: "/api/v1/wallet/top-ups/", {"amount": "20.00"}),
    "payouts": Row("get", lambda w: "/api/v1/payouts/"),
    "payout_request": Row("post", lambda w: "/api/v1/payouts/", {"amount": "10.00"}),
    "payout": Row("get", lambda w: _payout(w)),
    "payout_approve": Row("post", lambda w: _payout(w, "approve/"), {}),
    "payout_reject": Row("post", lambda w: _payout(w, "reject/"), {"note": "Details missing."}),
    "payout_mark_paid": Row("post", lambda w: _payout(w, "mark-paid/", "approved"), {"reference": "BANK-1"}),
    "dashboard": Row("get", lambda w: "/api/v1/dashboard/"),
}

MATRIX: dict[str, tuple[int, ...]] = {
    #                          cleo carl wren will eddie sue admin anonymous
    "writer_levels": (403, 403, 403, 403, 403, 403, 200, 401),
    "writer_level_create": (403, 403, 403, 403, 403, 403, 201, 401),
    "writer_level": (403, 403, 403, 403, 403, 403, 200, 401),
    "writer_level_update": (403, 403, 403, 403, 403, 403, 200, 401),
    "writers": (403, 403, 403, 403, 403, 200, 200, 401),
    "writer_me": (403, 403, 200, 200, 403, 403, 403, 401),
    "writer": (404, 404, 200, 404, 404, 200, 200, 401),
    "writer_set_level": (404, 404, 403, 404, 404, 403, 200, 401),
    "files": (200, 404, 200, 404, 404, 200, 200, 401),
    "file_add": (201, 404, 403, 404, 404, 201, 201, 401),
    "file": (200, 404, 200, 404, 404, 200, 200, 401),
    "file_remove": (204, 404, 403, 404, 404, 403, 204, 401),
    "messages": (200, 404, 200, 404, 404, 200, 200, 401),
    "message_post": (201, 404, 201, 404, 404, 201, 201, 401),
    "flagged_messages": (403, 403, 403, 403, 403, 200, 200, 401),
    "message_settings": (403, 403, 403, 403, 403, 403, 200, 401),
    "message_settings_update": (403, 403, 403, 403, 403, 403, 200, 401),
    "top_ups": (200, 200, 200, 200, 200, 200, 200, 401),
    "top_up": (503, 503, 403, 403, 403, 403, 403, 401),
    "payouts": (200, 200, 200, 200, 200, 200, 200, 401),
    "payout_request": (403, 403, 409, 409, 403, 403, 403, 401),
    "payout": (404, 404, 200, 404, 404, 404, 200, 401),
    "payout_approve": (403, 403, 403, 403, 403, 403, 200, 401),
    "payout_reject": (403, 403, 403, 403, 403, 403, 200, 401),
    "payout_mark_paid": (403, 403, 403, 403, 403, 403, 200, 401),
    "dashboard": (200, 200, 200, 200, 200, 200, 200, 401),
}


def _call(writing: Writing, who: str | None, endpoint: str) -> int:
    row = ROWS[endpoint]
    url = row.path(writing)
    body: dict[str, Any] | None = None
    if callable(row.body):
        with tenant_context(writing.tenant):
            body = row.body()
    else:
        body = row.body
    client = writing.client(who)
    response = getattr(client, row.method)(url, body, format="multipart" if row.multipart else "json")
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


#: The route each row exercises (its URL template), for the coverage check above.
ROUTE_OF: dict[str, str] = {
    "writer_levels": "/api/v1/writer-levels/",
    "writer_level_create": "/api/v1/writer-levels/",
    "writer_level": "/api/v1/writer-levels/<int:pk>/",
    "writer_level_update": "/api/v1/writer-levels/<int:pk>/",
    "writers": "/api/v1/writers/",
    "writer_me": "/api/v1/writers/me/",
    "writer": "/api/v1/writers/<int:pk>/",
    "writer_set_level": "/api/v1/writers/<int:pk>/",
    "files": "/api/v1/orders/<int:pk>/files/",
    "file_add": "/api/v1/orders/<int:pk>/files/",
    "file": "/api/v1/orders/<int:pk>/files/<int:file_id>/",
    "file_remove": "/api/v1/orders/<int:pk>/files/<int:file_id>/",
    "messages": "/api/v1/orders/<int:pk>/messages/",
    "message_post": "/api/v1/orders/<int:pk>/messages/",
    "flagged_messages": "/api/v1/order-messages/flagged/",
    "message_settings": "/api/v1/order-messages/settings/",
    "message_settings_update": "/api/v1/order-messages/settings/",
    "top_ups": "/api/v1/wallet/top-ups/",
    "top_up": "/api/v1/wallet/top-ups/",
    "payouts": "/api/v1/payouts/",
    "payout_request": "/api/v1/payouts/",
    "payout": "/api/v1/payouts/<int:pk>/",
    "payout_approve": "/api/v1/payouts/<int:pk>/approve/",
    "payout_reject": "/api/v1/payouts/<int:pk>/reject/",
    "payout_mark_paid": "/api/v1/payouts/<int:pk>/mark-paid/",
    "dashboard": "/api/v1/dashboard/",
}


@pytest.mark.parametrize("app", ["writers", "files", "messages", "wallets", "dashboard"])
def test_every_route_of_these_apps_is_in_the_matrix(app: str) -> None:
    urls = import_module(f"tenant_apps.writing.{app}.urls")
    routes = {f"/api/v1/{pattern.pattern}" for pattern in urls.urlpatterns}
    assert routes <= set(ROUTE_OF.values())
    assert set(ROUTE_OF) == set(ROWS) == set(MATRIX)
