"""The status transitions of an order, in one table, and who may make each.

``TRANSITIONS[(from, to)]`` is the set of parties that may move an order from ``from`` to ``to``; a
pair not in the table is never allowed (409 ``invalid_status_transition``), whoever asks. Parties:

* ``SYSTEM``: the payment (``invoice_paid``, or the wallet payment's service);
* ``CLIENT``: the order's client; ``WRITER``: its assigned writer (``REQUESTER``: any writer, on an
  available order, in ``first_request`` mode); ``EDITOR``: any editor; ``ADMIN``: an admin.

| from / to | available | assigned | in_progress | in_review | delivered | revision | disputed | completed | cancelled |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
| unpaid | system | | | | | | | | client, admin |
| available | | admin, requester | | | | | | | admin |
| assigned | | admin (reassign) | writer | writer | | | | | admin |
| in_progress | | admin (reassign) | | writer | | | | | admin |
| in_review | | | editor, admin (return) | | editor, admin | | | | |
| delivered | | | | | | client | client | client | |
| revision (``revision_requested``) | | | writer | writer | | | | | |
| disputed | | | | | | admin | | admin | admin |
| completed, cancelled | | | | | | | | | |

The client disputes with ``services.order_dispute``; an admin resolves with ``services.order_resolve``
(completing credits the writer's earning, as an approval does).
"""

from __future__ import annotations

from typing import Final

from saas.errors import Conflict, ErrorCode, PermissionDenied
from tenant_apps.writing.orders.models import OrderStatus

SYSTEM: Final = "system"
CLIENT: Final = "client"
WRITER: Final = "writer"
REQUESTER: Final = "requester"
EDITOR: Final = "editor"
ADMIN: Final = "admin"

S = OrderStatus

#: ``(from, to) -> parties that may make the move``; every other pair is invalid.
TRANSITIONS: Final[dict[tuple[str, str], frozenset[str]]] = {
    (S.UNPAID, S.AVAILABLE): frozenset({SYSTEM}),
    (S.UNPAID, S.CANCELLED): frozenset({CLIENT, ADMIN}),
    (S.AVAILABLE, S.ASSIGNED): frozenset({ADMIN, REQUESTER}),
    (S.AVAILABLE, S.CANCELLED): frozenset({ADMIN}),
    (S.ASSIGNED, S.ASSIGNED): frozenset({ADMIN}),
    (S.ASSIGNED, S.IN_PROGRESS): frozenset({WRITER}),
    (S.ASSIGNED, S.IN_REVIEW): frozenset({WRITER}),
    (S.ASSIGNED, S.CANCELLED): frozenset({ADMIN}),
    (S.IN_PROGRESS, S.ASSIGNED): frozenset({ADMIN}),
    (S.IN_PROGRESS, S.IN_REVIEW): frozenset({WRITER}),
    (S.IN_PROGRESS, S.CANCELLED): frozenset({ADMIN}),
    (S.IN_REVIEW, S.IN_PROGRESS): frozenset({EDITOR, ADMIN}),
    (S.IN_REVIEW, S.DELIVERED): frozenset({EDITOR, ADMIN}),
    (S.DELIVERED, S.REVISION_REQUESTED): frozenset({CLIENT}),
    (S.DELIVERED, S.COMPLETED): frozenset({CLIENT}),
    (S.DELIVERED, S.DISPUTED): frozenset({CLIENT}),
    (S.DISPUTED, S.REVISION_REQUESTED): frozenset({ADMIN}),
    (S.DISPUTED, S.COMPLETED): frozenset({ADMIN}),
    (S.DISPUTED, S.CANCELLED): frozenset({ADMIN}),
    (S.REVISION_REQUESTED, S.IN_PROGRESS): frozenset({WRITER}),
    (S.REVISION_REQUESTED, S.IN_REVIEW): frozenset({WRITER}),
}


def is_valid(current: str, wanted: str) -> bool:
    """Whether an order that is ``current`` may ever become ``wanted`` (by somebody)."""
    return (current, wanted) in TRANSITIONS


def check_transition(*, current: str, wanted: str, parties: frozenset[str] | set[str]) -> None:
    """Refuse the move ``current -> wanted`` unless one of ``parties`` (what the actor is to this
    order) may make it.

    Raises ``Conflict`` (409 ``invalid_status_transition``, ``details.status`` the current status)
    for a pair not in ``TRANSITIONS``; ``PermissionDenied`` (403) for a valid pair the actor may not
    make.
    """
    allowed = TRANSITIONS.get((current, wanted))
    if allowed is None:
        raise Conflict(
            f"An order that is {current} cannot become {wanted}.",
            code=ErrorCode.INVALID_STATUS_TRANSITION,
            details={"status": current},
        )
    if not allowed & set(parties):
        raise PermissionDenied(f"You may not move this order from {current} to {wanted}.")
