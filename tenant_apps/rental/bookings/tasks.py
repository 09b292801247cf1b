"""Periodic work of the bookings app, run per tenant.

Celery beat sends these tasks to every tenant's schema (``CELERY_BEAT_SCHEDULE`` in
``saas/settings/base.py``: expiry every 60 s, completion every 15 min); in a schema of another
kind they do nothing, as the bookings' table is not there.
"""

from __future__ import annotations

import logging

from celery import shared_task

from saas.db.tenant import current_kind, current_schema

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def bookings_expire_due_task() -> list[int]:
    """Expire the current rental site's unpaid bookings whose hold has run out
    (``services.bookings_expire_due``); returns their ids, ``[]`` in a site of another kind."""
    from tenant_apps.rental.kind import KIND

    if current_kind() != KIND.name:
        return []
    from tenant_apps.rental.bookings.services import bookings_expire_due

    done = bookings_expire_due()
    if done:
        logger.info("expired %d bookings in %s", len(done), current_schema())
    return done


@shared_task(acks_late=True)
def bookings_complete_due_task() -> list[int]:
    """Complete the current rental site's confirmed bookings whose stay has ended, crediting the
    hosts (``services.bookings_complete_due``); returns their ids, ``[]`` in a site of another kind."""
    from tenant_apps.rental.kind import KIND

    if current_kind() != KIND.name:
        return []
    from tenant_apps.rental.bookings.services import bookings_complete_due

    done = bookings_complete_due()
    if done:
        logger.info("completed %d bookings in %s", len(done), current_schema())
    return done
