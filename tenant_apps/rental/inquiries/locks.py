"""Row locks of the inquiries app: one inquiry row (the platform-wide order is in
docs/architecture.md, "Locks in one order").

Every change of an inquiry (assignment, status, a message) locks its row before reading the state
it changes, through ``access.access_inquiry(lock=True)``, which checks who asks as well. No
transaction locks two inquiries, nor an inquiry and another app's rows, so the lock is taken alone,
like a ticket's, and waits for nothing but another change of the same inquiry.
"""

from __future__ import annotations

from tenant_apps.rental.inquiries.models import Inquiry


def inquiry_lock(pk: int) -> Inquiry:
    """The inquiry row, locked until the transaction ends (call inside ``transaction.atomic``).

    Raises ``Inquiry.DoesNotExist`` when there is no such inquiry.
    """
    return Inquiry.objects.select_for_update(no_key=True, of=("self",)).get(pk=pk)
