"""The daily report's periodic task (``CELERY_BEAT_SCHEDULE`` ``rental-daily-report``, every 15
minutes, sent to each active rental site by ``shared_apps.tenancy.beat``)."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from saas.db.tenant import current_kind, current_schema

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=300)
def send_daily_report(self: Any) -> str | None:
    """Send today's report of the current rental site if it is due and not sent yet; returns the
    report's date when this run sent it. Retries (5 minutes apart) when delivery fails."""
    if current_kind() != "rental":
        return None
    from tenant_apps.rental.reports.services import daily_report_due, daily_report_send

    due = daily_report_due()
    if due is None:
        return None
    try:
        sent = daily_report_send(report_date=due)
    except Exception as exc:  # delivery failed: nothing was recorded, so a retry sends it
        logger.warning("daily report of %s in %s failed: %s", due, current_schema(), exc)
        raise self.retry(exc=exc) from exc
    return sent.report_date.isoformat() if sent else None
