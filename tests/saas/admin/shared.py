"""Helpers of the shared services' admin tests: signed-in clients, the pages every model admin
must answer, an action's POST, and the messages a page shows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.messages import get_messages
from django.test import Client

from shared_apps.tenancy.models import Tenant
from tests.conftest import PASSWORD, host_of


def admin_client(tenant: Tenant, email: str | None = None) -> Client:
    """A client on ``tenant``'s host signed in to its admin as ``email`` (default: the site's admin)."""
    client = Client(HTTP_HOST=host_of(tenant))
    email = email or f"admin@{tenant.schema_name}.test"
    response = client.post("/admin/login/?next=/admin/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302, f"{email} could not sign in to the admin"
    return client


def changelist(app: str, model: str) -> str:
    """The changelist URL of ``app.model`` on a tenant's admin."""
    return f"/admin/{app}/{model}/"


def change_page(app: str, model: str, pk: Any) -> str:
    """The change (or view) page URL of one object."""
    return f"/admin/{app}/{model}/{pk}/change/"


def run_action(client: Client, url: str, action: str, objects: Iterable[Any], **data: Any) -> Any:
    """POST ``action`` over ``objects`` to the changelist ``url``, as the action menu does; with
    ``data`` (an input form's fields) the input page's "apply" POST is sent instead. Follows the
    redirect back to the changelist."""
    payload: dict[str, Any] = {"action": action, "_selected_action": [str(o.pk) for o in objects]}
    if data:
        payload.update(data, apply="1")
    else:
        payload["index"] = "0"
    return client.post(url, payload, follow=True)


def messages_of(response: Any) -> list[str]:
    """The texts of the messages the response's page shows."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def assert_admin_pages(
    tenant: Tenant, *, app: str, model: str, pk: Any, query: str, shows: str, non_admin: str | None = None
) -> None:
    """The changelist (with ``query``: a filter and a search) and ``pk``'s change page answer 200
    to the site's admin, the filtered list showing ``shows``; a signed-out visitor and (when given) the
    non-admin ``non_admin`` (who cannot sign in) are sent to the login page."""
    client = admin_client(tenant)
    listed = client.get(changelist(app, model) + query)
    assert listed.status_code == 200, listed.content[:500]
    assert shows in listed.content.decode()
    detail = client.get(change_page(app, model, pk))
    assert detail.status_code == 200, detail.content[:500]
    assert shows in detail.content.decode()

    visitor = Client(HTTP_HOST=host_of(tenant))
    if non_admin is not None:
        refused = visitor.post("/admin/login/", {"username": non_admin, "password": PASSWORD})
        assert refused.status_code == 200 and "_auth_user_id" not in visitor.session
    for url in (changelist(app, model), change_page(app, model, pk)):
        response = visitor.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def assert_list_queries_fixed(client: Client, url: str, add_rows: Any, assert_max_queries: Any) -> None:
    """The changelist ``url`` runs no more queries with 10 rows than with 2: ``add_rows(n)`` adds
    ``n`` rows (in the tenant's schema); ``assert_max_queries`` is ``django_assert_max_num_queries``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    add_rows(2)
    client.get(url)  # warm: content types, the session, the site's roles
    with CaptureQueriesContext(connection) as two:
        assert client.get(url).status_code == 200
    add_rows(8)
    with assert_max_queries(len(two.captured_queries)):
        assert client.get(url).status_code == 200
