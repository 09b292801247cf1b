"""The small, named interface app code uses to learn which tenant it serves.

App code should rarely need this; when it does (building a storage path, tagging a log, a
service that behaves per kind), it calls these functions instead of reaching into
django-tenants or the connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import connection, transaction
from django_tenants.utils import get_public_schema_name, get_tenant_model
from django_tenants.utils import tenant_context as _tenant_context

if TYPE_CHECKING:
    from saas.db.backend.base import DatabaseWrapper


def tenant_connection() -> DatabaseWrapper:
    """The default connection, typed as our schema-switching backend."""
    return cast("DatabaseWrapper", connection)


def current_schema() -> str:
    """The schema the connection serves now: a tenant's slug, or ``public`` for the platform."""
    return str(tenant_connection().schema_name)


def current_tenant() -> Any:
    """The tenant the connection serves (a ``Tenant``, or django-tenants' ``FakeTenant``)."""
    return tenant_connection().tenant


def current_kind() -> str:
    """The kind of the current tenant (``school``, ``store``, ``writing``, ``rental``) or ``public``."""
    tenant = current_tenant()
    kind = tenant.get_tenant_type() if tenant is not None else None
    return str(kind or "public")


def site_url(path: str = "/", tenant: Any = None) -> str:
    """The absolute URL of ``path`` on the site of ``tenant`` (default: the current one).

    ``SITE_URL_FORMAT`` (``"https://{host}"`` by default) filled with the tenant's primary
    domain (``Domain.is_primary``), or ``PLATFORM_DOMAIN`` for the platform (public schema):
    ``site_url("/api/v1/files/")`` -> ``"https://alpha.example.com/api/v1/files/"``. ``path``
    starts with ``/`` and may carry a query string, or is ``""`` for the bare origin; raises
    ``ValueError`` otherwise (a path like ``"@evil.example"`` would turn the host into user info).

    Every link the platform hands out (password-reset, set-password and other e-mail links,
    download URLs, pagination links, anything built with ``request.build_absolute_uri``) is
    built here and never from the request's Host header: the Host header is chosen by the
    client, so an attacker who asks for a password reset of a victim's address with
    ``Host: alpha.example.com:1337`` (or any other name the site answers to) would otherwise
    have the reset link, token included, point at a server of theirs (host-header poisoning).
    The primary domain is cached (``shared_apps.tenancy.hosts.primary_host``): no query in the
    steady state.
    """
    from shared_apps.tenancy.hosts import primary_host

    if path and not path.startswith("/"):
        raise ValueError(f"site_url() takes a path starting with '/', not {path!r}")
    schema_name = getattr(tenant if tenant is not None else current_tenant(), "schema_name", None)
    return str(settings.SITE_URL_FORMAT.format(host=primary_host(schema_name or current_schema()))) + path


def use_public_schema() -> None:
    """Point the connection at the public schema (platform tables)."""
    tenant_connection().set_schema_to_public()


#: What ``current_tenant_uuid`` answers on the platform host (the public schema is never dropped).
PLATFORM_TENANT_UUID = "public"


def current_tenant_uuid() -> str:
    """The random, never-reused id of the current tenant (``Tenant.uuid``) as a string.

    ``PLATFORM_TENANT_UUID`` on the public schema. Costs no query when the connection was set
    with a ``Tenant`` (requests, tasks, ``tenant_context``); one when only a schema name was set.
    """
    schema = current_schema()
    if schema == get_public_schema_name():
        return PLATFORM_TENANT_UUID
    tenant = current_tenant()
    uuid = getattr(tenant, "uuid", None)
    if uuid is None:  # a FakeTenant: the connection was pointed at a schema by name only
        uuid = get_tenant_model().objects.values_list("uuid", flat=True).get(schema_name=schema)
    return str(uuid)


def in_tenant(tenant: Any) -> Any:
    """A context manager that points the connection at ``tenant`` (a ``Tenant``) and back after.

    For code that leaves the request's thread or transaction (a stream's worker thread, work
    after commit): inside a request or task the connection already serves its tenant.
    """
    return _tenant_context(tenant)


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Send ``task(*args, **kwargs)`` through the transactional outbox, in the tenant current now.

    The one way app code sends a Celery task from a write. The task is recorded now, in the current
    transaction (a row of ``shared_apps.outbox``), so a rolled-back change sends nothing and a
    committed one always leaves the task to deliver. Once the transaction commits, it is published
    at once in the tenant that was current when this was called (captured now, so a later schema
    switch in the same transaction cannot redirect it); if the broker is down, the failure is
    logged and recorded (never turning a committed change into a 500) and the outbox relay
    publishes it when the broker is back. Delivery is at least once, with one Celery task id per
    call: a task whose effect must apply once dedupes by it (``saas.tasks.effect_once``).
    ``args`` and ``kwargs`` must be JSON (Celery's serializer): ``TypeError`` otherwise.
    """
    from shared_apps.outbox.services import outbox_enqueue, outbox_publish

    tenant = current_tenant()
    message = outbox_enqueue(task, args, kwargs)

    def publish() -> None:
        with _tenant_context(tenant):
            outbox_publish(message.pk, task, args, kwargs)

    transaction.on_commit(publish, robust=True)


def enqueue_now(task: Any, *args: Any, **kwargs: Any) -> None:
    """Send ``task(*args, **kwargs)`` through the transactional outbox at once, in the current tenant.

    For code whose change is committed already and that runs outside a transaction of its own (a
    view that committed its write in an ``atomic`` block and then sends, a task's follow-up): the
    task is recorded (committed at once, in autocommit) and published; a broker failure is logged
    and left to the relay, never raised. Inside a transaction, use ``enqueue_on_commit``: this one
    would publish before the change is committed.
    """
    from shared_apps.outbox.services import outbox_enqueue, outbox_publish

    message = outbox_enqueue(task, args, kwargs)
    outbox_publish(message.pk, task, args, kwargs)


def enqueue_later(seconds: float, task: Any, *args: Any, **kwargs: Any) -> None:
    """Send ``task(*args, **kwargs)`` through the transactional outbox about ``seconds`` from now.

    Recorded now (in the current transaction, if any) with ``available_at`` that far ahead; the
    outbox relay publishes it once due (within its 10 s period). Eagerly (tests, ``make run``
    without Redis) it runs after commit at once, as Celery's eager mode ignores countdowns.
    """
    from shared_apps.outbox.services import outbox_enqueue, outbox_publish, outbox_runs_eagerly

    tenant = current_tenant()
    message = outbox_enqueue(task, args, kwargs, delay_seconds=seconds)
    if outbox_runs_eagerly():

        def run() -> None:
            with _tenant_context(tenant):
                outbox_publish(message.pk, task, args, kwargs)

        transaction.on_commit(run, robust=True)
