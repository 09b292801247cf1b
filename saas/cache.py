"""Redis for the whole process: one connection pool per URL, a circuit breaker, a cache backend.

Django's ``RedisCache`` builds its client, and with it a connection pool, per cache object, and
``django.core.cache.caches`` holds one cache object per thread and per async context. Under ASGI
every request runs in a new context, so every request built a new pool and opened a new TCP
connection to Redis. Here:

* ``shared_pool(url)``: one ``redis.BlockingConnectionPool`` per process and URL, at most
  ``REDIS_MAX_CONNECTIONS`` connections (a caller waits up to ``REDIS_TIMEOUT_SECONDS`` for a
  free one), connect and read timeouts of ``REDIS_TIMEOUT_SECONDS``, one immediate retry on a
  broken connection (a pooled connection closed by a Redis restart) and none on a timeout.
  ``redis_client(url)`` is a client on it; the cache backend below, the notification publisher
  (``tenant_apps/notifications/broker.py``) and the readiness check (``saas/health.py``) use it.
  Pub/sub subscriptions of the notification stream (``redis.asyncio``, one connection per open
  stream by nature) and Celery's broker connections (kombu's own pool) are the only other
  clients.
* ``breaker(url)``: after a connection failure or a timeout, every call through ``guard`` skips
  Redis for ``REDIS_RETRY_SECONDS`` (raising ``RedisUnavailable`` at once, no I/O); then one
  caller probes, and its success closes the breaker. A Redis outage costs one timeout per
  process per ``REDIS_RETRY_SECONDS`` instead of one per request, and it is logged once as a
  warning when the breaker opens (and once when Redis answers again), not once per request.
* ``RedisCache``: Django's backend on the shared pool, through the breaker, and **soft on
  reads**: ``get``, ``get_many`` and ``has_key`` answer a miss when Redis fails (and
  ``get_or_set`` returns the default without storing it), since a cache miss is always a legal
  answer and the caller recomputes. **Writes raise** (``set``, ``add``,
  ``incr``, ``delete``, ...): the callers whose writes matter are the brute-force throttles
  (``tenant_apps/accounts/throttles.py``, allauth's rate limits), and a throttle whose counter
  silently stops counting switches brute-force protection off for the length of the outage;
  those endpoints fail (503 ``service_unavailable``) instead, while everything that only reads, and tenant routing
  (``shared_apps/tenancy/hosts.py``, which falls back to the database), keeps working.

The pool and the breaker are per process: a forked child (gunicorn workers, Celery's prefork
pool) gets fresh connections from redis-py's own fork check.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.core.exceptions import ImproperlyConfigured
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Errors that mean "Redis is not there" (as opposed to a command Redis refused).
UNREACHABLE_ERRORS: tuple[type[redis.RedisError], ...] = (redis.ConnectionError, redis.TimeoutError)


_MISSING = object()


class RedisUnavailable(redis.ConnectionError):
    """Redis failed within the last ``REDIS_RETRY_SECONDS``: the call was skipped without I/O."""


def _safe_name(url: str) -> str:
    """``host:port/db`` of a Redis URL, without credentials (for logs)."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or 6379}{parts.path or '/0'}"


class CircuitBreaker:
    """Skips Redis for ``retry_after`` seconds after it failed; thread-safe.

    Closed: calls go through. Open (after a failure): ``guard`` raises ``RedisUnavailable``
    without I/O until ``retry_after`` has passed; then the first caller is let through as a probe
    (the others keep skipping while it runs) and closes the breaker if it succeeds.
    """

    def __init__(self, name: str, retry_after: float) -> None:
        self.name = name
        self.retry_after = retry_after
        self._lock = threading.Lock()
        self._open_until = 0.0  # time.monotonic(); 0: closed
        self._failed = False

    @property
    def is_open(self) -> bool:
        """Whether a call now would be skipped."""
        return self._failed and time.monotonic() < self._open_until

    def _admit(self) -> None:
        if not self._failed:
            return
        with self._lock:
            now = time.monotonic()
            if now < self._open_until:
                raise RedisUnavailable(f"Redis at {self.name} failed recently; retrying after {self.retry_after} s")
            self._open_until = now + self.retry_after  # this caller probes; the others keep skipping

    def record_failure(self, exc: BaseException) -> None:
        """Open the breaker (the warning is logged when it was closed)."""
        with self._lock:
            was_closed = not self._failed
            self._failed = True
            self._open_until = time.monotonic() + self.retry_after
        if was_closed:
            logger.warning(
                "Redis at %s is unreachable (%s: %s); skipping it for %s s at a time",
                self.name,
                exc.__class__.__name__,
                exc,
                self.retry_after,
            )

    def record_success(self) -> None:
        """Close the breaker."""
        if self._failed:
            with self._lock:
                was_open, self._failed, self._open_until = self._failed, False, 0.0
            if was_open:
                logger.info("Redis at %s answers again", self.name)

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Run the block against Redis: raises ``RedisUnavailable`` while open, records the outcome."""
        self._admit()
        try:
            yield
        except UNREACHABLE_ERRORS as exc:
            if not isinstance(exc, RedisUnavailable):
                self.record_failure(exc)
            raise
        except redis.RedisError:  # Redis answered, with an error: it is reachable
            self.record_success()
            raise
        self.record_success()

    def call(self, fn: Callable[[], T]) -> T:
        """``fn()`` inside ``guard``."""
        with self.guard():
            return fn()


_lock = threading.RLock()  # redis_client() calls shared_pool() while holding it
_pools: dict[str, redis.ConnectionPool] = {}
_clients: dict[str, redis.Redis] = {}
_breakers: dict[str, CircuitBreaker] = {}


def shared_pool(url: str) -> redis.ConnectionPool:
    """The process's connection pool for ``url`` (created on first use)."""
    pool = _pools.get(url)
    if pool is None:
        with _lock:
            pool = _pools.get(url)
            if pool is None:
                timeout = float(settings.REDIS_TIMEOUT_SECONDS)
                pool = redis.BlockingConnectionPool.from_url(
                    url,
                    max_connections=int(settings.REDIS_MAX_CONNECTIONS),
                    timeout=timeout,
                    socket_connect_timeout=timeout,
                    socket_timeout=timeout,
                    retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
                )
                _pools[url] = pool
    return pool


