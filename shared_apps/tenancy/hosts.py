"""Host name -> tenant and tenant -> primary host, answered from process memory.

A steady-state request resolves its tenant with no query and no network round trip: each
process keeps the lookups it made in a ``HostRouter`` (a dict; entries expire after
``TENANT_CACHE_TTL`` seconds, unknown hosts after ``_MISSING_TTL``, and the oldest go first
beyond ``MAX_ENTRIES``). On a miss it reads the ``Domain`` table (one query).

**Invalidation across processes: a change log in the ``platform`` cache, polled.** When a tenant
or one of its domains changes (``signals.py`` calls ``forget_hosts``, once at once and once more
after commit), the writer drops the entries from its own process, increments the version
``tenancy:version`` and stores the keys it dropped under ``tenancy:changes:<version>`` (kept
``_CHANGES_TTL`` seconds). Every process reads the version at most once per
``TENANT_CACHE_CHECK_SECONDS`` (default 1 s), from whichever lookup comes first after the
interval: one ``GET`` per second per process, not per request. When the version moved it reads
the change entries it missed and drops exactly those keys; when any is gone (expired, or the
version is unknown or far ahead) it drops everything. So a change reaches every process within
the interval, plus one Redis round trip.

Why polling and not Redis pub/sub: pub/sub needs a listener thread per process (gunicorn and
Celery workers, management commands) that reconnects and, since messages published while it
was disconnected are lost, must drop everything on every reconnect, and a silently dead
subscription would leave a process stale forever. A version read is stateless, self-healing,
bounded (worst case: the interval), costs one round trip per second per process, and works the
same on the local-memory cache of development and tests (where it is exact within the
process). Pub/sub's advantage, sub-millisecond propagation, is not needed here.

**Threads.** The maps are guarded by a lock; a lookup that started before an invalidation does
not store its (possibly stale) answer after it (a generation counter), and callers get a copy
of the cached ``Tenant``, never the shared instance.

**Redis unreachable.** Reads of the ``platform`` cache fail soft (``saas.cache.RedisCache``) and
its circuit breaker skips Redis for ``REDIS_RETRY_SECONDS`` after a failure, so a failed check
costs no request a timeout. A check that cannot read the version drops every entry, as a change
would: while Redis is down each process answers from the database, each entry living at most
one interval, so no change can go unseen for longer than that although nobody can publish it.
One warning is logged when routing falls back and one line when it recovers. A writer that
cannot publish its change logs a warning and carries on: a tenant change must not fail because
Redis is down, and every other process is in the fallback then anyway (the one case left, a
publication lost while readers still reach Redis, is bounded by ``TENANT_CACHE_TTL``).

Clearing the ``platform`` cache removes the version, which makes every process drop everything
at its next check (tests rely on this: the test profile checks on every lookup).

A change to a tenant also drops the content-type cache of its schema in every process
(``schema:<name>`` entries; ``saas.db.contenttypes``), since a dropped tenant's slug can be
provisioned again, even as another kind.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

from saas.db import contenttypes
from saas.db.tenant import use_public_schema
from shared_apps.tenancy.models import PUBLIC_KIND, Domain, Tenant, TenantStatus

logger = logging.getLogger(__name__)

T = TypeVar("T")

_MISSING = "__no_tenant__"
#: Seconds an unknown host stays cached (a Domain created for it is announced like any change).
_MISSING_TTL = 30
#: Seconds a change entry stays in the ``platform`` cache for processes that have not seen it.
_CHANGES_TTL = 120
#: A process further behind than this many changes drops everything instead of reading them.
_MAX_CHANGES_READ = 100
#: Entries one process keeps at most (unknown hosts included; a scanner cannot grow it further).
MAX_ENTRIES = 50_000

VERSION_KEY = "tenancy:version"


def _change_key(version: int) -> str:
    return f"tenancy:changes:{version}"


def _host_key(host: str) -> str:
    return f"host:{host}"


def _primary_key(schema_name: str) -> str:
    return f"primary:{schema_name}"


def _schema_key(schema_name: str) -> str:
    return f"schema:{schema_name}"


def _initial_version() -> int:
    # The version starts from the clock (in microseconds), so a version lost from the cache
    # (evicted, flushed) starts again above any value a process may have seen, not at a number it
    # already knows (which would hide the changes made since).
    return int(time.time() * 1_000_000)


class HostRouter:
    """One process's lookups, kept in step with every other process through the ``platform`` cache.

    ``cache_alias`` names the shared cache (Redis in production); tests build two routers on one
    cache to play two processes.
    """

    def __init__(self, cache_alias: str = "platform") -> None:
        self.cache_alias = cache_alias
        self._lock = threading.Lock()
        self._check_lock = threading.Lock()
        self._entries: dict[str, tuple[Any, float]] = {}
        self._generation = 0
        self._seen: int | None = None  # the version whose changes this process has applied
        self._next_check = 0.0  # time.monotonic()
        self._fallback = False  # the last check could not read the version

    # -- lookups ---------------------------------------------------------------------------
    def lookup(self, key: str, load: Callable[[], tuple[T, float]]) -> T:
        """The cached value of ``key``, or ``load()``'s ``(value, ttl)`` value, cached ``ttl`` seconds."""
        self.check_for_changes()
        entry = self._entries.get(key)
        now = time.monotonic()
        if entry is not None and entry[1] > now:
            value: T = entry[0]
            return value
        generation = self._generation
        value, ttl = load()
        with self._lock:
            if self._generation == generation:  # no invalidation since the load began
                if key not in self._entries and len(self._entries) >= MAX_ENTRIES:
                    del self._entries[next(iter(self._entries))]
                self._entries[key] = (value, now + ttl)
        return value

    def drop(self, keys: Iterable[str] | None) -> None:
        """Forget ``keys`` (``None``: everything) in this process."""
        keys = None if keys is None else list(keys)
        with self._lock:
            self._generation += 1
            if keys is None:
                self._entries.clear()
                return
            for key in keys:
                self._entries.pop(key, None)
        for key in keys:
            if key.startswith("schema:"):
                contenttypes.forget_schema(key.removeprefix("schema:"))

    def size(self) -> int:
        """How many lookups this process holds."""
        return len(self._entries)

    # -- keeping in step -------------------------------------------------------------------
    def check_for_changes(self, *, force: bool = False) -> None:
        """Apply the changes other processes announced, at most once per ``TENANT_CACHE_CHECK_SECONDS``.

        Only one thread checks at a time; the others go on with what is cached.
        """
        if not force and time.monotonic() < self._next_check:
            return
        if not self._check_lock.acquire(blocking=False):
            return
        try:
            if force or time.monotonic() >= self._next_check:
                self._apply_changes()
                self._next_check = time.monotonic() + float(settings.TENANT_CACHE_CHECK_SECONDS)
        finally:
            self._check_lock.release()

    def _read_version(self) -> int:
        cache = caches[self.cache_alias]
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, _initial_version(), timeout=None)  # raises when Redis is down
            version = cache.get(VERSION_KEY)
            if version is None:
                raise LookupError(f"{VERSION_KEY} cannot be read back")
        return int(version)

    def _apply_changes(self) -> None:
        try:
            version = self._read_version()
        except Exception as exc:  # Redis down or failing: route from the database, see the docstring
            if not self._fallback:
                logger.warning(
                    "tenant routing cannot read its version from the %r cache (%s: %s); "
                    "answering from the database until it can",
                    self.cache_alias,
                    exc.__class__.__name__,
                    exc,
                )
            self._fallback = True
            self._seen = None
            self.drop(None)
            return
        if self._fallback:
            logger.info("tenant routing reads its version again; cached lookups resume")
            self._fallback = False
        seen = self._seen
        if version == seen:
            return
        changed: set[str] | None = None
        if seen is not None and 0 < version - seen <= _MAX_CHANGES_READ:
            names = [_change_key(v) for v in range(seen + 1, version + 1)]
            found = caches[self.cache_alias].get_many(names)
            if len(found) == len(names):
                changed = set().union(*found.values())
        self.drop(changed)
        self._seen = version

    def announce(self, keys: list[str]) -> None:
        """Tell every process (this one included, at once) that ``keys`` changed.

        Never raises: a failure is logged (see the module docstring).
        """
        self.drop(keys)
        cache = caches[self.cache_alias]
        try:
            cache.add(VERSION_KEY, _initial_version(), timeout=None)
            try:
                version = cache.incr(VERSION_KEY)
            except ValueError:  # evicted between the two calls
                cache.add(VERSION_KEY, _initial_version(), timeout=None)
                version = cache.incr(VERSION_KEY)
            cache.set(_change_key(version), keys, _CHANGES_TTL)
        except Exception as exc:
            logger.warning(
                "could not announce a tenant change to other processes (%s: %s); they see it "
                "within TENANT_CACHE_TTL at the latest",
                exc.__class__.__name__,
                exc,
            )


