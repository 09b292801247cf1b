"""The status transitions of an inquiry, in one table, and who may make each.

``TRANSITIONS[(from, to)]`` is the set of parties that may move an inquiry from ``from`` to ``to``;
a pair that is not in the table is never allowed (409 ``invalid_status_transition``), whoever asks.
The parties:

* ``ADMIN``: an admin of the site;
* ``AGENT``: the customer-service agent the inquiry is assigned to;
* ``QUEUE_AGENT``: any customer-service agent, on an inquiry nobody has yet (the unassigned queue):
  an agent may claim (self-assign) a new inquiry, as support desks expect;
* ``AUTHOR``: the signed-in user who opened it (a visitor has no account: they answer by e-mail).

| from \\ to | assigned | in_progress | resolved | closed |
| --- | --- | --- | --- | --- |
| new | admin (assign), agent claims it for themself | | | admin |
| assigned | admin (reassign) | agent, admin | | admin |
| in_progress | admin (reassign: the new agent starts again) | | agent, admin | admin |
| resolved | | agent, admin, author (reopen) | | agent, admin, author |
| closed | | | | |

Nothing goes back to ``new``, and ``closed`` is final. Moving to ``assigned`` happens only by an
assignment (``services.inquiry_assign``, which names the agent); ``services.inquiry_set_status``
refuses it with 409 like any other pair it cannot make.
"""

from __future__ import annotations

from typing import Final

from saas.errors import ApplicationError, Conflict, ErrorCode, PermissionDenied
from tenant_apps.rental.inquiries.models import InquiryStatus

ADMIN: Final = "admin"
AGENT: Final = "agent"
QUEUE_AGENT: Final = "queue_agent"
AUTHOR: Final = "author"

NEW, ASSIGNED, IN_PROGRESS, RESOLVED, CLOSED = (
    InquiryStatus.NEW,
    InquiryStatus.ASSIGNED,
    InquiryStatus.IN_PROGRESS,
    InquiryStatus.RESOLVED,
    InquiryStatus.CLOSED,
)

#: ``(from, to) -> parties that may make the move``; every other pair is invalid.
TRANSITIONS: Final[dict[tuple[str, str], frozenset[str]]] = {
    (NEW, ASSIGNED): frozenset({ADMIN, QUEUE_AGENT}),
    (ASSIGNED, ASSIGNED): frozenset({ADMIN}),
    (IN_PROGRESS, ASSIGNED): frozenset({ADMIN}),
    (ASSIGNED, IN_PROGRESS): frozenset({ADMIN, AGENT}),
    (IN_PROGRESS, RESOLVED): frozenset({ADMIN, AGENT}),
    (RESOLVED, IN_PROGRESS): frozenset({ADMIN, AGENT, AUTHOR}),
    (RESOLVED, CLOSED): frozenset({ADMIN, AGENT, AUTHOR}),
    (NEW, CLOSED): frozenset({ADMIN}),
    (ASSIGNED, CLOSED): frozenset({ADMIN}),
    (IN_PROGRESS, CLOSED): frozenset({ADMIN}),
}

#: The statuses a client may ask ``POST /inquiries/{id}/status/`` for (``assigned`` comes from assigning).
SETTABLE_STATUSES: Final = (IN_PROGRESS, RESOLVED, CLOSED)


def is_valid(current: str, wanted: str) -> bool:
    """Whether an inquiry that is ``current`` may ever become ``wanted`` (by somebody)."""
    return (current, wanted) in TRANSITIONS


def check_transition(*, current: str, wanted: str, parties: frozenset[str] | set[str]) -> None:
    """Refuse the move ``current -> wanted`` unless one of ``parties`` (what the actor is to this
    inquiry: ``ADMIN``, ``AGENT``, ``QUEUE_AGENT``, ``AUTHOR``) may make it.

    Raises ``Conflict`` (409 ``invalid_status_transition``, ``details.status`` the current status)
    for a pair not in ``TRANSITIONS``; ``PermissionDenied`` (403) for a valid pair the actor may
    not make.
    """
    allowed = TRANSITIONS.get((current, wanted))
    if allowed is None:
        raise invalid_transition(current, wanted)
    if not allowed & set(parties):
        raise PermissionDenied(f"You may not move this inquiry from {current} to {wanted}.")


def invalid_transition(current: str, wanted: str) -> ApplicationError:
    """The 409 ``invalid_status_transition`` error for ``current -> wanted``."""
    return Conflict(
        f"An inquiry that is {current} cannot become {wanted}.",
        code=ErrorCode.INVALID_STATUS_TRANSITION,
        details={"status": current},
    )
