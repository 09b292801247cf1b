"""Driving the admin sites in tests: signed-in clients, the URLs of a model's pages, an action run
from a changelist (and its intermediate form), the messages a page shows, the audit verbs of an
object and the "a changelist costs as many queries for 10 rows as for 2" check.

The admin of a session tenant is ``admin@<slug>.test``; the platform console's staff user is
``staff@localhost`` (``tenant`` ``None``). Sessions are per site: a client signed in on one host is a
stranger on every other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.apps import apps
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from saas.admin.extras import APPLY
from saas.db.tenant import tenant_connection
from shared_apps.tenancy.models import Tenant
from tenant_apps.audit.models import AuditLogEntry
from tests.conftest import PASSWORD, host_of

__all__ = [
    "LOGIN",
    "admin_client",
    "admin_url",
    "assert_admin_hides",
    "assert_admin_pages",
    "assert_list_queries_fixed",
    "audit_entries",
    "audit_verbs",
    "count_queries",
    "messages_of",
    "reload",
    "run_action",
    "session_client",
    "sign_in",
]

LOGIN = "/admin/login/"
"""The admin's sign-in page (on every site)."""

ModelT = TypeVar("ModelT", bound=Model)

# The first cell of every changelist row is a ``<th class="field-...">`` (the link to the object).
_ROW = '<th class="field-'


def sign_in(client: Client, email: str, password: str = PASSWORD) -> Any:
    """POST the admin's real sign-in form on ``client``'s host as ``email``, to come back to
    ``/admin/``; returns the answer (302 to ``/admin/`` when accepted, 200 with the form when not)."""
    return client.post(f"{LOGIN}?next=/admin/", {"username": email, "password": password})


def admin_client(tenant: Tenant | None, email: str | None = None, **client_options: Any) -> Client:
    """A client on ``tenant``'s host (``None``: the platform console) signed in to its admin through
    the sign-in form as ``email`` (default: the site's admin, or ``staff@localhost`` on the
    platform). Asserts the sign-in worked. ``client_options`` go to ``Client`` (e.g.
    ``enforce_csrf_checks=True``)."""
    client = Client(HTTP_HOST=host_of(tenant), **client_options)
    email = email or ("staff@localhost" if tenant is None else f"admin@{tenant.schema_name}.test")
    response = sign_in(client, email)
    assert response.status_code == 302 and response["Location"] == "/admin/", (
        f"{email} could not sign in to the admin: {response.status_code} {response.content[:500]!r}"
    )
    return client


def session_client(tenant: Tenant | None, user: Any) -> Client:
    """A client on ``tenant``'s host holding a session of ``user``, whatever their roles: made with
    ``force_login``, as a stolen cookie would be (the sign-in form refuses a non-admin)."""
    client = Client(HTTP_HOST=host_of(tenant))
    if tenant is None:
        tenant_connection().set_schema_to_public()
        client.force_login(user)
    else:
        with tenant_context(tenant):
            client.force_login(user)
    return client


def admin_url(model_or_obj: type[Model] | Model | str, page: str = "changelist", pk: Any = None) -> str:
    """The admin URL of a model's page: ``/admin/<app>/<model>/`` (``changelist``),
    ``.../add/`` (``add``) or ``.../<pk>/<page>/`` (``change``, ``delete``, ``history``...).

    ``model_or_obj`` is a model, a model's label (``"payments.Payment"``) or an object (whose pk is
    the default ``pk``). Raises ``ValueError`` for an object page without a pk."""
    model = apps.get_model(model_or_obj) if isinstance(model_or_obj, str) else model_or_obj
    opts = model._meta
    base = f"/admin/{opts.app_label}/{opts.model_name}/"
    if page == "changelist":
        return base
    if page == "add":
        return f"{base}add/"
    if pk is None and isinstance(model_or_obj, Model):
        pk = model_or_obj.pk
    if pk is None:
        raise ValueError(f"the {page} page of {opts.label} needs a pk")
    return f"{base}{pk}/{page}/"


def run_action(
    client: Client, model_or_url: type[Model] | str, action: str, objects: Iterable[Any], **form: Any
) -> Any:
    """Run ``action`` on ``objects`` from a changelist (a model, or the changelist's URL), as the
    action menu does.

    With ``form`` (the fields of the action's intermediate form), the action's POST must answer that
    form's page (200), then the form is submitted (its ``apply`` button). A redirect is followed once, as a
    browser would: the answer is the page it leads to, with ``redirect_chain`` (``[]`` when the POST
    answered a page) and the messages the page shows."""
    url = model_or_url if isinstance(model_or_url, str) else admin_url(model_or_url)
    selected = {"action": action, ACTION_CHECKBOX_NAME: [str(getattr(obj, "pk", obj)) for obj in objects]}
    response = client.post(url, {**selected, "index": "0"}, follow=not form)
    if form:
        assert response.status_code == 200, f"no intermediate form: {response.status_code}"
        response = client.post(url, {**selected, **form, APPLY: "1"}, follow=True)
    assert len(response.redirect_chain) <= 1, response.redirect_chain
    return response