#: This process's router.
router = HostRouter()


def tenant_host(slug: str) -> str:
    """The platform host name of a tenant: ``<slug>.<PLATFORM_DOMAIN>``."""
    return f"{slug}.{settings.PLATFORM_DOMAIN}"


def platform_tenant() -> Tenant:
    """The platform itself (public schema) as an unsaved ``Tenant``; it needs no database row."""
    return Tenant(
        schema_name=settings.PUBLIC_SCHEMA_NAME,
        name="Platform",
        kind=PUBLIC_KIND,
        status=TenantStatus.ACTIVE,
        owner_email=settings.DEFAULT_FROM_EMAIL,
    )


def _load_tenant(host: str) -> tuple[Tenant | str, float]:
    use_public_schema()
    domain = Domain.objects.select_related("tenant").filter(domain=host).first()
    if domain is None:
        return _MISSING, _MISSING_TTL
    return domain.tenant, float(settings.TENANT_CACHE_TTL)


def tenant_for_host(host: str, *, using: HostRouter | None = None) -> Tenant | None:
    """The tenant serving ``host`` (lower-case, no port), or ``None``; a copy the caller may change.

    ``PLATFORM_DOMAIN`` resolves to ``platform_tenant()``. Runs one query on a miss (and leaves
    the connection on the public schema then), none and no network round trip on a hit.
    """
    if host == settings.PLATFORM_DOMAIN:
        return platform_tenant()
    found = (router if using is None else using).lookup(_host_key(host), lambda: _load_tenant(host))
    if isinstance(found, str):
        return None
    return copy.copy(found)


