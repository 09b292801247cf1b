"""The SSE stream over Redis pub/sub (REDIS_URL set): events cross processes, never tenants.

The stream subscribes with ``redis.asyncio``; a publisher in "another process" is simulated
by a separate Redis connection that knows only the channel contract, and by the app's own
publisher while no in-process subscriber exists (so Redis is the only way through). Skipped
when Redis is not reachable at ``REDIS_TEST_URL`` (default db 15 on 127.0.0.1:6379).
"""

from __future__ import annotations

import json

import pytest
import redis
from asgiref.sync import sync_to_async
from pytest_django import Settings

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.notifications import broker
from tenant_apps.notifications.models import Notification
from tests.conftest import host_of
from tests.fixture_types import ClientFor, Login, MakeUser, NotifyIn, RunAsync
from tests.tenant_apps.notifications.sse_client import SSEBlock, open_stream


@pytest.fixture
def ann(alpha: Tenant, make_user: MakeUser) -> User:
    return make_user(alpha, "ann@alpha.test")


@pytest.fixture
def ann_token(alpha: Tenant, ann: User, login: Login) -> str:
    return login(alpha, "ann@alpha.test")["access"]


def test_channel_names_carry_the_schema_and_the_user(redis_url: str, settings: Settings) -> None:
    assert broker.channel_name("alpha", 1) == f"{settings.NOTIFICATIONS_CHANNEL_PREFIX}:alpha:1"
    assert broker.channel_name("alpha", 1) != broker.channel_name("beta", 1)


def test_stream_receives_what_another_process_publishes_on_the_users_channel(
    alpha: Tenant, ann: User, ann_token: str, redis_url: str, run_async: RunAsync
) -> None:
    # given: another process, holding only a Redis connection
    other_process = redis.Redis.from_url(redis_url)
    payload = {
        "id": 987654,
        "verb": "ticket.replied",
        "target": None,
        "extra_data": {},
        "read": False,
        "created_at": "2026-11-21T00:00:00Z",
    }

    async def scenario() -> tuple[int, SSEBlock]:
        async with open_stream(host_of(alpha), token=ann_token) as stream:
            await stream.connected()
            # when
            receivers = await sync_to_async(other_process.publish)(
                broker.channel_name("alpha", ann.pk), json.dumps(payload)
            )
            return receivers, await stream.next_event()

    receivers, event = run_async(scenario)
    # then
    assert receivers == 1
    assert (event.id, event.event, event.data) == ("987654", "notification", payload)


def test_notify_publishes_through_redis_to_the_stream(
    alpha: Tenant,
    ann: User,
    ann_token: str,
    redis_url: str,
    notify_in: NotifyIn,
    run_async: RunAsync,
    client_for: ClientFor,
) -> None:
    # given
    async def scenario() -> tuple[int, Notification, SSEBlock]:
        async with open_stream(host_of(alpha), token=ann_token) as stream:
            await stream.connected()
            in_process = broker.local_subscriber_count("alpha", ann.pk)
            # when
            created = await sync_to_async(notify_in)(alpha, ann, extra_data={"via": "redis"})
            return in_process, created, await stream.next_event()

    in_process, created, event = run_async(scenario)
    # then: nothing listened in-process, so the event came through Redis
    assert in_process == 0
    assert event.id == str(created.pk)
    assert event.data == client_for(alpha, ann_token).get("/api/v1/notifications/").json()["results"][0]


def test_beta_stream_of_user_n_never_receives_alpha_user_n_notifications_over_redis(
    alpha: Tenant,
    beta: Tenant,
    admins: dict[str, User],
    login: Login,
    redis_url: str,
    notify_in: NotifyIn,
    run_async: RunAsync,
) -> None:
    # given
    beta_token = login(beta, "admin@beta.test")["access"]

    async def scenario() -> tuple[Notification, SSEBlock, bool]:
        async with open_stream(host_of(beta), token=beta_token) as stream:
            await stream.connected()
            # when
            await sync_to_async(notify_in)(alpha, admins["alpha"], verb="alpha.only")
            betas = await sync_to_async(notify_in)(beta, admins["beta"], verb="beta.only")
            return betas, await stream.next_event(), await stream.nothing_within(0.2)

    betas, event, nothing_more = run_async(scenario)
    # then
    assert (event.id, event.data["verb"]) == (str(betas.pk), "beta.only")
    assert nothing_more


def test_stream_over_redis_stops_on_disconnect_and_releases_its_subscription(
    alpha: Tenant, ann: User, ann_token: str, redis_url: str, run_async: RunAsync
) -> None:
    # given
    channel = broker.channel_name("alpha", ann.pk)
    control = redis.Redis.from_url(redis_url)

    NumSub = list[tuple[bytes | str, int]]  # (channel, subscribers), as redis-py types PUBSUB NUMSUB

    async def scenario() -> tuple[NumSub, NumSub]:
        async with open_stream(host_of(alpha), token=ann_token) as stream:
            await stream.connected()
            during = await sync_to_async(control.pubsub_numsub)(channel)
            # when
            await stream.disconnect()
        return during, await sync_to_async(control.pubsub_numsub)(channel)

    during, after = run_async(scenario)
    # then
    assert during == [(channel.encode(), 1)]
    assert after == [(channel.encode(), 0)]


def test_publish_with_redis_down_is_logged_not_raised(
    alpha: Tenant, ann: User, settings: Settings, notify_in: NotifyIn, caplog: pytest.LogCaptureFixture
) -> None:
    # given: nothing listens on this port
    settings.REDIS_URL = "redis://127.0.0.1:1/15"
    # when
    notification = notify_in(alpha, ann)
    # then: the notification exists; the failure is in the log
    assert notification.pk
    assert "could not publish a notification to Redis" in caplog.text
