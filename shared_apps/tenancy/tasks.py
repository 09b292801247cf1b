"""Periodic platform work (public schema): the daily re-check of custom domains.

Declared in ``CELERY_BEAT_SCHEDULE`` with ``"public": True``: beat sends it once, in the public
schema (``shared_apps/tenancy/beat.py``). Sent to a tenant's schema by hand, it does nothing.
"""

from __future__ import annotations

import logging

from celery import shared_task

from saas.db.tenant import current_schema

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def custom_domains_recheck_task() -> dict[str, int]:
    """Re-check every verified and flagged custom domain (``domains.custom_domains_recheck``);
    returns ``{"checked", "flagged", "restored"}``, all 0 outside the public schema."""
    from django.conf import settings

    if current_schema() != settings.PUBLIC_SCHEMA_NAME:
        return {"checked": 0, "flagged": 0, "restored": 0}
    from shared_apps.tenancy.domains import custom_domains_recheck

    report = custom_domains_recheck()
    logger.info("custom domains re-checked: %s", report)
    return {"checked": report.checked, "flagged": report.flagged, "restored": report.restored}
