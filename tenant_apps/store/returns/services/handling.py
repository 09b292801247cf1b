"""The returned parcel: received, then inspected item by item, by the delivery user holding the
order or an admin."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from saas.errors import ApplicationError
from tenant_apps.audit.services import audit_record
from tenant_apps.store.returns.access import ensure_can_handle_return
from tenant_apps.store.returns.models import ItemCondition, ReturnRequest, ReturnStatus
from tenant_apps.store.returns.services._common import locked_return, return_facts, transition_refused


@dataclass(frozen=True)
class InspectedItem:
    """The ``condition`` (``ItemCondition``) found for the return item ``id``."""

    id: int
    condition: str


def return_receive(*, return_id: int, actor: Any) -> ReturnRequest:
    """Record that the returned items arrived: ``requested`` -> ``received``.

    Raises ``permission_denied`` (403: neither the delivery user holding the order nor admin),
    ``invalid_status_transition`` (409: not ``requested``).
    """
    with transaction.atomic():
        return_request = locked_return(return_id)
        ensure_can_handle_return(actor, return_request)
        if return_request.status != ReturnStatus.REQUESTED:
            raise transition_refused(return_request, "received")
        return_request.status, return_request.received_at = ReturnStatus.RECEIVED, timezone.now()
        return_request.save(update_fields=["status", "received_at"])
        audit_record(actor=actor, verb="return.received", target=return_request, changes=return_facts(return_request))
    return return_request


def return_inspect(*, return_id: int, actor: Any, items: list[InspectedItem], notes: str = "") -> ReturnRequest:
    """Record each item's condition (``resellable`` units go back to stock on approval, ``damaged``
    ones do not) and the inspector's ``notes``: ``received`` -> ``inspected``. ``items`` names every
    item of the return exactly once.

    Raises ``permission_denied`` (403), ``invalid_status_transition`` (409: not ``received``),
    ``validation_error`` (400: an item missing, unknown or twice, an unknown condition).
    """
    with transaction.atomic():
        return_request = locked_return(return_id)
        ensure_can_handle_return(actor, return_request)
        if return_request.status != ReturnStatus.RECEIVED:
            raise transition_refused(return_request, "inspected")
        rows = {row.pk: row for row in return_request.items.all()}
        found = {item.id: item.condition for item in items}
        if len(found) != len(items) or set(found) != set(rows):
            raise ApplicationError(
                "Give the condition of every item of the return, once each.",
                details={"items": [f"Expected the items {sorted(rows)}."]},
            )
        if any(condition not in ItemCondition.values for condition in found.values()):
            raise ApplicationError(
                "Unknown condition.", details={"items": [f"One of {', '.join(ItemCondition.values)}."]}
            )
        for pk, row in sorted(rows.items()):
            row.condition = found[pk]
            row.save(update_fields=["condition"])
        return_request.status = ReturnStatus.INSPECTED
        return_request.inspection_notes = (notes or "").strip()
        return_request.inspected_at, return_request.inspected_by = timezone.now(), actor
        return_request.save(update_fields=["status", "inspection_notes", "inspected_at", "inspected_by"])
        audit_record(
            actor=actor,
            verb="return.inspected",
            target=return_request,
            changes={**return_facts(return_request), "conditions": {str(pk): found[pk] for pk in sorted(rows)}},
        )
    return return_request
