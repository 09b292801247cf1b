"""Periodic work of the bundles app, run per writing site (``CELERY_BEAT_SCHEDULE``
``writing-bundles-expire``, every 15 minutes, ``kinds: ["writing"]``)."""

from __future__ import annotations

import logging

from celery import shared_task

from saas.db.tenant import current_kind, current_schema

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def purchases_expire_task() -> list[int]:
    """Expire the current writing site's active bundle purchases past ``expires_at``
    (``services.purchases_expire``); returns their ids, ``[]`` in a site of another kind."""
    from tenant_apps.writing.kind import KIND

    if current_kind() != KIND.name:
        return []
    from tenant_apps.writing.bundles.services import purchases_expire

    done = purchases_expire()
    if done:
        logger.info("expired %d bundle purchases in %s", len(done), current_schema())
    return done
