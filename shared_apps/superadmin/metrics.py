"""Prometheus metrics of the tenants' usage (issue 17, point 1), for ``GET /api/v1/metrics/``.

Read from the ``TenantHealth`` snapshots (``usage.py``) in one grouped query per scrape, never
from a tenant's schema. Labels are bounded: ``kind`` (the deployment's kinds), ``plan`` (the plan
codes staff define; ``"none"`` for a tenant without one) and, on ``saas_tenants`` only,
``status`` (the four lifecycle statuses). No metric carries a tenant's slug or id: a thousand
tenants give the same series as ten (per-tenant figures are on the staff JSON endpoint instead).

The collector lives in a ``CollectorRegistry`` of its own (``registry()``), not the
``prometheus_client`` global one: nothing else (process metrics, other libraries' collectors)
ends up in this output, and importing the module registers nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Sum, Value
from django.db.models.functions import Coalesce
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from shared_apps.tenancy.models import PUBLIC_KIND, Tenant

#: Name of the plan label when a tenant has no plan (or no billing account).
NO_PLAN = "none"

#: (metric name, snapshot field, help) of the summed gauges, each labelled by kind and plan.
_SUMS = (
    ("saas_tenant_requests_24h", "requests_24h", "Requests served on the tenants' hosts in the last 24 hours."),
    ("saas_tenant_errors_24h", "errors_24h", "Requests answered with a 5xx in the last 24 hours."),
    ("saas_tenant_active_users_30d", "active_users_30d", "Users active in the last 30 days (approximate)."),
    ("saas_tenant_users", "users", "User accounts of the tenants."),
    ("saas_tenant_db_bytes", "db_bytes", "Size of the tenants' database schemas, in bytes."),
    ("saas_tenant_file_bytes", "file_bytes", "Size of the tenants' uploaded files, in bytes."),
    ("saas_tenant_open_tickets", "open_tickets", "Support tickets open or answered (not closed)."),
)


def usage_groups() -> list[dict[str, Any]]:
    """One row per (kind, plan, status) present: ``tenants`` (count) and the sum of each snapshot
    figure (tenants never collected count as 0). One query."""
    sums = {field: Coalesce(Sum(f"health__{field}"), Value(0)) for _, field, _ in _SUMS}
    return list(
        Tenant.objects.exclude(kind=PUBLIC_KIND)
        .values("kind", "status", "billing__plan__code")
        .annotate(tenants=Count("pk"), **sums)
        .order_by("kind", "status", "billing__plan__code")
    )


class TenantUsageCollector(Collector):
    """Gauges by ``kind`` and ``plan`` (and ``status`` for the tenant count) from ``usage_groups``."""

    def collect(self) -> Iterator[Metric]:
        rows = usage_groups()
        tenants = GaugeMetricFamily(
            "saas_tenants", "Tenants, by kind, plan and status.", labels=["kind", "plan", "status"]
        )
        totals: dict[str, dict[tuple[str, str], int]] = {field: defaultdict(int) for _, field, _ in _SUMS}
        for row in rows:
            plan = str(row["billing__plan__code"] or NO_PLAN)
            kind = str(row["kind"])
            tenants.add_metric([kind, plan, str(row["status"])], float(row["tenants"]))
            for _, field, _ in _SUMS:
                totals[field][(kind, plan)] += int(row[field] or 0)
        yield tenants
        for name, field, help_text in _SUMS:
            gauge = GaugeMetricFamily(name, help_text, labels=["kind", "plan"])
            for (kind, plan), value in sorted(totals[field].items()):
                gauge.add_metric([kind, plan], float(value))
            yield gauge


def registry() -> CollectorRegistry:
    """A registry holding ``TenantUsageCollector``, the outbox's gauges
    (``shared_apps.outbox.metrics.OutboxCollector``) and the requests' and tasks' counters and
    histograms (``saas.metrics.RequestTaskCollector``), made per call: nothing global."""
    from saas.metrics import RequestTaskCollector
    from shared_apps.outbox.metrics import OutboxCollector

    found = CollectorRegistry(auto_describe=False)
    found.register(TenantUsageCollector())
    found.register(OutboxCollector())
    found.register(RequestTaskCollector())
    return found


def exposition() -> bytes:
    """The metrics in Prometheus' text format (version 0.0.4)."""
    return generate_latest(registry())
