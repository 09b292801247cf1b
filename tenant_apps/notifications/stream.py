"""The Server-Sent Events stream of one user's notifications (served under ASGI).

Wire format (https://html.spec.whatwg.org/multipage/server-sent-events.html)::

    retry: 5000                     once, first: reconnect delay for EventSource
    : connected                     the subscription is live from here on

    id: 42                          one block per notification: its id,
    event: notification             the event name,
    data: {"id": 42, "verb": ...}   the list serializer's JSON, on one line

    : keep-alive                    every NOTIFICATIONS_KEEPALIVE_SECONDS without an event

    event: token_expired            when the access token expires; the stream then ends and
    data: {}                        the client reconnects with a fresh token

    retry: 500                      when the server is shutting down (SIGTERM, ``saas.shutdown``):
    event: reconnect                the stream ends at once and EventSource reconnects, to another
    data: {}                        pod, with Last-Event-ID, missing nothing

On (re)connect with ``Last-Event-ID`` (EventSource sends it by itself) the stream first replays
the recipient's unread notifications newer than that id, then goes live. It subscribes
before it replays, so nothing created in between is missed, and skips live events it has
just replayed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

from saas.db.tenant import in_tenant
from saas.shutdown import drain_signal
from tenant_apps.notifications import broker
from tenant_apps.notifications.selectors import notifications_unread_after
from tenant_apps.notifications.serializers import notification_payload

logger = logging.getLogger(__name__)

#: Milliseconds EventSource waits before reconnecting after the stream ends or breaks.
RECONNECT_MS = 5000
#: ... after a pod that is shutting down ended the stream (another pod answers at once).
DRAIN_RECONNECT_MS = 500


def sse_event(*, data: dict[str, Any], event: str, event_id: int | None = None) -> bytes:
    """One SSE event block."""
    lines = [f"id: {event_id}"] if event_id is not None else []
    lines += [f"event: {event}", f"data: {json.dumps(data, cls=DjangoJSONEncoder, separators=(',', ':'))}"]
    return ("\n".join(lines) + "\n\n").encode()


def sse_comment(text: str) -> bytes:
    """A comment block: ignored by clients, keeps proxies from closing an idle connection."""
    return f": {text}\n\n".encode()


def _replay(tenant: Any, user_id: int, after_id: int) -> list[dict[str, Any]]:
    with in_tenant(tenant):
        return [notification_payload(n) for n in notifications_unread_after(user_id=user_id, after_id=after_id)]


def _release_database_connection() -> None:
    """Close this request's database connection: the stream may stay open for a long time and
    needs no database after its replay. Left alone inside a transaction (tests)."""
    if not connection.in_atomic_block:
        connection.close()


#: What ``_next`` answers when the process started draining before an event came.
_DRAINED: Any = object()


async def _next(subscription: Any, *, timeout: float, drain: asyncio.Event) -> Any:
    """The next payload (``None`` after ``timeout`` seconds without one), or ``_DRAINED`` as soon as
    the process is asked to stop (``saas.shutdown``)."""
    if drain.is_set():
        return _DRAINED
    getter = asyncio.ensure_future(subscription.get(timeout=timeout))
    stopper = asyncio.ensure_future(drain.wait())
    try:
        done, _ = await asyncio.wait({getter, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
    if getter in done:
        return getter.result()
    getter.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await getter
    return _DRAINED


async def notification_events(
    *, tenant: Any, user_id: int, last_event_id: int | None, expires_at: float
) -> AsyncIterator[bytes]:
    """The byte chunks of ``user_id``'s stream in ``tenant`` until ``expires_at`` (a UNIX time).

    Ends on client disconnect (the task is cancelled; the subscription is removed on the way
    out), when the token expires, when the process is asked to stop (a ``reconnect`` event), or
    when the broker fails.
    """
    keepalive = float(settings.NOTIFICATIONS_KEEPALIVE_SECONDS)
    try:
        # listen for SIGTERM before the client is told it is connected
        async with (
            drain_signal() as drain,
            broker.subscribe(schema=tenant.schema_name, user_id=user_id) as subscription,
        ):
            yield f"retry: {RECONNECT_MS}\n".encode() + sse_comment("connected")
            replayed: set[int] = set()
            if last_event_id is not None:
                for missed in await sync_to_async(_replay)(tenant, user_id, last_event_id):
                    replayed.add(missed["id"])
                    yield sse_event(data=missed, event="notification", event_id=missed["id"])
            await sync_to_async(_release_database_connection)()
            while (remaining := expires_at - time.time()) > 0:
                payload = await _next(subscription, timeout=min(keepalive, remaining), drain=drain)
                if payload is _DRAINED:
                    yield f"retry: {DRAIN_RECONNECT_MS}\n".encode() + sse_event(data={}, event="reconnect")
                    return
                if payload is None:
                    yield sse_comment("keep-alive")
                elif payload.get("id") not in replayed:
                    yield sse_event(data=payload, event="notification", event_id=payload.get("id"))
            yield sse_event(data={}, event="token_expired")
    except broker.BrokerError as exc:
        logger.warning("notification stream of user %s in %s ended: %s", user_id, tenant.schema_name, exc)
