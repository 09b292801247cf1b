"""Auction tasks; they run in the schema they were sent to (tenant-schemas-celery).

``close_due_auctions`` is a periodic task: ``CELERY_BEAT_SCHEDULE`` (``saas/settings/base.py``)
sends it every minute to every tenant through tenant-schemas-celery's ``TenantAwareScheduler``
(an entry without ``tenant_schemas`` goes to all tenants but the public schema); in a site of
another kind it does nothing.
"""

from __future__ import annotations

import logging

from celery import shared_task

from saas.db.tenant import current_kind, current_schema

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def close_due_auctions() -> list[int]:
    """Close the current store site's auctions whose end has passed (``services.auctions_close_due``);
    returns the ids closed (none outside a store site)."""
    if current_kind() != "store":
        return []
    from tenant_apps.store.auctions.services import auctions_close_due

    closed = auctions_close_due()
    if closed:
        logger.info("closed %d auction(s) in %s: %s", len(closed), current_schema(), closed)
    return closed
