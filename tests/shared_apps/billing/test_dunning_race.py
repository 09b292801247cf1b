"""The hourly sweep and a payment for the same account at the same moment (committed rows,
threads with their own connections: tests/concurrency.py).

The site's grace period has ended; the sweep (A) reads the account past due and is about to
suspend the site when the payment webhook (B) arrives. Under the locks (the tenant row, then the
account: ``tenancy.locks.tenant_lock``, ``billing.locks.account_lock``) B waits for A's commit,
then finds the site suspended and lifts it: active and open, the one consistent end. Without them
(the negative control) B reads the site open, marks the account active and commits, and A, going
on from its stale read, suspends a site that has paid: active yet closed.

Staged with events, not pauses: A, after its read, waits for B to be done; under the locks B cannot
be done before A commits, so A's wait runs out (``WAIT`` seconds) and A goes on alone. Everything
is removed afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.billing import dunning, sync
from shared_apps.billing.locks import account_lock
from shared_apps.billing.models import BillingAccount, SubscriptionStatus
from shared_apps.tenancy.models import Tenant
from tenant_apps.notifications.models import Notification
from tests.concurrency import TIMEOUT, in_thread

#: How long A waits for B to be done (reached only under the locks, where B cannot finish first).
WAIT = 1.0


def _remove(tenant: Tenant) -> None:
    BillingAccount.objects.filter(tenant_id=tenant.pk).delete()
    fresh = Tenant.objects.get(pk=tenant.pk)
    if fresh.billing_suspended_at is not None:
        fresh.billing_suspended_at = None
        fresh.save(update_fields=["billing_suspended_at", "updated_at"])
    with tenant_context(fresh):
        Notification.objects.filter(verb__startswith="billing.").delete()


@pytest.fixture
def grace_ended(hotel: Tenant) -> Iterator[Tenant]:
    """hotel's account past due, its grace period ended an hour ago (committed); removed afterwards."""
    in_thread(lambda: _remove(hotel))

    def make() -> None:
        now = timezone.now()
        BillingAccount.objects.create(
            tenant=hotel,
            status=SubscriptionStatus.PAST_DUE,
            stripe_customer_id="cus_race_hotel",
            stripe_subscription_id="sub_race_hotel",
            past_due_since=now - timedelta(days=8),
            grace_ends_at=now - timedelta(hours=1),
        )

    in_thread(make)
    try:
        yield hotel
    finally:
        in_thread(lambda: _remove(hotel))


def _staged(real: Callable[[int], Any], a_read: threading.Event, b_done: threading.Event) -> Callable[[int], Any]:
    def staged_lock(tenant_id: int) -> Any:
        account = real(tenant_id)
        if threading.current_thread().name == "A":
            a_read.set()
            b_done.wait(WAIT)
        return account

    return staged_lock


def _sweep_then_pay(tenant: Tenant, a_read: threading.Event, b_done: threading.Event) -> list[Any]:
    results: list[Any] = [None, None]

    def sweep() -> None:
        try:
            results[0] = dunning.dunning_sweep()
        except Exception as exc:  # recorded for the assertions
            results[0] = exc
        finally:
            connections.close_all()

    def pay() -> None:
        try:
            account = BillingAccount.objects.get(tenant_id=tenant.pk)
            results[1] = sync.payment_apply(account=account, subscription_id="sub_race_hotel", at=None)
        except Exception as exc:  # recorded for the assertions
            results[1] = exc
        finally:
            b_done.set()
            connections.close_all()

    a = threading.Thread(target=sweep, name="A")
    b = threading.Thread(target=pay, name="B")
    a.start()
    assert a_read.wait(TIMEOUT), "the sweep never read the account"
    b.start()
    for thread in (a, b):
        thread.join(TIMEOUT)
    assert not a.is_alive() and not b.is_alive(), "a racing thread hung"
    return results


def _state(tenant: Tenant) -> tuple[str, bool]:
    def read() -> tuple[str, bool]:
        status = BillingAccount.objects.get(tenant_id=tenant.pk).status
        return status, Tenant.objects.get(pk=tenant.pk).billing_suspended_at is not None

    result: tuple[str, bool] = in_thread(read)
    return result


def test_a_payment_racing_the_sweep_leaves_the_site_active_and_open(
    grace_ended: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the sweep holding the account while the payment arrives
    a_read, b_done = threading.Event(), threading.Event()
    monkeypatch.setattr(dunning, "account_lock", _staged(account_lock, a_read, b_done))
    # when
    results = _sweep_then_pay(grace_ended, a_read, b_done)
    # then: the sweep suspended first, the payment (after it) lifted it: paid and open
    assert isinstance(results[0], dunning.DunningReport) and results[0].suspended == 1, results
    assert results[1] is True, results
    assert _state(grace_ended) == ("active", False)


def test_without_the_locks_the_sweep_suspends_a_site_that_has_just_paid(
    grace_ended: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the locks taken away (plain reads), the same staging
    def plain_tenant(pk: int) -> Tenant:
        return Tenant.objects.get(pk=pk)

    def plain_account(tenant_id: int) -> BillingAccount:
        return BillingAccount.objects.get(tenant_id=tenant_id)

    a_read, b_done = threading.Event(), threading.Event()
    monkeypatch.setattr(dunning, "tenant_lock", plain_tenant)
    monkeypatch.setattr(dunning, "account_lock", _staged(plain_account, a_read, b_done))
    monkeypatch.setattr(sync, "tenant_lock", plain_tenant)
    monkeypatch.setattr(sync, "account_lock", plain_account)
    # when
    results = _sweep_then_pay(grace_ended, a_read, b_done)
    # then: the negative control: the account says paid, yet the site is closed
    assert results[1] is True, results
    assert _state(grace_ended) == ("active", True)


def test_a_payment_committed_before_the_sweep_reads_leaves_nothing_to_suspend(grace_ended: Tenant) -> None:
    # given: the payment applied first
    in_thread(
        lambda: sync.payment_apply(
            account=BillingAccount.objects.get(tenant_id=grace_ended.pk), subscription_id="sub_race_hotel", at=None
        )
    )
    # when
    report = in_thread(dunning.dunning_sweep)
    # then
    assert report.suspended == 0
    assert _state(grace_ended) == ("active", False)
