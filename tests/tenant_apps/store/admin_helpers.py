"""What the store's admin tests share: signed-in admin clients, the model pages, actions, messages,
and the "same number of queries for 2 and 10 rows" check.

Sessions are per schema: a client signs in on one store's host (``gamma``, ``delta``) and is a
stranger everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.audit.models import AuditLogEntry
from tests.conftest import PASSWORD, host_of


def admin_client(tenant: Tenant) -> Client:
    """A client signed in to ``tenant``'s admin site as its admin (``admin@<slug>.test``)."""
    client = Client(HTTP_HOST=host_of(tenant))
    response = client.post(
        "/admin/login/?next=/admin/", {"username": f"admin@{tenant.schema_name}.test", "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/", response.content[:500]
    return client


def session_client(tenant: Tenant, user: Any) -> Client:
    """A client holding a session of ``user`` on ``tenant``'s host (any role: the sign-in form
    would refuse a non-admin, so the session is made directly, as a stolen cookie would be)."""
    client = Client(HTTP_HOST=host_of(tenant))
    with tenant_context(tenant):
        client.force_login(user)
    return client


def changelist_url(model: type[Model]) -> str:
    """``/admin/<app>/<model>/``."""
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


def change_url(obj: Model) -> str:
    """``/admin/<app>/<model>/<pk>/change/``."""
    return f"{changelist_url(type(obj))}{obj.pk}/change/"


def run_action(client: Client, model: type[Model], action: str, objects: Iterable[Model], **data: Any) -> Any:
    """POST ``action`` over ``objects`` to ``model``'s change list (``data``: an input form's
    fields, with ``apply`` to submit it); the response is followed when it redirects."""
    payload = {"action": action, "_selected_action": [str(obj.pk) for obj in objects], **data}
    return client.post(changelist_url(model), payload, follow=True)


def messages_of(response: Any) -> list[str]:
    """The admin messages shown with ``response`` (successes and per-object errors)."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def audit_verbs(tenant: Tenant, target: Model) -> list[str]:
    """The audit verbs recorded about ``target`` in ``tenant``, oldest first."""
    with tenant_context(tenant):
        return list(
            AuditLogEntry.objects.filter(
                target_type=ContentType.objects.get_for_model(type(target)), target_id=str(target.pk)
            )
            .order_by("id")
            .values_list("verb", flat=True)
        )


def assert_fixed_queries(
    client: Client, url: str, make_rows: Callable[[int], None], *, django_assert_max_num_queries: Any
) -> None:
    """``url`` (a change list) runs as many queries with 10 rows as with 2: ``make_rows(n)`` adds
    ``n`` rows; the page must show each of them (one more row link each)."""
    make_rows(2)
    with CaptureQueriesContext(connection) as two:
        first = client.get(url)
    assert first.status_code == 200
    rows_two = first.content.decode().count('<th class="field-')
    make_rows(8)
    with django_assert_max_num_queries(len(two.captured_queries)):
        second = client.get(url)
    assert second.status_code == 200
    assert second.content.decode().count('<th class="field-') == rows_two + 8
