"""Usage and health per tenant (issue 17, point 1): counted cheaply while requests are served,
collected into one snapshot row per tenant by a periodic task, read by staff without SQL.

**Counting** (``UsageMiddleware``, right after ``TenantMiddleware``): every request served on a
tenant's host (not the platform host; ``/healthz`` and ``/readyz`` are answered before any
middleware, static files by WhiteNoise before routing) adds one to its tenant's current hour, and
one to its errors when the answer is a 5xx (an exception turned into a 500 by Django included:
each middleware's ``get_response`` converts it before this one sees the answer). With Redis the
counts are added up in the process's memory and sent by the first request after
``USAGE_FLUSH_SECONDS`` (default 10 s; and when the process exits) in one pipelined round trip,
through the process's shared client and circuit breaker (``saas.cache``): a busy process costs
Redis one round trip per interval, not one per request, and routing's steady state (no Redis
command per request, ``shared_apps/tenancy/hosts.py``) holds between sends. A process killed
hard loses at most one interval of its counts. Keys:

* ``_usage:req:<tenant id>:<YYYYmmddHH>`` (UTC hour), a hash ``{requests, errors}``
  (``HINCRBY``), kept ``HOUR_KEY_TTL`` (26 h);
* ``_usage:users:<tenant id>:<YYYYmmdd>`` (UTC day), a HyperLogLog of the ids of the users who
  made an authenticated request that day (``PFADD``), kept ``DAY_KEY_TTL`` (31 days); "active in
  30 days" is ``PFCOUNT`` over the 30 day keys (their union; about 1% off, Redis' HLL error).

Keys carry the tenant's id, not its slug, and start with ``USAGE_KEY_PREFIX`` (``_usage``; no
slug starts with ``_``, so no cache key of a schema's, which the purge deletes by prefix, can
collide with them; tests give each run a prefix of its own, as parallel runs share one Redis).
The counters' Redis is ``USAGE_REDIS_URL`` (``REDIS_URL``, read once with the settings). A Redis
failure never fails a request: it is swallowed (the breaker logs the outage once, and skips Redis
for ``REDIS_RETRY_SECONDS``), and that traffic is not counted.

The user is read after the response: JWT authentication happens in the DRF view, whose
``Request.user`` setter also sets the ``HttpRequest``'s ``user``; a session user the view never
looked at (Django's lazy ``AuthenticationMiddleware`` user) is not evaluated, so counting costs no
query.

**Without Redis** (``USAGE_REDIS_URL`` empty: the embedded setup of ``make run``), the middleware adds to
the hour's ``TenantRequestHour`` row directly (one ``INSERT ... ON CONFLICT`` per request), and
"active in 30 days" is read at collection as the users whose last sign-in is within 30 days.

**Collecting** (``usage_collect``; beat's ``superadmin-usage-collect`` every
``USAGE_COLLECT_SECONDS``, in the public schema, or ``manage.py collect_tenant_usage``): the
counters of every tenant and hour in one pipeline, copied into ``TenantRequestHour`` (so 24-hour
sums survive a Redis restart; at most one collection interval of traffic is lost with Redis'
memory); the size of every tenant schema in one catalog query (``pg_total_relation_size`` of its
tables, summed per ``pg_namespace``); then, in each tenant's schema, users, files' bytes and last
activity (``tenancy.selectors.tenant_usage``, three queries) and the open tickets (one); and one
``TenantHealth`` row per tenant, written in one statement. Lists, the console and the Prometheus
metrics read the snapshot only.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, empty

from saas.cache import breaker, redis_client
from saas.db.tenant import in_tenant
from shared_apps.superadmin.models import TenantHealth, TenantRequestHour
from shared_apps.tenancy.models import PUBLIC_KIND, Tenant, TenantStatus

logger = logging.getLogger(__name__)

#: Seconds an hour's counters stay in Redis: the 24 hours summed, and two for late collections.
HOUR_KEY_TTL = 26 * 3600
#: Seconds a day's active-user HyperLogLog stays in Redis: the 30 days counted, and one more.
DAY_KEY_TTL = 31 * 86400
#: Hours summed into ``requests_24h`` / ``errors_24h``: the current one and the 23 before it.
HOURS = 24
#: Days counted in ``active_users_30d``.
ACTIVE_DAYS = 30


# ---------------------------------------------------------------------------------------------
# Keys and clock
# ---------------------------------------------------------------------------------------------


def hour_of(moment: datetime) -> datetime:
    """The start of ``moment``'s clock hour, aware UTC."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def last_hours(now: datetime | None = None) -> list[datetime]:
    """The ``HOURS`` hour starts ending with the current one, oldest first (aware UTC)."""
    current = hour_of(now or timezone.now())
    return [current - timedelta(hours=back) for back in range(HOURS - 1, -1, -1)]


