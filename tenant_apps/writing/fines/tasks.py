"""Periodic work of the fines app, run per writing site (``CELERY_BEAT_SCHEDULE``
``writing-fines-missed-revisions``, hourly); in a schema of another kind it does nothing."""

from __future__ import annotations

import logging

from celery import shared_task

from saas.db.tenant import current_kind, current_schema

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def fines_missed_revisions_task() -> list[int]:
    """Fine the current writing site's revisions past due and not submitted
    (``services.fines_for_missed_revisions``); returns the new fines' ids, ``[]`` in a site of
    another kind."""
    from tenant_apps.writing.kind import KIND

    if current_kind() != KIND.name:
        return []
    from tenant_apps.writing.fines.services import fines_for_missed_revisions

    made = fines_for_missed_revisions()
    if made:
        logger.info("fined %d missed revisions in %s", len(made), current_schema())
    return made
