"""Celery tasks of the campaigns app; each runs in the schema it was sent from (tenant-schemas-celery).

* ``campaign_send_batch_task(campaign_id, recipient_ids)``: one batch, enqueued after commit by
  ``services.campaign_start``; runs itself again (``WRITING_CAMPAIGN_RETRY_SECONDS`` later, through
  the outbox: ``enqueue_later``, so a broker outage or a crash does not lose the retry) while rows of
  it are pending after a transient failure. Safe to run twice: each row is sent under its
  lock, once.
* ``campaigns_start_due_task``: the beat entry ``writing-campaigns-start-due`` (every minute,
  ``CELERY_BEAT_SCHEDULE``), sent to each active writing site; returns at once elsewhere.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from saas.db.tenant import current_kind, current_schema, enqueue_later
from tenant_apps.writing.kind import KIND

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def campaign_send_batch_task(campaign_id: int, recipient_ids: list[int]) -> int:
    """Send one batch (``services.campaign_send_batch``); returns how many rows are still pending,
    and enqueues itself again for them."""
    if current_kind() != KIND.name:
        return 0
    from tenant_apps.writing.campaigns.services import campaign_send_batch

    pending = campaign_send_batch(campaign_id=campaign_id, recipient_ids=list(recipient_ids))
    if pending:
        logger.info("campaign %s in %s: %d rows to try again", campaign_id, current_schema(), pending)
        enqueue_later(
            settings.WRITING_CAMPAIGN_RETRY_SECONDS, campaign_send_batch_task, campaign_id, list(recipient_ids)
        )
    return pending


@shared_task(acks_late=True)
def campaigns_start_due_task() -> list[int]:
    """Start the current writing site's due scheduled campaigns (``services.campaigns_start_due``);
    returns their ids, ``[]`` in a site of another kind."""
    if current_kind() != KIND.name:
        return []
    from tenant_apps.writing.campaigns.services import campaigns_start_due

    started = campaigns_start_due()
    if started:
        logger.info("started campaigns %s in %s", started, current_schema())
    return started
