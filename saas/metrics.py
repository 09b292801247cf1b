"""Prometheus counters and histograms of requests and Celery tasks, added up across processes
(issue 18, point 5), served with the tenants' usage on ``GET /api/v1/metrics/``.

Metrics (labels are bounded: a thousand tenants give the same series as ten):

* ``saas_http_requests_total{kind, method, status}``: requests answered, by the kind of the site
  that served them (``school``, ``store``, ..., ``public`` for the platform host, ``none`` when no
  site matched the host), the HTTP method (the standard ones, else ``other``) and the status class
  (``2xx`` ... ``5xx``). Health probes (``/healthz``, ``/readyz``) and static files are answered
  before this middleware and are not counted.
* ``saas_http_request_duration_seconds{kind}``: a histogram of the time from the request reaching
  the middleware to its response being returned (for a stream: until its headers).
* ``saas_celery_tasks_total{task, outcome}``: tasks that ended, by registered task name and
  outcome (``success``, ``failure``, ``retry``, ``revoked``).
* ``saas_celery_task_duration_seconds{task}``: a histogram of how long tasks ran.

**Why not ``prometheus_client``'s own counters.** They count in one process, and Prometheus is
meant to scrape every process. Here the metrics are read from one endpoint on the platform host,
answered by whichever web pod gets the scrape, while requests are served by every web pod's
workers and tasks run in every worker pod's processes; the library's multiprocess mode shares a
directory, which pods do not. So each process adds its observations up in memory and sends them
to Redis (``USAGE_REDIS_URL``, the usage counters' Redis) in one pipelined round trip (``HINCRBY`` /
``HINCRBYFLOAT`` into one hash, ``<USAGE_KEY_PREFIX>:metrics``) at the first observation after
``USAGE_FLUSH_SECONDS``, and when a Celery worker process or the interpreter exits. A scrape sends
the scraping process's own counts, then reads the hash (``HGETALL``): every process's counts,
at most one flush interval behind for a busy process (an idle one sends what it holds with its
next observation, or when it exits). A Redis restart resets the counters, which Prometheus'
``rate()`` treats as a counter reset. A Redis failure never fails a request or a task: the counts
stay in memory (bounded by the label values above) and go with the next send that works.

**Without Redis** (``make run``'s embedded setup, one process) the counts stay in the process and
a scrape reads them there.
"""

from __future__ import annotations

import atexit
import bisect
import json
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import redis
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from saas.cache import breaker, redis_client

logger = logging.getLogger(__name__)

#: Upper bounds (seconds) of the request latency buckets: prometheus_client's defaults.
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)
#: Upper bounds (seconds) of the task duration buckets: tasks run from milliseconds to minutes.
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
#: The methods counted by name; any other is ``other`` (a client chooses the method: unbounded).
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: The outcomes of ``saas_celery_tasks_total``.
TASK_OUTCOMES = ("success", "failure", "retry", "revoked")

REQUESTS = "saas_http_requests_total"
REQUEST_SECONDS = "saas_http_request_duration_seconds"
TASKS = "saas_celery_tasks_total"
TASK_SECONDS = "saas_celery_task_duration_seconds"

_HELP = {
    REQUESTS: "HTTP requests answered, by site kind, method and status class.",
    REQUEST_SECONDS: "Time to answer an HTTP request (a stream: to its headers), by site kind.",
    TASKS: "Celery tasks that ended, by task and outcome.",
    TASK_SECONDS: "Time Celery tasks ran, by task.",
}
_COUNTER_LABELS = {REQUESTS: ("kind", "method", "status"), TASKS: ("task", "outcome")}
_HISTOGRAMS = {REQUEST_SECONDS: (("kind",), REQUEST_BUCKETS), TASK_SECONDS: (("task",), TASK_BUCKETS)}