def messages_of(response: Any) -> list[str]:
    """The texts of the messages shown with ``response`` (after a followed redirect: the messages
    the action left for the page it leads to)."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def reload(tenant: Tenant, obj: ModelT) -> ModelT:
    """``obj`` read again from ``tenant``'s schema."""
    with tenant_context(tenant):
        return type(obj)._default_manager.get(pk=obj.pk)


def audit_entries(tenant: Tenant, target: Model, verb: str | None = None) -> list[AuditLogEntry]:
    """The audit rows about ``target`` in ``tenant`` (of ``verb`` only, when given), oldest first."""
    with tenant_context(tenant):
        entries = AuditLogEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(type(target)), target_id=str(target.pk)
        )
        if verb is not None:
            entries = entries.filter(verb=verb)
        return list(entries.order_by("id"))


def audit_verbs(tenant: Tenant, target: Model) -> list[str]:
    """The audit verbs recorded about ``target`` in ``tenant``, oldest first."""
    return [entry.verb for entry in audit_entries(tenant, target)]


def count_queries(fetch: Callable[[], Any]) -> int:
    """How many SQL queries ``fetch()`` runs; its answer must be 200."""
    with CaptureQueriesContext(connection) as queries:
        response = fetch()
    assert response.status_code == 200, response.status_code
    return len(queries)


def assert_list_queries_fixed(
    tenant: Tenant, model_or_url: type[Model] | str, add_row: Callable[[], Any], *, client: Client | None = None
) -> None:
    """A changelist (a model's, or ``model_or_url`` itself) runs no more queries with 10 rows than
    with 2, and shows them all, to ``tenant``'s admin (or ``client``).

    ``add_row()`` adds a row the page lists; it is called in ``tenant``'s schema (a row may bring
    others along, as an upload its audit row). The first GET warms the caches (content types, the
    session, the site's roles); the 2-row count is the next one's."""
    url = model_or_url if isinstance(model_or_url, str) else admin_url(model_or_url)
    client = client or admin_client(tenant)

    def add_rows(count: int) -> None:
        with tenant_context(tenant):
            for _ in range(count):
                add_row()

    add_rows(2)
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as two:
        first = client.get(url)
    assert first.status_code == 200, first.status_code
    rows = first.content.decode().count(_ROW)
    add_rows(8)
    with CaptureQueriesContext(connection) as ten:
        second = client.get(url)
    assert second.status_code == 200, second.status_code
    assert second.content.decode().count(_ROW) >= rows + 8, "the 8 new rows are not all listed"
    assert len(ten) <= len(two), "\n".join(
        [f"{len(ten)} queries for 10 rows, {len(two)} for 2:", *(q["sql"] for q in ten.captured_queries)]
    )


def assert_admin_pages(
    tenant: Tenant,
    model: type[Model] | str,
    pk: Any,
    *,
    query: str,
    shows: str,
    page_shows: str | None = None,
    non_admin: str | None = None,
) -> None:
    """``model``'s changelist (with ``query``: a filter and a search) and ``pk``'s change page answer
    200 to the site's admin, the list showing ``shows`` and the page ``page_shows`` (default:
    ``shows``); a signed-out visitor and (when given) the non-admin ``non_admin`` (whom the sign-in
    form refuses) are sent to the sign-in page."""
    client = admin_client(tenant)
    listed = client.get(admin_url(model) + query)
    assert listed.status_code == 200, listed.content[:500]
    assert shows in listed.content.decode()
    detail = client.get(admin_url(model, "change", pk))
    assert detail.status_code == 200, detail.content[:500]
    assert (shows if page_shows is None else page_shows) in detail.content.decode()

    visitor = Client(HTTP_HOST=host_of(tenant))
    if non_admin is not None:
        refused = sign_in(visitor, non_admin)
        assert refused.status_code == 200 and "_auth_user_id" not in visitor.session
    for url in (admin_url(model), admin_url(model, "change", pk)):
        response = visitor.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def assert_admin_hides(tenant: Tenant, theirs: Model, text: str) -> None:
    """``tenant``'s admin sees nothing of ``theirs``, a row of another site: ``text`` (something
    only that row holds) is on neither its model's changelist nor the change page at its pk."""
    client = admin_client(tenant)
    listed = client.get(admin_url(type(theirs)))
    assert listed.status_code == 200, listed.status_code
    assert text not in listed.content.decode()
    assert text not in client.get(admin_url(theirs, "change")).content.decode()
