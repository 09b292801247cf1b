"""Live delivery of notifications to open SSE streams, across processes when Redis is configured.

One channel per recipient: ``<prefix>:<schema>:<user id>``. User ids repeat across tenant
schemas, so the schema is part of every channel name and a stream of ``beta``'s user 1 can
never receive ``alpha``'s user 1's events.

* ``REDIS_URL`` set: ``publish`` sends the JSON payload with Redis ``PUBLISH`` (the process's
  shared client and circuit breaker, ``saas.cache``; usable from request threads and Celery
  workers); each open stream holds one ``redis.asyncio`` pub/sub connection subscribed to its
  channel. Every process and pod sees every event.
* ``REDIS_URL`` unset (development, tests, single process): an in-process registry of asyncio
  queues. ``publish`` may run in any thread: it hands the payload to each subscriber's event
  loop with ``loop.call_soon_threadsafe``.

Delivery is best effort: a publish that fails is logged, never raised (the notification is
already committed; clients catch up with ``Last-Event-ID`` or the list endpoint).

``NOTIFICATIONS_CHANNEL_PREFIX`` (optional setting, default ``notifications``) separates
deployments that share one Redis server: pub/sub channels are global to a Redis server, not
per database number.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from saas.cache import RedisUnavailable, breaker, redis_client

logger = logging.getLogger(__name__)

#: Events a slow in-process subscriber may have waiting before newer ones are dropped.
LOCAL_QUEUE_SIZE = 1000
#: Seconds allowed for subscribing to a Redis channel.
REDIS_SUBSCRIBE_TIMEOUT = 5.0
#: Seconds allowed for closing a Redis subscription (a stream must end even when Redis is gone).
REDIS_CLOSE_TIMEOUT = 2.0


class BrokerError(Exception):
    """The live channel failed (Redis unreachable or gone); the stream should end."""


class Subscription(Protocol):
    """An open subscription to one recipient's channel."""

    async def get(self, timeout: float) -> dict[str, Any] | None:
        """The next payload, or ``None`` when none arrives within ``timeout`` seconds."""
        ...


def channel_name(schema: str, user_id: int) -> str:
    """The channel of ``user_id``'s notifications in ``schema``."""
    prefix = getattr(settings, "NOTIFICATIONS_CHANNEL_PREFIX", "notifications")
    return f"{prefix}:{schema}:{int(user_id)}"


def publish(*, schema: str, user_id: int, payload: dict[str, Any]) -> None:
    """Send ``payload`` to every open stream of ``user_id`` in ``schema``, in any process.

    Never raises: failures are logged.
    """
    channel = channel_name(schema, user_id)
    if settings.REDIS_URL:
        data = json.dumps(payload, cls=DjangoJSONEncoder)
        try:
            breaker(settings.REDIS_URL).call(lambda: redis_client(settings.REDIS_URL).publish(channel, data))
        except RedisUnavailable:  # Redis failed moments ago; the breaker logged it once
            logger.debug("Redis unavailable; notification to %s not published live", channel)
        except Exception:  # best effort, see the module docstring
            logger.exception("could not publish a notification to Redis channel %s", channel)
        return
    _local_publish(channel, payload)


def available() -> bool:
    """Whether a stream can subscribe now: ``True`` without Redis (in-process fan-out), else
    whether Redis answers a ``PING`` (through the process's circuit breaker, ``saas.cache``: during
    a known outage this answers ``False`` without any I/O). Sync: call it from a thread."""
    if not settings.REDIS_URL:
        return True
    from saas.health import check_redis

    try:
        check_redis()
    except Exception:  # any failure means "not now"; the breaker logs the outage once
        return False
    return True


@asynccontextmanager
async def subscribe(*, schema: str, user_id: int) -> AsyncIterator[Subscription]:
    """``async with subscribe(...) as subscription``: receive ``user_id``'s payloads in ``schema``.

    The subscription is active when the block is entered and removed when it exits, also on
    cancellation (client disconnect). Raises ``BrokerError`` when Redis cannot be reached.
    """
    channel = channel_name(schema, user_id)
    if settings.REDIS_URL:
        async with _redis_subscription(settings.REDIS_URL, channel) as subscription:
            yield subscription
    else:
        local = _LocalSubscription(asyncio.get_running_loop())
        _local_add(channel, local)
        try:
            yield local
        finally:
            _local_remove(channel, local)


