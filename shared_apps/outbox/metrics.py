"""Prometheus gauges of task delivery (issue 18, point 5), served with the tenants' usage on
``GET /api/v1/metrics/`` (``shared_apps/superadmin/metrics.py``).

* ``saas_outbox_lag_seconds``: how long the oldest row that should have been published has waited
  (``services.outbox_lag_seconds``): 0 in steady state, growing while the broker is down. Alert
  on it staying above a minute.
* ``saas_outbox_unsent``: rows not published yet (due now or later).

No labels: one series each, whatever the number of tenants. Two indexed queries per scrape.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from shared_apps.outbox.models import OutboxMessage
from shared_apps.outbox.services import outbox_lag_seconds


class OutboxCollector(Collector):
    """The outbox's lag and backlog, read from the public schema at each scrape."""

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "saas_outbox_lag_seconds",
            "Seconds the oldest task due for publication has waited in the outbox.",
            value=outbox_lag_seconds(),
        )
        yield GaugeMetricFamily(
            "saas_outbox_unsent",
            "Tasks in the outbox not published to the broker yet.",
            value=float(OutboxMessage.objects.filter(sent_at__isnull=True).count()),
        )
