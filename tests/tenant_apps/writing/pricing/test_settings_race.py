"""Races on the pricing settings row, committed, from threads with their own connections
(tests/concurrency.py):

* two admins at once, one raising ``minimum_pages`` to 150, the other lowering ``maximum_pages``
  to 100 (stored: 1..200). Each is valid against the row it read; together they are not. Under
  ``locks.pricing_settings_lock`` the second waits, reads the first's minimum and gets a 400
  naming ``maximum_pages``; without the lock (the second case, the lock replaced by a plain
  read) both pass their check and the second ``UPDATE`` breaks the table's check constraint: an
  ``IntegrityError``, a 500 for the admin.

A pause is injected after the row is read (locked or not), so both requests read before either
writes, every time. The row is restored and the audit rows deleted afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import IntegrityError
from django_tenants.utils import tenant_context

from saas.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.pricing import services
from tenant_apps.writing.pricing.locks import pricing_settings_lock
from tenant_apps.writing.pricing.models import PricingSettings
from tests.concurrency import in_thread, race
from tests.factories.base import site_admin

PAUSE = 0.3


def _restore(golf: Tenant, audit_mark: int) -> None:
    from tenant_apps.audit.models import AuditLogEntry

    with tenant_context(golf):
        PricingSettings.objects.filter(pk=1).update(minimum_pages=1, maximum_pages=200)
        AuditLogEntry.objects.filter(id__gt=audit_mark).delete()


@pytest.fixture
def committed_golf(golf: Tenant) -> Iterator[Tenant]:
    """golf, its settings row at 1..200 before and after the test (committed)."""
    from tenant_apps.audit.models import AuditLogEntry

    def mark() -> int:
        with tenant_context(golf):
            return AuditLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    audit_mark = in_thread(mark)
    in_thread(lambda: _restore(golf, audit_mark))
    try:
        yield golf
    finally:
        in_thread(lambda: _restore(golf, audit_mark))


def _slow(read: Any) -> Any:
    def slow_read() -> PricingSettings:
        row = read()
        time.sleep(PAUSE)
        return row

    return slow_read


def _unlocked() -> PricingSettings:
    return PricingSettings.objects.get(pk=1)


def _edit(changes: dict[str, Any]) -> Any:
    return lambda: services.pricing_settings_update(actor=site_admin(), changes=changes)


def test_two_admins_narrowing_the_page_range_at_once_get_one_change_and_a_400(
    committed_golf: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given both admins' reads held open (the row locked)
    monkeypatch.setattr(services, "pricing_settings_lock", _slow(pricing_settings_lock))
    # when one raises the minimum to 150 and the other lowers the maximum to 100
    results = race([_edit({"minimum_pages": 150}), _edit({"maximum_pages": 100})], tenant=committed_golf)
    # then one change stands and the other is a 400 naming its field; the row is consistent
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], ApplicationError) and errors[0].status_code == 400
    with tenant_context(committed_golf):
        row = PricingSettings.objects.get(pk=1)
    assert row.minimum_pages <= row.maximum_pages


def test_without_the_lock_the_same_race_breaks_the_check_constraint(
    committed_golf: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the lock replaced by a plain read (what the lock prevents)
    monkeypatch.setattr(services, "pricing_settings_lock", _slow(_unlocked))
    # when
    results = race([_edit({"minimum_pages": 150}), _edit({"maximum_pages": 100})], tenant=committed_golf)
    # then the loser crashes on the database's constraint instead of a 400
    assert any(isinstance(r, IntegrityError) for r in results), results
