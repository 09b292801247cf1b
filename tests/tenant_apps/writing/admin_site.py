"""Helpers of the writing admin tests: a browser session on a writing site's ``/admin/``, the
URLs of a model's pages, posting an action (and its intermediate form), the messages shown, and a
page's query count.

The site admin of a session tenant is ``admin@<slug>.test``; another user is signed in with
``force_login`` (the admin's sign-in form refuses them: that is ``tests/saas/admin``'s test).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.admin import helpers
from django.contrib.messages import get_messages
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tests.conftest import PASSWORD, host_of

__all__ = [
    "admin_session",
    "admin_url",
    "count_queries",
    "messages_of",
    "post_action",
    "session_of",
]


def admin_session(tenant: Tenant) -> Client:
    """A client on ``tenant``'s host signed in to ``/admin/`` as its admin (``admin@<slug>.test``)."""
    client = Client(HTTP_HOST=host_of(tenant))
    response = client.post(
        "/admin/login/?next=/admin/", {"username": f"admin@{tenant.schema_name}.test", "password": PASSWORD}
    )
    assert response.status_code == 302, response.content
    return client


def session_of(tenant: Tenant, user: Any) -> Client:
    """A client on ``tenant``'s host with ``user``'s session (whatever their roles)."""
    client = Client(HTTP_HOST=host_of(tenant))
    with tenant_context(tenant):
        client.force_login(user)
    return client


def admin_url(model: type[Model] | Model, page: str = "changelist", *args: Any) -> str:
    """``/admin/<app>/<model>/`` (``page`` ``changelist``), or ``/admin/<app>/<model>/<pk>/<page>/``
    (``page`` ``change``, ``history``... with the pk)."""
    opts = model._meta
    base = f"/admin/{opts.app_label}/{opts.model_name}/"
    if page == "changelist":
        return base
    return f"{base}{args[0]}/{page}/"


def post_action(client: Client, model: type[Model], action: str, objects: Iterable[Model], **form: Any) -> Any:
    """POST ``action`` on ``objects`` from ``model``'s changelist; with ``form`` data, also post the
    action's intermediate form (as its page does) and return that answer. A redirect is followed
    once, as a browser would, so its messages are shown (and not carried to the next request)."""
    pks = [str(obj.pk) for obj in objects]
    url = admin_url(model)
    response = client.post(url, {"action": action, helpers.ACTION_CHECKBOX_NAME: pks, "index": 0})
    if form:
        assert response.status_code == 200, response.status_code  # the intermediate form
        response = client.post(url, {"action": action, helpers.ACTION_CHECKBOX_NAME: pks, "apply": "apply", **form})
    if response.status_code == 302:
        assert client.get(response["Location"]).status_code == 200
    return response


def messages_of(response: Any) -> list[str]:
    """The messages the admin shows after ``response`` (a redirect's messages, once)."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def count_queries(fetch: Callable[[], Any]) -> int:
    """How many queries ``fetch()`` runs; it must answer 200."""
    with CaptureQueriesContext(connection) as queries:
        response = fetch()
    assert response.status_code == 200, response.status_code
    return len(queries)
