"""Two admins changing different message settings at once, committed, from threads with their own
connections (tests/concurrency.py): both changes are kept.

``message_settings_update`` reads the row under ``locks.settings_lock``. With the lock, a pause
after the locked read lets both start before either writes; the second waits and reads the first's
change, so the order does not matter. Without it (the lock replaced by a plain read), the
interleaving the lock forbids is staged with events, not pauses: one admin reads the row, the other
then reads, changes and commits it, and the first writes back the row it read, undoing that change.
The settings row and the audit rows are deleted afterwards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.messages import services
from tenant_apps.writing.messages.locks import settings_lock
from tenant_apps.writing.messages.models import MessageSettings
from tests.concurrency import in_thread, race
from tests.factories.base import site_admin

PAUSE = 0.3


@pytest.fixture
def settings_row(golf: Tenant) -> Iterator[Tenant]:
    """golf's message settings row with the defaults (committed); it and the audit rows written
    meanwhile are deleted afterwards."""
    from tenant_apps.audit.models import AuditLogEntry

    def create() -> int:
        with tenant_context(golf):
            MessageSettings.objects.filter(pk=1).delete()
            services.message_settings()
            return AuditLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def drop(mark: int) -> None:
        with tenant_context(golf):
            MessageSettings.objects.filter(pk=1).delete()
            AuditLogEntry.objects.filter(id__gt=mark).delete()

    mark = in_thread(create)
    try:
        yield golf
    finally:
        in_thread(lambda: drop(mark))


def _turn_off() -> Any:
    return services.message_settings_update(actor=site_admin(), block_contact_details=False)


def _to_britain() -> Any:
    return services.message_settings_update(actor=site_admin(), phone_region="GB")


def _stored(golf: Tenant) -> tuple[bool, str]:
    def read() -> tuple[bool, str]:
        with tenant_context(golf):
            row = MessageSettings.objects.get(pk=1)
            return row.block_contact_details, row.phone_region

    result: tuple[bool, str] = in_thread(read)
    return result


def test_two_admins_changing_the_settings_at_once_keep_both_changes(
    settings_row: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given both admins' reads held open (the row locked)
    def slow() -> MessageSettings:
        row = settings_lock()
        time.sleep(PAUSE)
        return row

    monkeypatch.setattr(services, "settings_lock", slow)
    # when one turns masking off and the other switches the region
    results = race([_turn_off, _to_britain], tenant=settings_row)
    # then both changes are kept
    assert not any(isinstance(r, Exception) for r in results), results
    assert _stored(settings_row) == (False, "GB")


def test_without_the_lock_one_admin_undoes_the_others_change(
    settings_row: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the lock replaced by a plain read; the first admin's read held until the second committed
    first_read, switched = threading.Event(), threading.Event()
    turning = threading.local()

    def read() -> MessageSettings:
        row = MessageSettings.objects.get(pk=1)
        if getattr(turning, "off", False):
            first_read.set()
            assert switched.wait(10), "the region switch did not commit"
        return row

    def turn_off() -> Any:
        turning.off = True
        return _turn_off()

    def to_britain() -> Any:
        try:
            assert first_read.wait(10), "the first admin did not read"
            return _to_britain()
        finally:
            switched.set()

    monkeypatch.setattr(services, "settings_lock", read)
    # when
    results = race([turn_off, to_britain], tenant=settings_row)
    # then both were told they succeeded, but the region switch is lost
    assert not any(isinstance(r, Exception) for r in results), results
    assert _stored(settings_row) == (False, "US")
