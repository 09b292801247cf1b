"""Periodic work of the loyalty app, run per writing site.

Celery beat sends ``points_expire_due_task`` hourly to each active writing site
(``CELERY_BEAT_SCHEDULE`` in ``saas/settings/base.py``, ``"kinds": ["writing"]``); in a schema of
another kind it returns at once.
"""

from __future__ import annotations

import logging

from celery import shared_task

from saas.db.tenant import current_kind, current_schema

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def points_expire_due_task() -> int:
    """Expire the current writing site's loyalty points past their expiry
    (``services.points_expire_due``); returns how many points expired, 0 in a site of another kind."""
    from tenant_apps.writing.kind import KIND

    if current_kind() != KIND.name:
        return 0
    from tenant_apps.writing.loyalty.services import points_expire_due

    expired = points_expire_due()
    if expired:
        logger.info("expired %d loyalty points in %s", expired, current_schema())
    return expired