# A field of the Redis hash: JSON ``[metric, [label values], part]``, ``part`` being ``""`` for a
# counter, and for a histogram ``"sum"``, ``"count"`` or a bucket's index (its own count: the
# buckets are made cumulative when read, so one observation is one increment).
Field = tuple[str, tuple[str, ...], str]


class _Store:
    """This process's observations not sent yet (``{field: amount}``), and when they are due
    (``time.monotonic()``; 0 before the first)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending: dict[Field, float] = defaultdict(float)
        self.due_at = 0.0

    def add(self, amounts: list[tuple[Field, float]]) -> bool:
        """Add ``amounts``; ``True`` when a send is due (Redis configured, interval passed)."""
        with self.lock:
            for field, amount in amounts:
                self.pending[field] += amount
            now = time.monotonic()
            if not self.due_at:
                self.due_at = now + float(settings.USAGE_FLUSH_SECONDS)
            return bool(_redis_url()) and now >= self.due_at

    def take(self) -> dict[Field, float]:
        with self.lock:
            taken, self.pending = self.pending, defaultdict(float)
            self.due_at = time.monotonic() + float(settings.USAGE_FLUSH_SECONDS)
            return taken

    def give_back(self, amounts: dict[Field, float]) -> None:
        with self.lock:
            for field, amount in amounts.items():
                self.pending[field] += amount


_store = _Store()


def _redis_url() -> str:
    return str(settings.USAGE_REDIS_URL or "")


def _hash_key() -> str:
    return f"{settings.USAGE_KEY_PREFIX}:metrics"


def _encode(field: Field) -> str:
    return json.dumps([field[0], list(field[1]), field[2]], separators=(",", ":"))


def _decode(raw: bytes | str) -> Field | None:
    try:
        name, labels, part = json.loads(raw)
        return str(name), tuple(str(label) for label in labels), str(part)
    except (ValueError, TypeError):
        return None


# ---------------------------------------------------------------------------------------------
# Observing
# ---------------------------------------------------------------------------------------------


def count(metric: str, labels: tuple[str, ...], amount: float = 1) -> None:
    """Add ``amount`` to counter ``metric`` (``REQUESTS`` or ``TASKS``) with ``labels`` (in the
    order of its label names). Never raises."""
    _observe([((metric, labels, ""), float(amount))])


def observe(metric: str, labels: tuple[str, ...], seconds: float) -> None:
    """Record one observation of ``seconds`` in histogram ``metric`` (``REQUEST_SECONDS`` or
    ``TASK_SECONDS``) with ``labels``. Never raises."""
    _, buckets = _HISTOGRAMS[metric]
    index = bisect.bisect_left(buckets, seconds)  # len(buckets): above the last bound (+Inf)
    _observe(
        [
            ((metric, labels, str(index)), 1.0),
            ((metric, labels, "sum"), float(seconds)),
            ((metric, labels, "count"), 1.0),
        ]
    )


def _observe(amounts: list[tuple[Field, float]]) -> None:
    if _store.add(amounts):
        metrics_send()


def metrics_send() -> None:
    """Send this process's pending observations to Redis now, in one pipelined round trip. Never
    raises: on a Redis failure they are kept for the next send (logged at debug; the breaker
    warns once per outage)."""
    pending = _store.take()
    url = _redis_url()
    if not url or not pending:
        if pending:
            _store.give_back(pending)
        return
    try:
        with breaker(url).guard():
            pipe = redis_client(url).pipeline(transaction=False)
            key = _hash_key()
            for field, amount in pending.items():
                if field[2] == "sum":
                    pipe.hincrbyfloat(key, _encode(field), amount)
                else:
                    pipe.hincrby(key, _encode(field), int(amount))
            pipe.execute()
    except redis.RedisError as exc:
        logger.debug("metrics not sent (kept for the next send): %s: %s", exc.__class__.__name__, exc)
        _store.give_back(pending)


atexit.register(metrics_send)


def totals() -> dict[Field, float]:
    """Every process's observations so far: this process's are sent first, then the Redis hash is
    read (one round trip). Without Redis, or when it fails, this process's own counts."""
    url = _redis_url()
    if url:
        metrics_send()
        try:
            with breaker(url).guard():
                raw = redis_client(url).hgetall(_hash_key())
        except redis.RedisError as exc:
            logger.warning("request and task metrics not read from Redis: %s: %s", exc.__class__.__name__, exc)
        else:
            found: dict[Field, float] = {}
            for name, value in raw.items():
                field = _decode(name)
                if field is not None:
                    found[field] = float(value)
            return found
    with _store.lock:
        return dict(_store.pending)


