"""Row locks of the tickets app: one ticket row (the platform-wide order is in
docs/architecture.md, "Locks in one order").

Every change of a ticket's state locks its row before reading the state it changes, through
``access.access_ticket(lock=True)``, which checks who asks as well. No transaction locks two
tickets, nor a ticket and another app's rows, so a ticket lock waits for nothing but another change
of the same ticket.
"""

from __future__ import annotations

from tenant_apps.tickets.models import Ticket


def ticket_lock(pk: int) -> Ticket:
    """The ticket row, locked until the transaction ends (call inside ``transaction.atomic``).

    Raises ``Ticket.DoesNotExist`` when there is no such ticket.
    """
    return Ticket.objects.select_for_update(no_key=True, of=("self",)).get(pk=pk)
