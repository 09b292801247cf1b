"""Two relays at once (two beat runs, a beat run and ``manage.py outbox_relay``) publish a row once.

The relay reads its batch ``FOR NO KEY UPDATE SKIP LOCKED``: the second relay skips the rows the first
holds. Each racer is held after its read, while publishing (``after_read``); the negative control
reads without the lock and, held at a barrier until both have read, publishes the row twice.
Publication is recorded instead of sent (``_send`` replaced). The row is committed (the racers'
connections cannot see a test's transaction) and deleted afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db.models import QuerySet

from shared_apps.outbox import services
from shared_apps.outbox.models import OutboxMessage
from shared_apps.tenancy.models import Tenant
from tests.concurrency import after_read, in_thread, race


@pytest.fixture
def committed_row(alpha: Tenant) -> Iterator[int]:
    """An unsent outbox row, committed; deleted after the test."""
    pk = in_thread(
        lambda: (
            OutboxMessage.objects.create(
                schema_name="alpha", task="tests.outbox.note_plain", payload={"args": [1, "race"], "kwargs": {}}
            ).pk
        )
    )
    yield int(pk)
    in_thread(lambda: OutboxMessage.objects.filter(pk=pk).delete())


@pytest.mark.parametrize("locking", [True, False], ids=["with_the_lock", "without_the_lock"])
def test_two_relays_at_once_publish_a_row_once_and_without_the_lock_twice(
    committed_row: int, locking: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: publishing is recorded, each relay held while it publishes
    hold = after_read(locking=locking)
    published: list[int] = []
    recorded = threading.Lock()

    def send(message: OutboxMessage, *_: Any) -> None:
        hold()
        with recorded:
            published.append(message.pk)

    monkeypatch.setattr(services, "_send", send)
    if not locking:  # the negative control: the batch read without FOR NO KEY UPDATE SKIP LOCKED
        monkeypatch.setattr(QuerySet, "select_for_update", lambda self, **_: self)
    # when
    results = race([services.outbox_relay, services.outbox_relay])
    # then
    assert not [r for r in results if isinstance(r, Exception)], results
    assert published.count(committed_row) == (1 if locking else 2)
    assert in_thread(lambda: OutboxMessage.objects.get(pk=committed_row).sent_at) is not None
