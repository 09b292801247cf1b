"""What the returns services share: the logger, facts for audit rows and notifications, refusals."""

from __future__ import annotations

import logging
from typing import Any

from saas.errors import Conflict, ErrorCode
from tenant_apps.notifications.services import notify
from tenant_apps.store.orders.locks import order_lock
from tenant_apps.store.returns.locks import return_lock
from tenant_apps.store.returns.models import ReturnRequest

logger = logging.getLogger("tenant_apps.store.returns")


def return_facts(return_request: ReturnRequest) -> dict[str, Any]:
    """What a notification or audit row says about ``return_request`` (safe for its buyer to see)."""
    return {"return": return_request.pk, "order": return_request.order_id, "status": return_request.status}


def notify_return(return_request: ReturnRequest, *, recipient: Any, verb: str, **extra: Any) -> None:
    """Notify ``recipient`` of ``verb`` about ``return_request`` (its facts plus ``extra``)."""
    notify(recipient=recipient, verb=verb, target=return_request, extra_data={**return_facts(return_request), **extra})


def transition_refused(return_request: ReturnRequest, wanted: str) -> Conflict:
    """409 ``invalid_status_transition``: ``return_request`` (``details.status``) cannot become ``wanted``."""
    return Conflict(
        f"A return that is {return_request.status} cannot be {wanted}.",
        code=ErrorCode.INVALID_STATUS_TRANSITION,
        details={"status": return_request.status},
    )


def locked_return(return_id: int) -> ReturnRequest:
    """The return ``return_id`` and its order, locked in the app's order (``locks.py``: the order,
    then the return); call inside ``transaction.atomic``. ``ReturnRequest.DoesNotExist`` when missing."""
    order_id = ReturnRequest.objects.values_list("order_id", flat=True).get(pk=return_id)
    order = order_lock(order_id)
    return_request = return_lock(return_id)
    return_request.order = order
    return return_request
