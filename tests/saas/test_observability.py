"""Error reports name the tenant: Sentry events carry the ``tenant`` tag of the site that failed.

Sentry is initialised against a transport that keeps envelopes in memory (nothing leaves the
process); the previous client is restored afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sentry_sdk
from django_tenants.utils import tenant_context
from sentry_sdk.envelope import Envelope
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.transport import Transport
from sentry_sdk.types import Event

from saas.celery import app as celery_app
from shared_apps.tenancy.models import Tenant
from tests.fixture_types import ClientFor


class CapturingTransport(Transport):
    """A Sentry transport that records envelopes instead of sending them."""

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        super().__init__(options)
        self.envelopes: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)

    def events(self) -> list[Event]:
        return [event for e in self.envelopes if (event := e.get_event()) is not None]

    def error_events(self) -> list[Event]:
        return [e for e in self.events() if e.get("exception")]


@pytest.fixture
def sentry_events() -> Iterator[CapturingTransport]:
    """Sentry switched on, as in production (Django and Celery integrations), without network."""
    transport = CapturingTransport()
    previous = sentry_sdk.get_client()
    sentry_sdk.init(
        dsn="https://public@example.invalid/1",
        transport=transport,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        default_integrations=False,
        auto_enabling_integrations=False,
    )
    try:
        # the test client has no per-request scope of its own, unlike the WSGI handler Sentry wraps
        with sentry_sdk.isolation_scope():
            yield transport
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(previous)


class Boom(RuntimeError):
    """An unexpected failure inside a view or a task."""


@pytest.fixture
def site_view_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``GET /api/v1/site/`` fail with an unhandled exception."""

    def fail(kind: str) -> Any:
        raise Boom(f"roles of {kind} unavailable")

    monkeypatch.setattr("tenant_apps.accounts.views.roles_of", fail)


def exception_types(event: Event) -> list[str]:
    return [value["type"] for value in event["exception"]["values"]]


def test_error_while_serving_a_tenant_is_reported_with_that_tenants_tag(
    alpha: Tenant, client_for: ClientFor, sentry_events: CapturingTransport, site_view_fails: None
) -> None:
    # given
    client = client_for(alpha)
    client.raise_request_exception = False
    # when
    response = client.get("/api/v1/site/")
    # then: the user gets the JSON 500, the report names the tenant
    assert response.status_code == 500
    assert response.json() == {"error": {"code": "server_error", "message": "Internal server error."}}
    [event] = sentry_events.error_events()
    assert "Boom" in exception_types(event)
    assert event["tags"]["tenant"] == "alpha"


def test_errors_on_two_tenants_are_each_tagged_with_their_own_tenant(
    alpha: Tenant, gamma: Tenant, client_for: ClientFor, sentry_events: CapturingTransport, site_view_fails: None
) -> None:
    # when
    for tenant in (gamma, alpha, gamma):
        client = client_for(tenant)
        client.raise_request_exception = False
        assert client.get("/api/v1/site/").status_code == 500
    # then
    assert [e["tags"]["tenant"] for e in sentry_events.error_events()] == ["gamma", "alpha", "gamma"]


@celery_app.task(name="tests.saas.report_to_sentry")
def report_to_sentry() -> None:
    sentry_sdk.capture_message("task report")


def test_report_from_a_task_is_tagged_with_the_tenant_it_was_sent_from(
    beta: Tenant, sentry_events: CapturingTransport
) -> None:
    # given: a tag left over from something else on this thread
    sentry_sdk.set_tag("tenant", "stale")
    # when
    with tenant_context(beta):
        report_to_sentry.delay()
    # then
    [event] = [e for e in sentry_events.events() if e.get("message") == "task report"]
    assert event["tags"]["tenant"] == "beta"
