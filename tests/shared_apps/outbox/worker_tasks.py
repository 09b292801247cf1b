"""Tasks for the outbox tests, imported by the test process and by the real worker they start
(``celery worker --include tests.shared_apps.outbox.worker_tasks``).

Each writes one in-app notification (a row of the tenant's ``notifications`` table) for user
``user_id``: the effect whose count the tests read. ``gate`` (a file path) makes the task stop
and wait for that file, after writing ``<gate>.reached``, so a test can kill the worker there.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from celery import shared_task

from saas.db.tenant import current_schema
from saas.tasks import effect_once

#: How long a gated task waits for its gate before giving up (the test kills it long before).
GATE_WAIT_SECONDS = 60.0


def wait_at(gate: str | None) -> None:
    """Announce ``<gate>.reached``, then wait until the file ``gate`` exists (nothing without a gate)."""
    if not gate:
        return
    Path(f"{gate}.reached").write_text("reached")
    deadline = time.monotonic() + GATE_WAIT_SECONDS
    while not Path(gate).exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def _notify(user_id: int, verb: str) -> dict[str, Any]:
    from tenant_apps.accounts.models import User
    from tenant_apps.notifications.services import notify

    notify(recipient=User.objects.get(pk=user_id), verb=verb, extra_data={"schema": current_schema()})
    return {"schema": current_schema()}


@shared_task(name="tests.outbox.note_once", acks_late=True)
@effect_once
def note_once(user_id: int, verb: str, gate: str | None = None) -> dict[str, Any]:
    """The effect, applied once per task id; with ``gate``, stops after writing it, uncommitted."""
    result = _notify(user_id, verb)
    wait_at(gate)
    return result


@effect_once
def _note_keyed(user_id: int, verb: str) -> dict[str, Any]:
    return _notify(user_id, verb)


@shared_task(name="tests.outbox.note_then_wait", acks_late=True)
def note_then_wait(user_id: int, verb: str, gate: str | None = None) -> None:
    """The effect, applied once per task id and committed; with ``gate``, then waits (not acknowledged)."""
    _note_keyed(user_id, verb)
    wait_at(gate)


@shared_task(name="tests.outbox.note_plain", acks_late=True)
def note_plain(user_id: int, verb: str) -> dict[str, Any]:
    """The same effect without the key: the negative control."""
    return _notify(user_id, verb)
