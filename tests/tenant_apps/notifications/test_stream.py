"""The SSE stream under ASGI, with the in-process broker (REDIS_URL unset).

Each test drives ``saas.asgi.application`` in-process (see ``sse_client.py``) from an async
scenario run by the test thread; rows the scenario creates go through the test's transaction.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django_tenants.utils import tenant_context
from pytest_django import Settings

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.accounts.tokens import TenantAccessToken
from tenant_apps.notifications import broker
from tenant_apps.notifications.models import Notification
from tests.conftest import host_of
from tests.fixture_types import ClientFor, Login, MakeUser, NotifyIn, RunAsync
from tests.tenant_apps.notifications.conftest import NOTIFICATIONS
from tests.tenant_apps.notifications.sse_client import STREAM_PATH, SSEBlock, open_stream


@pytest.fixture(autouse=True)
def _in_process_broker(settings: Settings) -> None:
    settings.REDIS_URL = ""


@pytest.fixture
def ann(alpha: Tenant, make_user: MakeUser) -> User:
    return make_user(alpha, "ann@alpha.test")


@pytest.fixture
def ann_token(alpha: Tenant, ann: User, login: Login) -> str:
    return login(alpha, "ann@alpha.test")["access"]


def test_stream_delivers_a_notification_created_after_connecting(
    alpha: Tenant, ann: User, ann_token: str, notify_in: NotifyIn, run_async: RunAsync, client_for: ClientFor
) -> None:
    # given
    async def scenario() -> tuple[dict[str, str], Notification, SSEBlock]:
        async with open_stream(host_of(alpha), token=ann_token) as stream:
            assert stream.status == 200, await stream.body()
            await stream.connected()
            # when
            created = await sync_to_async(notify_in)(alpha, ann, verb="ticket.replied", extra_data={"ticket": 3})
            event = await stream.next_event()
            return stream.headers, created, event

    headers, created, event = run_async(scenario)
    # then
    assert headers["content-type"] == "text/event-stream"
    assert headers["cache-control"] == "no-cache"
    assert headers["x-accel-buffering"] == "no"
    assert event.event == "notification"
    assert event.id == str(created.pk)
    listed = client_for(alpha, ann_token).get(NOTIFICATIONS).json()["results"][0]
    assert event.data == listed  # the list serializer's shape


def test_stream_accepts_the_token_as_query_parameter(
    alpha: Tenant, ann: User, ann_token: str, notify_in: NotifyIn, run_async: RunAsync
) -> None:
    # given
    async def scenario() -> tuple[Notification, SSEBlock]:
        async with open_stream(host_of(alpha), query={"access_token": ann_token}) as stream:
            assert stream.status == 200
            await stream.connected()
            # when
            created = await sync_to_async(notify_in)(alpha, ann)
            return created, await stream.next_event()

    created, event = run_async(scenario)
    # then
    assert event.id == str(created.pk)


def test_stream_gets_only_its_users_notifications(
    alpha: Tenant, ann: User, ann_token: str, make_user: MakeUser, notify_in: NotifyIn, run_async: RunAsync
) -> None:
    # given
    bob = make_user(alpha, "bob@alpha.test")

    async def scenario() -> tuple[Notification, SSEBlock]:
        async with open_stream(host_of(alpha), token=ann_token) as stream:
            await stream.connected()
            # when: Bob's notification first, then Ann's
            await sync_to_async(notify_in)(alpha, bob)
            anns = await sync_to_async(notify_in)(alpha, ann)
            return anns, await stream.next_event()

    anns, event = run_async(scenario)
    # then: the first event Ann's stream sees is her own
    assert event.id == str(anns.pk)


def test_beta_stream_of_user_n_never_receives_alpha_user_n_notifications(
    alpha: Tenant, beta: Tenant, admins: dict[str, User], login: Login, notify_in: NotifyIn, run_async: RunAsync
) -> None:
    # given: both admins have the same user id; beta's admin listens
    beta_token = login(beta, "admin@beta.test")["access"]

    async def scenario() -> tuple[Notification, SSEBlock, bool]:
        async with open_stream(host_of(beta), token=beta_token) as stream:
            await stream.connected()
            # when: alpha's user N is notified, then beta's user N
            await sync_to_async(notify_in)(alpha, admins["alpha"], verb="alpha.only")
            betas = await sync_to_async(notify_in)(beta, admins["beta"], verb="beta.only")
            return betas, await stream.next_event(), await stream.nothing_within(0.2)

    betas, event, nothing_more = run_async(scenario)
    # then
    assert (event.id, event.data["verb"]) == (str(betas.pk), "beta.only")
    assert nothing_more


def test_stream_without_credentials_is_401_in_the_error_shape(alpha: Tenant, run_async: RunAsync) -> None:
    # when
    async def scenario() -> tuple[int, dict[str, str], bytes]:
        async with open_stream(host_of(alpha)) as stream:
            return stream.status, stream.headers, await stream.body()

    status, headers, body = run_async(scenario)
    # then
    assert status == 401
    assert headers["content-type"] == "application/json"
    assert headers["www-authenticate"].startswith("Bearer")
    assert json.loads(body)["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("how", ["header", "query"])
def test_stream_refuses_another_sites_token(
    alpha: Tenant, beta: Tenant, admins: dict[str, User], login: Login, run_async: RunAsync, how: str
) -> None:
    # given: a valid token of alpha, for a user id that exists in beta too
    alpha_token = login(alpha, "admin@alpha.test")["access"]
    options = {"token": alpha_token} if how == "header" else {"query": {"access_token": alpha_token}}

    # when
    async def scenario() -> tuple[int, bytes]:
        async with open_stream(host_of(beta), **options) as stream:
            return stream.status, await stream.body()

    status, body = run_async(scenario)
    # then
    assert status == 401
    assert json.loads(body)["error"]["code"] == "token_not_valid"


def test_stream_refuses_a_garbage_token(alpha: Tenant, run_async: RunAsync) -> None:
    async def scenario() -> tuple[int, bytes]:
        async with open_stream(host_of(alpha), query={"access_token": "not-a-jwt"}) as stream:
            return stream.status, await stream.body()

    status, body = run_async(scenario)
    assert status == 401
    assert json.loads(body)["error"]["code"] == "token_not_valid"


def test_stream_replays_unread_notifications_after_last_event_id(
    alpha: Tenant, ann: User, ann_token: str, make_user: MakeUser, notify_in: NotifyIn, run_async: RunAsync
) -> None:
    # given: Ann saw `seen`; since then `missed` (unread), `read_meanwhile` (read elsewhere), and Bob's
    bob = make_user(alpha, "bob@alpha.test")
    seen = notify_in(alpha, ann)
    missed = notify_in(alpha, ann)
    read_meanwhile = notify_in(alpha, ann)
    notify_in(alpha, bob)
    also_missed = notify_in(alpha, ann)
    with tenant_context(alpha):
        Notification.objects.filter(pk=read_meanwhile.pk).update(read=True)

    # when: the browser reconnects with Last-Event-ID, then a new one arrives
    async def scenario() -> tuple[list[SSEBlock], Notification, SSEBlock]:
        async with open_stream(host_of(alpha), token=ann_token, headers={"Last-Event-ID": str(seen.pk)}) as stream:
            await stream.connected()
            replayed = [await stream.next_event(), await stream.next_event()]
            live = await sync_to_async(notify_in)(alpha, ann)
            return replayed, live, await stream.next_event()

    replayed, live, live_event = run_async(scenario)
    # then
    assert [event.id for event in replayed] == [str(missed.pk), str(also_missed.pk)]
    assert live_event.id == str(live.pk)


def test_stream_replays_after_last_event_id_given_as_query_parameter(
    alpha: Tenant, ann: User, ann_token: str, notify_in: NotifyIn, run_async: RunAsync
) -> None:
    # given
    seen = notify_in(alpha, ann)
    missed = notify_in(alpha, ann)

    # when
    async def scenario() -> SSEBlock:
        async with open_stream(
            host_of(alpha), query={"access_token": ann_token, "last_event_id": str(seen.pk)}
        ) as stream:
            await stream.connected()
            return await stream.next_event()

    # then
    assert run_async(scenario).id == str(missed.pk)


def test_stream_sends_keep_alive_comments(
    alpha: Tenant, ann: User, ann_token: str, run_async: RunAsync, settings: Settings
) -> None:
    # given
    settings.NOTIFICATIONS_KEEPALIVE_SECONDS = 0.05

    # when
    async def scenario() -> list[SSEBlock]:
        async with open_stream(host_of(alpha), token=ann_token) as stream:
            await stream.connected()
            return [await stream.next_block(timeout=2), await stream.next_block(timeout=2)]

    blocks = run_async(scenario)
    # then
    assert all(block.comments == ["keep-alive"] and not block.fields for block in blocks)


def test_stream_stops_on_client_disconnect_and_unsubscribes(
    alpha: Tenant, ann: User, ann_token: str, notify_in: NotifyIn, run_async: RunAsync
) -> None:
    # given
    async def scenario() -> tuple[int, int]:
        async with open_stream(host_of(alpha), token=ann_token) as stream:
            await stream.connected()
            subscribed = broker.local_subscriber_count("alpha", ann.pk)
            # when
            await stream.disconnect()  # raises if the application does not finish
        return subscribed, broker.local_subscriber_count("alpha", ann.pk)

    subscribed, after = run_async(scenario)
    # then
    assert (subscribed, after) == (1, 0)
    notify_in(alpha, ann)  # publishing to nobody is fine


def test_stream_ends_when_the_access_token_expires(alpha: Tenant, ann: User, run_async: RunAsync) -> None:
    # given: a token with two seconds to live
    with tenant_context(alpha):
        token = TenantAccessToken.for_user(ann)
    token.set_exp(lifetime=timedelta(seconds=2))

    # when
    async def scenario() -> tuple[SSEBlock, bool]:
        async with open_stream(host_of(alpha), token=str(token)) as stream:
            await stream.connected()
            event = await stream.next_event(timeout=5)
            await stream.body(timeout=2)
            return event, stream.ended

    event, ended = run_async(scenario)
    # then
    assert event.event == "token_expired"
    assert ended


def test_stream_under_wsgi_answers_501_instead_of_hanging(alpha: Tenant, ann_token: str, client_for: ClientFor) -> None:
    # when: the WSGI test client (a WSGI server would buffer the endless body)
    response = client_for(alpha, ann_token).get(STREAM_PATH)
    # then
    assert response.status_code == 501
    assert response.json()["error"]["code"] == "stream_unavailable"


def test_stream_refuses_other_methods(alpha: Tenant, ann_token: str, run_async: RunAsync) -> None:
    async def scenario() -> int:
        async with open_stream(host_of(alpha), token=ann_token, method="POST") as stream:
            return stream.status

    assert run_async(scenario) == 405