def reset() -> None:
    """Forget this process's pending observations (tests)."""
    _store.take()


# ---------------------------------------------------------------------------------------------
# Exposition
# ---------------------------------------------------------------------------------------------


class RequestTaskCollector(Collector):
    """The four metrics of the module docstring, from ``totals()``."""

    def collect(self) -> Iterator[Metric]:
        found = totals()
        for name, label_names in _COUNTER_LABELS.items():
            counter = CounterMetricFamily(name.removesuffix("_total"), _HELP[name], labels=list(label_names))
            for (metric, labels, _), value in sorted(found.items()):
                if metric == name and len(labels) == len(label_names):
                    counter.add_metric(list(labels), value)
            yield counter
        for name, (label_names, buckets) in _HISTOGRAMS.items():
            histogram = HistogramMetricFamily(name, _HELP[name], labels=list(label_names))
            series = sorted({labels for (metric, labels, _) in found if metric == name})
            for labels in series:
                if len(labels) != len(label_names):
                    continue
                cumulative, points = 0.0, []
                for index, bound in enumerate([*buckets, float("inf")]):
                    cumulative += found.get((name, labels, str(index)), 0.0)
                    points.append(("+Inf" if bound == float("inf") else repr(bound), cumulative))
                histogram.add_metric(list(labels), points, sum_value=found.get((name, labels, "sum"), 0.0))
            yield histogram


# ---------------------------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------------------------


class RequestMetricsMiddleware:
    """Counts and times every request that reaches it (``saas_http_requests_total``,
    ``saas_http_request_duration_seconds``); placed right after WhiteNoise, before tenant routing,
    so a request refused for its host (404, 410, 503) is counted too, with kind ``none`` or its site's.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            return response
        finally:
            tenant = getattr(request, "tenant", None)
            kind = str(getattr(tenant, "kind", "") or "none")
            method = request.method if request.method in METHODS else "other"
            count(REQUESTS, (kind, str(method), f"{min(max(status // 100, 1), 5)}xx"))
            observe(REQUEST_SECONDS, (kind,), time.perf_counter() - started)


# ---------------------------------------------------------------------------------------------
# Celery tasks (the signal receivers are connected in ``saas/celery.py``)
# ---------------------------------------------------------------------------------------------

_started: dict[str, float] = {}
_started_lock = threading.Lock()


def _task_name(task: Any) -> str | None:
    name = getattr(task, "name", None)
    return str(name) if name else None


def task_started(task_id: str | None) -> None:
    """``task_prerun``: note when task ``task_id`` started."""
    if task_id:
        with _started_lock:
            _started[task_id] = time.perf_counter()


def task_ended(task: Any, task_id: str | None) -> None:
    """``task_postrun``: record how long ``task`` ran (its outcome is counted by ``task_outcome``)."""
    with _started_lock:
        started = _started.pop(task_id or "", None)
    name = _task_name(task)
    if started is not None and name:
        observe(TASK_SECONDS, (name,), time.perf_counter() - started)


def task_outcome(task: Any, outcome: str) -> None:
    """``task_success`` / ``task_failure`` / ``task_retry`` / ``task_revoked``: count the outcome
    of ``task`` (a registered task: its name is one of a bounded set)."""
    name = _task_name(task)
    if name and outcome in TASK_OUTCOMES:
        count(TASKS, (name, outcome))