def hour_key(tenant_id: int, hour: datetime) -> str:
    """The Redis hash of ``tenant_id``'s requests and errors in ``hour``."""
    return f"{settings.USAGE_KEY_PREFIX}:req:{tenant_id}:{hour:%Y%m%d%H}"


def day_key(tenant_id: int, day: datetime) -> str:
    """The Redis HyperLogLog of ``tenant_id``'s active users on ``day`` (its UTC date)."""
    return f"{settings.USAGE_KEY_PREFIX}:users:{tenant_id}:{day.astimezone(UTC):%Y%m%d}"


def _redis_url() -> str:
    return str(settings.USAGE_REDIS_URL or "")


# ---------------------------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------------------------


class _Buffer:
    """This process's counts not yet sent to Redis: ``{(tenant id, hour): [requests, errors]}``
    and ``{(tenant id, day): {user ids}}``, and when they are next due (``time.monotonic()``)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.hours: dict[tuple[int, datetime], list[int]] = defaultdict(lambda: [0, 0])
        self.users: dict[tuple[int, datetime], set[str]] = defaultdict(set)
        self.due_at = 0.0  # 0: not started; the first count sets it USAGE_FLUSH_SECONDS away

    def take(self) -> tuple[dict[tuple[int, datetime], list[int]], dict[tuple[int, datetime], set[str]]]:
        """Empty the buffer (the caller holds ``lock``), returning what it held."""
        hours, users = self.hours, self.users
        self.hours, self.users = defaultdict(lambda: [0, 0]), defaultdict(set)
        return hours, users


_buffer = _Buffer()


def usage_record(*, tenant_id: int, error: bool, user_id: int | None = None, now: datetime | None = None) -> None:
    """Count one request of tenant ``tenant_id`` (``error``: answered with a 5xx) made by
    ``user_id`` (``None``: anonymous).

    With Redis the count is added to this process's buffer, which the first request after
    ``USAGE_FLUSH_SECONDS`` sends in one pipelined round trip (``usage_send``; also at exit):
    a busy process costs Redis one round trip per interval, not one per request. Without Redis,
    one upsert of the hour's ``TenantRequestHour``. Never raises: a Redis or database failure is
    logged (Redis' once per outage, by the breaker) and those requests go uncounted."""
    moment = now or timezone.now()
    if not _redis_url():
        _record_in_database(tenant_id=tenant_id, hour=hour_of(moment), error=error)
        return
    with _buffer.lock:
        counts = _buffer.hours[(tenant_id, hour_of(moment))]
        counts[0] += 1
        counts[1] += int(error)
        if user_id is not None:
            day = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
            _buffer.users[(tenant_id, day)].add(str(user_id))
        now_monotonic = time.monotonic()
        if not _buffer.due_at:
            _buffer.due_at = now_monotonic + float(settings.USAGE_FLUSH_SECONDS)
        if now_monotonic < _buffer.due_at:
            return
    usage_send()


def usage_send() -> None:
    """Send this process's buffered counts to Redis now, in one pipelined round trip (``HINCRBY``
    of each hour's requests and errors, ``PFADD`` of each day's users, their ``EXPIRE``), and set
    the next send ``USAGE_FLUSH_SECONDS`` away. Never raises: on a Redis failure the counts are
    dropped (logged at debug; the breaker warns once per outage)."""
    with _buffer.lock:
        hours, users = _buffer.take()
        _buffer.due_at = time.monotonic() + float(settings.USAGE_FLUSH_SECONDS)
    url = _redis_url()
    if not url or not (hours or users):
        return
    try:
        with breaker(url).guard():
            pipe = redis_client(url).pipeline(transaction=False)
            for (tenant_id, hour), (requests, errors) in hours.items():
                key = hour_key(tenant_id, hour)
                pipe.hincrby(key, "requests", requests)
                if errors:
                    pipe.hincrby(key, "errors", errors)
                pipe.expire(key, HOUR_KEY_TTL)
            for (tenant_id, day), ids in users.items():
                key = day_key(tenant_id, day)
                pipe.pfadd(key, *sorted(ids))
                pipe.expire(key, DAY_KEY_TTL)
            pipe.execute()
    except redis.RedisError as exc:
        logger.debug("usage of %s tenant-hour(s) not counted: %s: %s", len(hours), exc.__class__.__name__, exc)


atexit.register(usage_send)  # what a process counted since its last send, when it stops cleanly


_UPSERT_HOUR = (
    f"INSERT INTO {TenantRequestHour._meta.db_table} (tenant_id, hour, requests, errors) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (tenant_id, hour) DO UPDATE SET requests = {t}.requests + EXCLUDED.requests, "
    "errors = {t}.errors + EXCLUDED.errors"
).replace("{t}", TenantRequestHour._meta.db_table)


def _record_in_database(*, tenant_id: int, hour: datetime, error: bool) -> None:
    try:
        with transaction.atomic(), connection.cursor() as cursor:  # a savepoint inside a transaction
            cursor.execute(_UPSERT_HOUR, [tenant_id, hour, 1, int(error)])
    except DatabaseError as exc:
        logger.warning("usage of tenant %s not counted: %s", tenant_id, exc)


def _user_id(request: HttpRequest) -> int | None:
    """The id of the request's user if authentication already ran, without running it."""
    user = request.__dict__.get("user")
    if user is None:
        return None
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:  # type: ignore[attr-defined]
        return None  # nobody asked: finding out would cost a session query
    if not getattr(user, "is_authenticated", False):
        return None
    return int(user.pk) if user.pk is not None else None


class UsageMiddleware:
    """Counts each request served on a tenant's host (``usage_record``); placed right after
    ``TenantMiddleware``, so a request refused before routing (unknown host, suspended or archived
    site) is not counted, and the platform host is skipped."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        tenant = getattr(request, "tenant", None)
        if tenant is not None and tenant.kind != PUBLIC_KIND and tenant.pk is not None:
            usage_record(tenant_id=tenant.pk, error=response.status_code >= 500, user_id=_user_id(request))
        return response


# ---------------------------------------------------------------------------------------------
# Reading the counters
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HourCount:
    """Requests and 5xx answers of one tenant in one hour (``hour``: its start, aware UTC)."""

    hour: datetime
    requests: int
    errors: int


def _redis_hours(tenant_ids: list[int], hours: list[datetime]) -> dict[tuple[int, datetime], tuple[int, int]]:
    """``{(tenant id, hour): (requests, errors)}`` from Redis (hours with traffic only), one
    pipelined round trip; empty without Redis or when it fails."""
    url = _redis_url()
    if not url or not tenant_ids:
        return {}
    wanted = [(tenant_id, hour) for tenant_id in tenant_ids for hour in hours]
    try:
        with breaker(url).guard():
            pipe = redis_client(url).pipeline(transaction=False)
            for tenant_id, hour in wanted:
                pipe.hmget(hour_key(tenant_id, hour), "requests", "errors")
            answers = pipe.execute()
    except redis.RedisError as exc:
        logger.warning("usage counters not read from Redis: %s: %s", exc.__class__.__name__, exc)
        return {}
    found = {}
    for (tenant_id, hour), (requests, errors) in zip(wanted, answers, strict=True):
        if requests is not None or errors is not None:
            found[(tenant_id, hour)] = (int(requests or 0), int(errors or 0))
    return found


def _active_users_redis(tenant_ids: list[int], now: datetime) -> dict[int, int] | None:
    """``{tenant id: distinct users active in the last ACTIVE_DAYS days}`` (one pipeline), or
    ``None`` without Redis or when it fails (the caller falls back to last sign-ins)."""
    url = _redis_url()
    if not url:
        return None
    days = [now - timedelta(days=back) for back in range(ACTIVE_DAYS)]
    try:
        with breaker(url).guard():
            pipe = redis_client(url).pipeline(transaction=False)
            for tenant_id in tenant_ids:
                pipe.pfcount(*[day_key(tenant_id, day) for day in days])
            answers = pipe.execute()
    except redis.RedisError as exc:
        logger.warning("active users not read from Redis: %s: %s", exc.__class__.__name__, exc)
        return None
    return {tenant_id: int(count) for tenant_id, count in zip(tenant_ids, answers, strict=True)}


def usage_flush(*, tenant_ids: list[int], hours: list[datetime]) -> int:
    """Copy the Redis counters of ``tenant_ids`` in ``hours`` into ``TenantRequestHour`` (the
    larger value wins: a Redis restarted mid-hour never lowers a stored count). One pipelined
    read and one ``INSERT ... ON CONFLICT`` statement; returns the rows written."""
    found = _redis_hours(tenant_ids, hours)
    if not found:
        return 0
    table = TenantRequestHour._meta.db_table
    rows = [(tenant_id, hour, requests, errors) for (tenant_id, hour), (requests, errors) in found.items()]
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    sql = (
        f"INSERT INTO {table} (tenant_id, hour, requests, errors) VALUES {values} "
        f"ON CONFLICT (tenant_id, hour) DO UPDATE SET requests = GREATEST({table}.requests, EXCLUDED.requests), "
        f"errors = GREATEST({table}.errors, EXCLUDED.errors)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])
    return len(rows)


def usage_hours(tenant: Tenant, *, now: datetime | None = None) -> list[HourCount]:
    """The last ``HOURS`` hours of ``tenant``, oldest first, one entry per hour (zeros included):
    the larger of Redis' live counter and the stored ``TenantRequestHour`` of each hour (live to
    within ``USAGE_FLUSH_SECONDS``: each process sends its counts once per interval)."""
    hours = last_hours(now)
    stored = {
        row.hour: (row.requests, row.errors)
        for row in TenantRequestHour.objects.filter(tenant=tenant, hour__gte=hours[0])
    }
    live = _redis_hours([tenant.pk], hours)
    series = []
    for hour in hours:
        db_requests, db_errors = stored.get(hour, (0, 0))
        redis_requests, redis_errors = live.get((tenant.pk, hour), (0, 0))
        series.append(
            HourCount(hour=hour, requests=max(db_requests, redis_requests), errors=max(db_errors, redis_errors))
        )
    return series


# ---------------------------------------------------------------------------------------------
# Collecting
# ---------------------------------------------------------------------------------------------


_SCHEMA_SIZES = """
SELECT n.nspname, COALESCE(SUM(pg_total_relation_size(c.oid)), 0)
FROM pg_namespace n
LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relkind IN ('r', 'm')
WHERE n.nspname = ANY(%s)
GROUP BY n.nspname
"""


def schema_sizes(schema_names: Iterable[str]) -> dict[str, int]:
    """``{schema: bytes}``: tables, their indexes and TOAST, of each schema named; one catalog
    query for all of them. A schema that does not exist is left out."""
    names = list(schema_names)
    if not names:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_SCHEMA_SIZES, [names])
        return {str(name): int(size) for name, size in cursor.fetchall()}


def _in_schema_figures(tenant: Tenant, *, active_since: datetime, count_active: bool) -> dict[str, object]:
    """Users, file bytes, last activity and open tickets, read in ``tenant``'s schema (4 queries,
    one more when ``count_active``: the users signed in since ``active_since``)."""
    from shared_apps.tenancy.selectors import tenant_usage
    from tenant_apps.accounts.models import User
    from tenant_apps.tickets.models import Ticket, TicketStatus

    usage = tenant_usage(tenant)
    with in_tenant(tenant):
        open_tickets = Ticket.objects.filter(status__in=(TicketStatus.OPEN, TicketStatus.ANSWERED)).count()
        active = User.objects.filter(last_login__gte=active_since).count() if count_active else 0
    return {
        "users": usage.users,
        "file_bytes": usage.storage_bytes,
        "last_activity": usage.last_activity,
        "open_tickets": open_tickets,
        "active_users_30d": active,
    }


def usage_collect(*, tenants: Iterable[Tenant] | None = None, now: datetime | None = None) -> int:
    """Write the ``TenantHealth`` snapshot of ``tenants`` (default: every tenant except the
    platform and those still provisioning) as of ``now``; returns how many were written.

    Flushes the Redis counters into ``TenantRequestHour`` first, and deletes the stored hours
    older than ``USAGE_HOURS_KEPT``. A tenant whose schema cannot be read (dropped meanwhile) is
    logged and skipped; the others are written. Call it in the public schema.
    """
    moment = now or timezone.now()
    usage_send()  # this process's own counts (a web process running the command, tests)
    chosen = list(
        tenants
        if tenants is not None
        else Tenant.objects.exclude(kind=PUBLIC_KIND).exclude(status=TenantStatus.PROVISIONING).order_by("pk")
    )
    if not chosen:
        return 0
    ids = [tenant.pk for tenant in chosen]
    hours = last_hours(moment)
    usage_flush(tenant_ids=ids, hours=hours)
    sums = {
        row["tenant_id"]: row
        for row in TenantRequestHour.objects.filter(tenant_id__in=ids, hour__gte=hours[0])
        .values("tenant_id")
        .annotate(requests=Sum("requests"), errors=Sum("errors"))
    }
    active = _active_users_redis(ids, moment)
    sizes = schema_sizes(tenant.schema_name for tenant in chosen)
    since = moment - timedelta(days=ACTIVE_DAYS)
    rows = []
    for tenant in chosen:
        try:
            with transaction.atomic():  # a savepoint: one broken schema does not spoil the others
                figures = _in_schema_figures(tenant, active_since=since, count_active=active is None)
        except DatabaseError as exc:
            logger.warning("usage of %s not collected: %s", tenant.schema_name, exc)
            continue
        if active is not None:
            figures["active_users_30d"] = active.get(tenant.pk, 0)
        counted: dict[str, Any] = dict(sums.get(tenant.pk, {}))
        rows.append(
            TenantHealth(
                tenant=tenant,
                db_bytes=sizes.get(tenant.schema_name, 0),
                requests_24h=int(counted.get("requests") or 0),
                errors_24h=int(counted.get("errors") or 0),
                collected_at=moment,
                **figures,  # type: ignore[arg-type]
            )
        )
    fields = [f.name for f in TenantHealth._meta.concrete_fields if f.name != "tenant"]
    TenantHealth.objects.bulk_create(rows, update_conflicts=True, unique_fields=["tenant"], update_fields=fields)
    TenantRequestHour.objects.filter(
        hour__lt=hour_of(moment) - timedelta(hours=int(settings.USAGE_HOURS_KEPT))
    ).delete()
    return len(rows)


# ---------------------------------------------------------------------------------------------
# Reading the snapshot
# ---------------------------------------------------------------------------------------------

#: The figures of the list, each an annotation of ``tenant_usage_list`` (0 before the first collection).
FIGURES = (
    "users",
    "active_users_30d",
    "db_bytes",
    "file_bytes",
    "requests_24h",
    "errors_24h",
    "open_tickets",
)


def tenant_usage_list() -> QuerySet[Tenant]:
    """Every tenant (not the platform) annotated with its snapshot's figures (``FIGURES``, 0
    when never collected), ``last_activity`` and ``collected_at`` (``None`` then), its ``plan``
    code and ``billing_status`` (``None`` without a billing account): one query, whatever the
    number of tenants, sortable and filterable on every annotation."""
    figures = {name: Coalesce(F(f"health__{name}"), Value(0)) for name in FIGURES}
    return (
        Tenant.objects.exclude(kind=PUBLIC_KIND)
        .annotate(
            plan=F("billing__plan__code"),
            billing_status=F("billing__status"),
            last_activity=F("health__last_activity"),
            collected_at=F("health__collected_at"),
            **figures,
        )
        .order_by("-requests_24h", "schema_name")
    )