def redis_client(url: str) -> redis.Redis:
    """A client on ``shared_pool(url)`` (thread-safe; one per process and URL)."""
    client = _clients.get(url)
    if client is None:
        with _lock:
            client = _clients.get(url)
            if client is None:
                client = _clients[url] = redis.Redis(connection_pool=shared_pool(url))
    return client


def breaker(url: str) -> CircuitBreaker:
    """The process's circuit breaker for ``url``."""
    found = _breakers.get(url)
    if found is None:
        with _lock:
            found = _breakers.get(url)
            if found is None:
                found = _breakers[url] = CircuitBreaker(_safe_name(url), float(settings.REDIS_RETRY_SECONDS))
    return found


def reset() -> None:
    """Disconnect and forget every pool, client and breaker (tests, and after settings change)."""
    with _lock:
        for pool in _pools.values():
            pool.disconnect()
        _pools.clear()
        _clients.clear()
        _breakers.clear()


class SharedPoolCacheClient(RedisCacheClient):
    """Django's Redis cache client, on the process's shared pools instead of pools of its own."""

    def __init__(self, servers: list[str], serializer: Any = None, **options: Any) -> None:
        if options:
            raise ImproperlyConfigured(
                f"saas.cache.RedisCache takes no connection OPTIONS ({', '.join(sorted(options))}): "
                "the shared pool is configured by the REDIS_* settings"
            )
        super().__init__(servers, serializer=serializer)

    def _get_connection_pool(self, write: bool) -> redis.ConnectionPool:
        servers: list[str] = self._servers  # type: ignore[attr-defined]
        return shared_pool(servers[self._get_connection_pool_index(write)])  # type: ignore[attr-defined]


class RedisCache(DjangoRedisCache):
    """``django.core.cache.backends.redis.RedisCache`` on the shared pool, behind the breaker.

    Reads fail soft (a miss, ``has_key`` false); writes raise ``redis.RedisError``
    (``RedisUnavailable`` while the breaker is open). See the module docstring for why.
    """

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedPoolCacheClient
        self._breaker = breaker(self._servers[0])  # type: ignore[attr-defined]

    def _read(self, fn: Callable[[], T], default: T) -> T:
        try:
            return self._breaker.call(fn)
        except UNREACHABLE_ERRORS:  # the breaker logged it, once per outage
            return default
        except redis.RedisError as exc:
            logger.warning("cache read failed, answered as a miss: %s: %s", exc.__class__.__name__, exc)
            return default

    def _write(self, fn: Callable[[], T]) -> T:
        return self._breaker.call(fn)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        """The cached value, or ``default`` (also when Redis fails)."""
        return self._read(lambda: super(RedisCache, self).get(key, default, version), default)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        """The cached values found (none when Redis fails)."""
        return self._read(lambda: super(RedisCache, self).get_many(keys, version), {})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        """Whether ``key`` is cached (false when Redis fails)."""
        return self._read(lambda: super(RedisCache, self).has_key(key, version), False)

    def get_or_set(self, key: Any, default: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> Any:
        """The cached value, or ``default`` (called if callable) stored for next time; the store is
        best effort (a read with a cache fill, soft like the other reads)."""
        value = self.get(key, _MISSING, version)
        if value is not _MISSING:
            return value
        value = default() if callable(default) else default
        try:
            self.add(key, value, timeout, version)
        except redis.RedisError:
            return value
        return self.get(key, value, version)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        """Set ``key`` unless it exists; raises when Redis fails."""
        return self._write(lambda: super(RedisCache, self).add(key, value, timeout, version))

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        """Set ``key``; raises when Redis fails."""
        self._write(lambda: super(RedisCache, self).set(key, value, timeout, version))

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        """Reset ``key``'s expiry; raises when Redis fails."""
        return self._write(lambda: super(RedisCache, self).touch(key, timeout, version))

    def delete(self, key: Any, version: int | None = None) -> bool:
        """Delete ``key``; raises when Redis fails."""
        return self._write(lambda: super(RedisCache, self).delete(key, version))

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        """Add ``delta`` to ``key`` (``ValueError`` when missing); raises when Redis fails."""
        return self._write(lambda: super(RedisCache, self).incr(key, delta, version))

    def set_many(self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list[Any]:
        """Set every key of ``data``; raises when Redis fails."""
        return self._write(lambda: super(RedisCache, self).set_many(data, timeout, version))

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        """Delete ``keys``; raises when Redis fails."""
        self._write(lambda: super(RedisCache, self).delete_many(keys, version))

    def clear(self) -> None:
        """Flush the Redis database; raises when Redis fails."""
        self._write(lambda: super(RedisCache, self).clear())