# --------------------------------------------------------------------------------------------
# In-process fan-out
# --------------------------------------------------------------------------------------------
_lock = threading.Lock()
_local_subscribers: dict[str, set[_LocalSubscription]] = {}


class _LocalSubscription:
    """A bounded asyncio queue owned by one event loop, fed from any thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=LOCAL_QUEUE_SIZE)

    def deliver(self, payload: dict[str, Any]) -> None:
        """Thread-safe: schedule ``payload`` on the owning loop. Raises ``RuntimeError`` if it is closed."""
        self.loop.call_soon_threadsafe(self._put, payload)

    def _put(self, payload: dict[str, Any]) -> None:
        try:
            self.queue.put_nowait(payload)
        except asyncio.QueueFull:
            logger.warning("notification stream is not reading; dropped notification %s", payload.get("id"))

    async def get(self, timeout: float) -> dict[str, Any] | None:
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None


def _local_add(channel: str, subscription: _LocalSubscription) -> None:
    with _lock:
        _local_subscribers.setdefault(channel, set()).add(subscription)


def _local_remove(channel: str, subscription: _LocalSubscription) -> None:
    with _lock:
        subscribers = _local_subscribers.get(channel)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del _local_subscribers[channel]


def _local_publish(channel: str, payload: dict[str, Any]) -> None:
    with _lock:
        targets = list(_local_subscribers.get(channel, ()))
    for subscription in targets:
        try:
            subscription.deliver(payload)
        except RuntimeError:  # its event loop is closed: the stream is gone
            _local_remove(channel, subscription)


def local_subscriber_count(schema: str, user_id: int) -> int:
    """How many in-process streams listen to ``user_id`` in ``schema`` (diagnostics and tests)."""
    with _lock:
        return len(_local_subscribers.get(channel_name(schema, user_id), ()))


# --------------------------------------------------------------------------------------------
# Redis pub/sub
# --------------------------------------------------------------------------------------------
class _RedisSubscription:
    def __init__(self, pubsub: Any) -> None:
        self.pubsub = pubsub

    async def get(self, timeout: float) -> dict[str, Any] | None:
        import redis

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (remaining := deadline - loop.time()) > 0:
            try:
                message = await self.pubsub.get_message(timeout=remaining)
            except (redis.RedisError, OSError) as exc:
                raise BrokerError(f"Redis subscription failed: {exc}") from exc
            if message is not None and message.get("type") == "message":
                try:
                    payload: dict[str, Any] = json.loads(message["data"])
                except ValueError:
                    logger.warning("ignored a malformed payload on %s", message.get("channel"))
                    continue
                return payload
        return None


@asynccontextmanager
async def _redis_subscription(url: str, channel: str) -> AsyncIterator[_RedisSubscription]:
    import redis
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(url, socket_connect_timeout=2)
    pubsub = client.pubsub()
    try:
        try:
            async with asyncio.timeout(REDIS_SUBSCRIBE_TIMEOUT):
                await pubsub.subscribe(channel)
                # Wait for the server's confirmation: from then on no PUBLISH is missed (the
                # stream replays from the database right after, relying on this).
                while (confirmation := await pubsub.get_message(timeout=REDIS_SUBSCRIBE_TIMEOUT)) is None or (
                    confirmation.get("type") != "subscribe"
                ):
                    pass
        except (TimeoutError, redis.RedisError, OSError) as exc:
            raise BrokerError(f"cannot subscribe to {channel}: {exc!r}") from exc
        yield _RedisSubscription(pubsub)
    finally:
        try:
            async with asyncio.timeout(REDIS_CLOSE_TIMEOUT):
                await pubsub.aclose()
                await client.aclose()
        except (TimeoutError, redis.RedisError, OSError) as exc:
            logger.warning("could not close the Redis subscription to %s cleanly: %s", channel, exc)
