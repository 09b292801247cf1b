"""A property's iCalendar import: another channel's feed replaces its ``ical`` blocked periods.

* ``property_calendar_import_request`` (its host; admin): queue an import now (``tasks``); 400
  ``validation_error`` when the property has no ``ical_import_url``.
* ``property_calendar_import`` (the task's body; also hourly for every property with a URL): fetch
  the feed (``fetch.fetch_calendar``: https only, public addresses only, 1 MB, 10 s), parse it
  (``ical.parse_feed``: past events skipped), then, under the property's lock, make the ``ical``
  blocks exactly the feed's events by ``UID`` (created, moved, removed). An event covering a night
  an occupying booking holds is not imported: it is reported in the result and the audit row
  (``conflicts``), so the host can sort it out on the other channel.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from saas.db.tenant import enqueue_on_commit
from tenant_apps.audit.services import audit_record
from tenant_apps.rental.bookings.availability import overlapping_bookings
from tenant_apps.rental.properties.access import can_manage_property
from tenant_apps.rental.properties.fetch import FetchRefused, fetch_calendar
from tenant_apps.rental.properties.ical import FeedInvalid, parse_feed
from tenant_apps.rental.properties.locks import property_lock
from tenant_apps.rental.properties.models import BlockedPeriod, BlockSource, Property
from tenant_apps.rental.properties.services._common import field_error, require

logger = logging.getLogger(__name__)


def property_calendar_import_request(*, actor: Any, prop: Property) -> None:
    """Queue an import of ``prop``'s ``ical_import_url`` after commit (its host; admin).

    Raises ``permission_denied`` (403), ``validation_error`` (400: no import URL set).
    """
    from tenant_apps.rental.properties.tasks import property_calendar_import_task

    require(can_manage_property(actor, prop))
    if not prop.ical_import_url:
        raise field_error("ical_import_url", "Set the property's ical_import_url first.")
    with transaction.atomic():
        audit_record(actor=actor, verb="property.calendar_import_requested", target=prop, changes={})
        enqueue_on_commit(property_calendar_import_task, prop.pk)


def property_calendar_import(*, property_id: int) -> dict[str, Any]:
    """Import the feed of property ``property_id`` (no actor: the system does it).

    Returns ``{"status": "imported", "created": n, "updated": n, "removed": n, "conflicts":
    [{"uid", "start", "end", "bookings": [numbers]}]}``, or ``{"status": "failed", "error":
    "<why>"}`` (refused URL or address, too large, too slow, not a feed: nothing changes), or
    ``{"status": "skipped"}`` (no such property, or no URL). Audited either way but skipped.
    """
    prop = Property.objects.filter(pk=property_id).first()
    if prop is None or not prop.ical_import_url:
        return {"status": "skipped"}
    try:
        events = parse_feed(fetch_calendar(prop.ical_import_url), today=timezone.localdate())
    except (FetchRefused, FeedInvalid) as error:
        with transaction.atomic():
            audit_record(actor=None, verb="property.calendar_import_failed", target=prop, changes={"error": str(error)})
        logger.info("calendar import of property %s refused: %s", property_id, error)
        return {"status": "failed", "error": str(error)}
    with transaction.atomic():
        prop = property_lock(prop.pk)
        existing = {b.uid: b for b in BlockedPeriod.objects.filter(property=prop, source=BlockSource.ICAL)}
        created = updated = 0
        conflicts: list[dict[str, Any]] = []
        kept: set[str] = set()
        for event in events:
            taken = list(
                overlapping_bookings(check_in=event.start, check_out=event.end)
                .filter(property=prop)
                .values_list("number", flat=True)
            )
            if taken:
                conflicts.append(
                    {
                        "uid": event.uid,
                        "start": event.start.isoformat(),
                        "end": event.end.isoformat(),
                        "bookings": taken,
                    }
                )
                continue
            kept.add(event.uid)
            block = existing.get(event.uid)
            if block is None:
                BlockedPeriod.objects.create(
                    property=prop,
                    source=BlockSource.ICAL,
                    uid=event.uid,
                    start=event.start,
                    end=event.end,
                    summary=event.summary,
                )
                created += 1
            elif (block.start, block.end, block.summary) != (event.start, event.end, event.summary):
                block.start, block.end, block.summary = event.start, event.end, event.summary
                block.save(update_fields=["start", "end", "summary"])
                updated += 1
        stale = [b.pk for uid, b in existing.items() if uid not in kept]
        BlockedPeriod.objects.filter(pk__in=stale).delete()
        prop.ical_imported_at = timezone.now()
        prop.save(update_fields=["ical_imported_at"])
        result: dict[str, Any] = {
            "status": "imported",
            "created": created,
            "updated": updated,
            "removed": len(stale),
            "conflicts": conflicts,
        }
        audit_record(actor=None, verb="property.calendar_imported", target=prop, changes=result)
    return result
