"""Helpers of the notifications tests: creating notifications, running the ASGI stream, Redis."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django_tenants.utils import tenant_context
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.notifications.models import Notification
from tests.factories import NotificationFactory
from tests.fixture_types import NotifyIn, RunAsync, T
from tests.tenant_apps.notifications.sse_client import sync_code_in_test_thread

NOTIFICATIONS = "/api/v1/notifications/"
UNREAD_COUNT = "/api/v1/notifications/unread-count/"
READ_ALL = "/api/v1/notifications/read-all/"
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def read_url(notification_id: int) -> str:
    return f"{NOTIFICATIONS}{notification_id}/read/"


@pytest.fixture
def notify_in(django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> NotifyIn:
    """``notify_in(tenant, recipient, verb="...", **kwargs)``: ``notify()`` in that tenant
    (``NotificationFactory``), published as on commit (the test transaction itself never commits)."""

    def create(tenant: Tenant, recipient: User, verb: str = "ticket.replied", **kwargs: Any) -> Notification:
        with tenant_context(tenant), django_capture_on_commit_callbacks(execute=True):
            return NotificationFactory(recipient=recipient, verb=verb, **kwargs)

    return create


@pytest.fixture
def run_async() -> RunAsync:
    """``run_async(scenario)``: run an async test scenario against the ASGI app, from the test thread."""

    def run(scenario: Callable[[], Awaitable[T]]) -> T:
        # Per call: Django's test client re-attaches close_old_connections after each request.
        with sync_code_in_test_thread():
            return async_to_sync(scenario)()

    return run


@pytest.fixture
def admins(session_tenants: dict[str, Tenant], db: None) -> dict[str, User]:
    """The committed admins of alpha and beta; both have the same user id in their own schema."""
    from tenant_apps.accounts.models import User

    found = {}
    for slug in ("alpha", "beta"):
        with tenant_context(session_tenants[slug]):
            found[slug] = User.objects.get(email=f"admin@{slug}.test")
    assert found["alpha"].pk == found["beta"].pk, "the isolation tests need one user id in both schemas"
    return found


@pytest.fixture
def redis_url(settings: Settings) -> str:
    """Switch the broker to Redis (db 15, channels prefixed per test run); skip when unreachable."""
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
    except (redis.RedisError, OSError) as exc:
        pytest.skip(
            f"Redis is not reachable at {REDIS_TEST_URL} ({exc.__class__.__name__}); "
            "the Redis broker path is not tested"
        )
    settings.REDIS_URL = REDIS_TEST_URL
    # Pub/sub channels are global to a Redis server: keep concurrent test runs apart.
    settings.NOTIFICATIONS_CHANNEL_PREFIX = f"test-notifications-{os.getpid()}"
    return REDIS_TEST_URL
