"""Celery tasks of the properties app, run per tenant (tenant-schemas-celery).

* ``property_calendar_import_task(property_id)``: one property's import (``services.property_calendar_import``),
  queued by ``POST /api/v1/properties/{id}/calendar-import/``.
* ``properties_calendar_import_all``: sent hourly by beat to every tenant's schema
  (``CELERY_BEAT_SCHEDULE`` in ``saas/settings/base.py``); in a rental site it queues one import
  per property with an ``ical_import_url``; elsewhere it does nothing (no such tables).
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from saas.db.tenant import current_kind, enqueue_on_commit


@shared_task(acks_late=True)
def property_calendar_import_task(property_id: int) -> dict[str, Any]:
    """Import property ``property_id``'s feed; the service's result (``{"status": "skipped"}``
    outside rental sites)."""
    from tenant_apps.rental.kind import KIND

    if current_kind() != KIND.name:
        return {"status": "skipped"}
    from tenant_apps.rental.properties.services import property_calendar_import

    return property_calendar_import(property_id=property_id)


@shared_task(acks_late=True)
def properties_calendar_import_all() -> list[int]:
    """Queue an import for every property of the current rental site with an ``ical_import_url``;
    returns their ids (``[]`` in a site of another kind)."""
    from tenant_apps.rental.kind import KIND

    if current_kind() != KIND.name:
        return []
    from tenant_apps.rental.properties.models import Property

    ids = list(Property.objects.exclude(ical_import_url="").order_by("pk").values_list("pk", flat=True))
    for pk in ids:
        enqueue_on_commit(property_calendar_import_task, pk)
    return ids
