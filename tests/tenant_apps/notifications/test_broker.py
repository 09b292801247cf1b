"""The in-process broker: thread-safe hand-over to asyncio subscribers, one channel per schema and user."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from pytest_django import Settings

from tenant_apps.notifications import broker


@pytest.fixture(autouse=True)
def _in_process(settings: Settings) -> None:
    settings.REDIS_URL = ""


def test_payload_published_from_another_thread_reaches_the_subscriber_loop() -> None:
    # given
    async def scenario() -> dict[str, Any] | None:
        async with broker.subscribe(schema="alpha", user_id=7) as subscription:
            # when: a sync thread (a request or a task) publishes
            thread = threading.Thread(
                target=broker.publish, kwargs={"schema": "alpha", "user_id": 7, "payload": {"id": 1}}
            )
            thread.start()
            received = await subscription.get(timeout=2)
            thread.join()
            return received

    # then
    assert async_to_sync(scenario)() == {"id": 1}


def test_subscription_receives_nothing_of_another_schema_or_user() -> None:
    # given
    async def scenario() -> list[dict[str, Any] | None]:
        async with broker.subscribe(schema="beta", user_id=7) as subscription:
            # when
            broker.publish(schema="alpha", user_id=7, payload={"id": 1})
            broker.publish(schema="beta", user_id=8, payload={"id": 2})
            broker.publish(schema="beta", user_id=7, payload={"id": 3})
            return [await subscription.get(timeout=1), await subscription.get(timeout=0.05)]

    # then
    assert async_to_sync(scenario)() == [{"id": 3}, None]


def test_subscription_is_removed_when_its_task_is_cancelled() -> None:
    # given
    async def listen(ready: asyncio.Event) -> None:
        async with broker.subscribe(schema="alpha", user_id=9) as subscription:
            ready.set()
            await subscription.get(timeout=60)

    async def scenario() -> tuple[int, int]:
        ready = asyncio.Event()
        task = asyncio.create_task(listen(ready))
        await ready.wait()
        during = broker.local_subscriber_count("alpha", 9)
        # when
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return during, broker.local_subscriber_count("alpha", 9)

    # then
    assert async_to_sync(scenario)() == (1, 0)


def test_publish_to_a_subscriber_whose_loop_is_closed_drops_it() -> None:
    # given: a subscriber whose event loop has gone away without unsubscribing
    loop = asyncio.new_event_loop()
    stale = broker._LocalSubscription(loop)
    loop.close()
    broker._local_add(broker.channel_name("alpha", 11), stale)
    # when
    broker.publish(schema="alpha", user_id=11, payload={"id": 1})
    # then
    assert broker.local_subscriber_count("alpha", 11) == 0