def primary_host(schema_name: str, *, using: HostRouter | None = None) -> str:
    """The host name links to the tenant ``schema_name`` use: its primary ``Domain``.

    ``PLATFORM_DOMAIN`` for the public schema; ``<slug>.<PLATFORM_DOMAIN>`` for a tenant without
    a primary domain (none exists yet). Cached like the host lookups: one query on a miss, none
    on a hit. The query reads the public table through the ``search_path``, so it leaves the
    connection on whatever schema it serves.
    """
    if schema_name == settings.PUBLIC_SCHEMA_NAME:
        return str(settings.PLATFORM_DOMAIN)

    def load() -> tuple[str, float]:
        host = (
            Domain.objects.filter(tenant__schema_name=schema_name, is_primary=True)
            .values_list("domain", flat=True)
            .first()
        )
        return host or tenant_host(schema_name), float(settings.TENANT_CACHE_TTL)

    return str((router if using is None else using).lookup(_primary_key(schema_name), load))


def forget_hosts(hosts: Iterable[str], *, schema_names: Iterable[str] = (), tenant_changed: bool = False) -> None:
    """Drop the lookups of ``hosts`` (host -> tenant) and ``schema_names`` (tenant -> primary
    host; with ``tenant_changed``, also their content types) in every process, now and once
    more when the current transaction commits."""
    schemas = list(schema_names)
    keys = [_host_key(h) for h in hosts] + [_primary_key(s) for s in schemas]
    if tenant_changed:
        keys += [_schema_key(s) for s in schemas]
    if not keys:
        return
    router.announce(keys)
    transaction.on_commit(lambda: router.announce(keys))
