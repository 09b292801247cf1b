"""Periodic work of the orders app, run per tenant.

Celery beat sends ``orders_complete_due_task`` to every tenant's schema (tenant-schemas-celery's
``TenantAwarePersistentScheduler``, ``CELERY_BEAT_SCHEDULE`` in ``saas/settings/base.py``); in
a schema of another kind it does nothing, as the store's tables are not there.
"""

from __future__ import annotations

import logging

from celery import shared_task

from saas.db.tenant import current_kind, current_schema

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def orders_complete_due_task() -> list[int]:
    """Complete the current store site's delivered orders whose wait has passed
    (``services.orders_complete_due``); returns their ids, ``[]`` in a site of another kind."""
    from tenant_apps.store.kind import KIND

    if current_kind() != KIND.name:
        return []
    from tenant_apps.store.orders.services import orders_complete_due

    done = orders_complete_due()
    if done:
        logger.info("completed %d orders in %s", len(done), current_schema())
    return done
