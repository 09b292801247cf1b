"""Two plan changes of one site at the same moment (committed rows, threads with their own
connections: tests/concurrency.py).

``billing_plan_change`` reads the account's plan under ``tenancy.locks.tenant_lock`` then
``billing.locks.account_lock`` and writes the change to the site's audit log as ``[old, new]``.
Under the locks the second change waits for the first's commit and records the first's plan as
its old one: the log is a chain (trial -> pro, pro -> tiny, or the other way). Without them (the
negative control: plain reads, and the racers meet after reading) both read ``trial`` and the
log claims two moves from trial, one of which never happened. Everything is removed afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from shared_apps.billing import services
from shared_apps.billing.models import BillingAccount, Plan
from shared_apps.tenancy.models import Tenant
from tenant_apps.audit.models import AuditLogEntry
from tests.concurrency import after_read, in_thread, race

CODES = ("race-trial", "race-pro", "race-tiny")


def _remove(tenant: Tenant) -> None:
    BillingAccount.objects.filter(tenant_id=tenant.pk).update(plan=None)
    Plan.objects.filter(code__in=CODES).delete()
    with tenant_context(tenant):
        AuditLogEntry.objects.filter(verb="billing.plan_changed").delete()


@pytest.fixture
def on_trial(alpha: Tenant) -> Iterator[dict[str, Plan]]:
    """alpha's account on ``race-trial``, committed, ``race-pro`` and ``race-tiny`` to move to."""

    def make() -> dict[str, Plan]:
        _remove(alpha)
        plans = {code: Plan.objects.create(code=code, name=code, price=0, currency="USD") for code in CODES}
        BillingAccount.objects.update_or_create(tenant_id=alpha.pk, defaults={"plan": plans["race-trial"]})
        return plans

    plans: dict[str, Plan] = in_thread(make)
    try:
        yield plans
    finally:
        in_thread(lambda: _remove(alpha))


def _staged(monkeypatch: pytest.MonkeyPatch, *, locking: bool) -> None:
    pause = after_read(locking=locking)
    real: Callable[[int], BillingAccount] = services.account_lock

    def read_then_pause(tenant_id: int) -> BillingAccount:
        unlocked = BillingAccount.objects.select_related("plan")
        found = real(tenant_id) if locking else unlocked.get(tenant_id=tenant_id)
        pause()
        return found

    monkeypatch.setattr(services, "account_lock", read_then_pause)
    if not locking:
        monkeypatch.setattr(services, "tenant_lock", lambda pk: None)


def _changes(alpha: Tenant, plans: dict[str, Plan]) -> list[Any]:
    return race(
        [
            lambda: services.billing_plan_change(tenant=alpha, plan=plans["race-pro"], actor=None),
            lambda: services.billing_plan_change(tenant=alpha, plan=plans["race-tiny"], actor=None),
        ]
    )


def _log(alpha: Tenant) -> list[list[str]]:
    def read() -> list[list[str]]:
        with tenant_context(alpha):
            return [
                entry.changes["plan"]
                for entry in AuditLogEntry.objects.filter(verb="billing.plan_changed").order_by("id")
            ]

    result: list[list[str]] = in_thread(read)
    return result


def test_two_plan_changes_at_once_are_logged_as_a_chain(
    alpha: Tenant, on_trial: dict[str, Plan], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    _staged(monkeypatch, locking=True)
    # when
    results = _changes(alpha, on_trial)
    # then
    assert not any(isinstance(r, Exception) for r in results), results
    first, second = _log(alpha)
    assert first[0] == "race-trial" and second[0] == first[1]


def test_negative_control_without_the_locks_both_changes_claim_to_leave_trial(
    alpha: Tenant, on_trial: dict[str, Plan], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    _staged(monkeypatch, locking=False)
    # when
    _changes(alpha, on_trial)
    # then
    assert [old for old, _ in _log(alpha)] == ["race-trial", "race-trial"]
