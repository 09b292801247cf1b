"""Celery beat for many tenants of several kinds: a periodic task goes only where it can run.

tenant-schemas-celery's ``TenantAwarePersistentScheduler`` sends an entry without
``tenant_schemas`` to every tenant schema, every time it is due. With thousands of sites of four
kinds, a store task every minute would be thousands of messages a minute, most of them to sites
that have no store tables and do nothing with them. This scheduler (``CELERY_BEAT_SCHEDULER``)
reads one more key on a ``CELERY_BEAT_SCHEDULE`` entry::

    "rental-bookings-expire": {"task": "...", "schedule": 60.0, "kinds": ["rental"]},

and sends such an entry only to the **active** tenants of those kinds (suspended, archived and
provisioning sites are skipped: their requests are refused, and so is their background work).
An entry with ``"public": True`` instead is sent once, in the public schema (platform work
over all tenants, such as the daily re-check of custom domains); the library would look for a
tenant row named ``public``, which does not exist. Entries without either behave as the
library's. Tasks still check their kind (a task sent by
hand, or by an older beat, must stay harmless in another schema).

Written as a subclass because the library has no hook for choosing schemas per entry; it keeps
the library's persistence and entry class, and only replaces the choice of schemas.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from celery.beat import ScheduleEntry
from django_tenants.utils import get_public_schema_name, schema_context
from tenant_schemas_celery.scheduler import TenantAwarePersistentScheduler

logger = logging.getLogger(__name__)

#: The message header that carries an entry's kinds from the schedule to ``apply_entry``.
KINDS_HEADER = "_tenant_kinds"
#: The message header of an entry sent once, in the public schema.
PUBLIC_HEADER = "_public_schema"


def schemas_of_kinds(kinds: list[str]) -> list[str]:
    """The schema names of the active tenants of ``kinds``, in name order."""
    from shared_apps.tenancy.models import Tenant, TenantStatus

    return list(
        Tenant.objects.filter(kind__in=kinds, status=TenantStatus.ACTIVE)
        .exclude(schema_name=get_public_schema_name())
        .order_by("schema_name")
        .values_list("schema_name", flat=True)
    )


class KindAwareScheduler(TenantAwarePersistentScheduler):
    """``TenantAwarePersistentScheduler`` that sends an entry with ``kinds`` only to the active
    tenants of those kinds (see the module docstring)."""

    def _tenant_aware_beat_schedule_to_dict(self, beat_schedule: dict[str, Any]) -> dict[str, dict[str, Any]]:
        result: dict[str, dict[str, Any]] = {}
        plain: dict[str, Any] = {}
        for name, entry in copy.deepcopy(beat_schedule).items():
            if entry.pop("public", False):
                entry.setdefault("options", {}).setdefault("headers", {})[PUBLIC_HEADER] = True
                result[f"{name}@public"] = entry
                continue
            kinds = entry.pop("kinds", None)
            if kinds is None:
                plain[name] = entry
                continue
            entry.setdefault("options", {}).setdefault("headers", {})[KINDS_HEADER] = sorted(kinds)
            result[f"{name}@kinds:{','.join(sorted(kinds))}"] = entry
        result.update(super()._tenant_aware_beat_schedule_to_dict(plain))
        return result

    def apply_entry(self, entry: ScheduleEntry, producer: Any = None) -> None:
        headers = entry.options.get("headers") or {}
        if headers.get(PUBLIC_HEADER):
            with schema_context(get_public_schema_name()):
                try:
                    self.apply_async(entry, producer=producer, advance=False)
                except Exception:
                    logger.exception("could not send %s to the public schema", entry.task)
            return
        kinds = headers.get(KINDS_HEADER)
        if kinds is None:
            super().apply_entry(entry, producer=producer)
            return
        schemas = schemas_of_kinds(list(kinds))
        logger.info(
            "KindAwareScheduler: sending due task %s (%s) to %d tenant(s)", entry.name, entry.task, len(schemas)
        )
        for schema in schemas:
            with schema_context(schema):
                try:
                    self.apply_async(entry, producer=producer, advance=False)
                except Exception:
                    logger.exception("could not send %s to %s", entry.task, schema)
