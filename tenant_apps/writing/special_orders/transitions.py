"""The status transitions of a special order, in one table, and who may make each.

``TRANSITIONS[(from, to)]`` is the set of parties that may move a special order from ``from`` to
``to``; a pair not in the table is never allowed (409 ``invalid_status_transition``), whoever asks.
Parties: ``CLIENT`` (the order's client) and ``ADMIN`` (an admin of the site).

| from / to | quoted | accepted | in_progress | completed | declined | cancelled |
| --- | --- | --- | --- | --- | --- | --- |
| requested | admin | | | | | client, admin |
| quoted | admin (quote again) | client | | | client | client, admin |
| accepted | | | admin (first installment paid) | | | admin |
| in_progress | | | | admin (every installment paid) | | admin |
| completed, declined, cancelled | | | | | | |

The conditions on money (in brackets) are checked by the services, under the order's lock.
"""

from __future__ import annotations

from typing import Final

from saas.errors import Conflict, ErrorCode, PermissionDenied
from tenant_apps.writing.special_orders.models import SpecialOrderStatus

CLIENT: Final = "client"
ADMIN: Final = "admin"

S = SpecialOrderStatus

#: ``(from, to) -> parties that may make the move``; every other pair is invalid.
TRANSITIONS: Final[dict[tuple[str, str], frozenset[str]]] = {
    (S.REQUESTED, S.QUOTED): frozenset({ADMIN}),
    (S.REQUESTED, S.CANCELLED): frozenset({CLIENT, ADMIN}),
    (S.QUOTED, S.QUOTED): frozenset({ADMIN}),
    (S.QUOTED, S.ACCEPTED): frozenset({CLIENT}),
    (S.QUOTED, S.DECLINED): frozenset({CLIENT}),
    (S.QUOTED, S.CANCELLED): frozenset({CLIENT, ADMIN}),
    (S.ACCEPTED, S.IN_PROGRESS): frozenset({ADMIN}),
    (S.ACCEPTED, S.CANCELLED): frozenset({ADMIN}),
    (S.IN_PROGRESS, S.COMPLETED): frozenset({ADMIN}),
    (S.IN_PROGRESS, S.CANCELLED): frozenset({ADMIN}),
}


def is_valid(current: str, wanted: str) -> bool:
    """Whether a special order that is ``current`` may ever become ``wanted`` (by somebody)."""
    return (current, wanted) in TRANSITIONS


def check_transition(*, current: str, wanted: str, parties: frozenset[str] | set[str]) -> None:
    """Refuse the move ``current -> wanted`` unless one of ``parties`` may make it.

    Raises ``Conflict`` (409 ``invalid_status_transition``, ``details.status`` the current status)
    for a pair not in ``TRANSITIONS``; ``PermissionDenied`` (403) for a valid pair the actor may
    not make.
    """
    allowed = TRANSITIONS.get((current, wanted))
    if allowed is None:
        raise Conflict(
            f"A special order that is {current} cannot become {wanted}.",
            code=ErrorCode.INVALID_STATUS_TRANSITION,
            details={"status": current},
        )
    if not allowed & set(parties):
        raise PermissionDenied(f"You may not move this special order from {current} to {wanted}.")
