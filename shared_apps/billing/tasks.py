"""Periodic billing work (public schema): the hourly dunning sweep.

Declared in ``CELERY_BEAT_SCHEDULE`` with ``"public": True`` (``billing-dunning-sweep``): beat sends
it once, in the public schema (``shared_apps/tenancy/beat.py``). Sent to a tenant's schema by hand,
it does nothing.
"""

from __future__ import annotations

import logging

from celery import shared_task

from saas.db.tenant import current_schema

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def dunning_sweep_task() -> dict[str, int]:
    """Run ``dunning.dunning_sweep``; returns ``{"suspended", "reminded"}``, both 0 outside the public schema."""
    from django.conf import settings

    if current_schema() != settings.PUBLIC_SCHEMA_NAME:
        return {"suspended": 0, "reminded": 0}
    from shared_apps.billing.dunning import dunning_sweep

    report = dunning_sweep()
    logger.info("dunning sweep: %s", report)
    return {"suspended": report.suspended, "reminded": report.reminded}
