"""Periodic work of the special orders app, run per writing site.

Celery beat sends ``special_orders_remind`` to every writing site's schema (``CELERY_BEAT_SCHEDULE``
in ``saas/settings/base.py``, hourly); in a schema of another kind it does nothing.
"""

from __future__ import annotations

import logging

from celery import shared_task

from saas.db.tenant import current_kind, current_schema

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def special_orders_remind() -> dict[str, list[int]]:
    """Send the current writing site's installment reminders and overdue notices, once each
    (``services.installments_remind``); returns the installment ids reminded and flagged overdue,
    empty lists in a site of another kind."""
    from tenant_apps.writing.kind import KIND

    if current_kind() != KIND.name:
        return {"reminded": [], "overdue": []}
    from tenant_apps.writing.special_orders.services import installments_remind

    done = installments_remind()
    if done["reminded"] or done["overdue"]:
        logger.info(
            "special orders in %s: %d reminded, %d overdue",
            current_schema(),
            len(done["reminded"]),
            len(done["overdue"]),
        )
    return done
