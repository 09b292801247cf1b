"""Row locks of the writing writers app (see ``docs/architecture.md``, "Locks in one order").

* ``levels_lock``: every level row, in primary-key order, taken alone: making a level the
  default unsets the previous one under it (so two admins switching the default at once queue up
  and the second unsets the first's choice), and deleting a level checks under it that it is not
  the default.
* A writer's profile is one row: setting a level updates it alone, creating it on first need is
  decided by its unique ``user`` (a losing ``INSERT`` reads the winner's row); the level it names
  is protected by its foreign key (``PROTECT``: a level with writers is not deleted).
"""

from __future__ import annotations

from tenant_apps.writing.writers.models import WriterLevel


def levels_lock() -> list[WriterLevel]:
    """Every writer level, locked in primary-key order until the transaction ends (call inside
    ``transaction.atomic``)."""
    return list(WriterLevel.objects.order_by("pk").select_for_update(no_key=True, of=("self",)))
