"""Periodic platform work of the superadmin app (public schema): the hourly purge of archived
tenants, and the collection of every tenant's usage (every ``USAGE_COLLECT_SECONDS``).

Declared in ``CELERY_BEAT_SCHEDULE`` (``tenancy-purge-archived``, ``superadmin-usage-collect``) with
``"public": True``: beat sends each once, in the public schema (``shared_apps/tenancy/beat.py``).
Sent to a tenant's schema by hand, they do nothing.
"""

from __future__ import annotations

import logging

from celery import shared_task

from saas.db.tenant import current_schema

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def tenants_purge_due_task() -> dict[str, int]:
    """Purge every archived tenant whose ``purge_after`` passed (``purge.tenant_purge``); one that
    fails (Stripe unreachable...) is logged and left archived for the next hour. Returns
    ``{"purged", "failed"}``, both 0 outside the public schema."""
    from django.conf import settings

    if current_schema() != settings.PUBLIC_SCHEMA_NAME:
        return {"purged": 0, "failed": 0}
    from shared_apps.superadmin.purge import tenant_purge, tenants_due_for_purge

    purged = failed = 0
    for tenant in list(tenants_due_for_purge()):
        try:
            tenant_purge(tenant=tenant)
        except Exception:
            logger.exception("purge of %s failed; retried at the next sweep", tenant.schema_name)
            failed += 1
        else:
            purged += 1
    return {"purged": purged, "failed": failed}


@shared_task(acks_late=True)
def tenant_export_task(export_id: int) -> None:
    """Run the queued ``TenantExport`` ``export_id`` (``portability.jobs.export_run``). Sent from the
    platform host: it runs in the public schema, and switches to nothing (pg_dump reads the tenant's
    schema itself)."""
    from shared_apps.superadmin.portability.jobs import export_run

    export_run(export_id)


@shared_task(acks_late=True)
def tenant_import_task(import_id: int) -> None:
    """Run the queued ``TenantImport`` ``import_id`` (``portability.jobs.import_run``), in the public schema."""
    from shared_apps.superadmin.portability.jobs import import_run

    import_run(import_id)


def tenant_usage_collect_task() -> dict[str, int]:
    """Collect every tenant's usage into its ``TenantHealth`` snapshot (``usage.usage_collect``).
    Returns ``{"collected"}``, 0 outside the public schema."""
    from django.conf import settings

    if current_schema() != settings.PUBLIC_SCHEMA_NAME:
        return {"collected": 0}
    from shared_apps.superadmin.usage import usage_collect

    return {"collected": usage_collect()}
