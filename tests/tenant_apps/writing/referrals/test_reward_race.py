"""A referred client's two first orders completing at the same moment, on committed rows from
threads with their own connections (as concurrent approvals are): the referral is rewarded once.

The two orders have different writers, so the completions share no lock before the referral's
(each credits its own writer's wallet); the loyalty points a completion earns are left out here
(``loyalty_off``): their lock on the client's points account would queue the two completions
before the referral's, and a site may run without loyalty points.

Under ``locks.referral_lock`` the second completion waits for the first to commit, reads
``rewarded`` and does nothing: 5.00 to each side, one notification each, the referral naming the
order that landed it. A pause after the locked read lets both start
before either writes; whichever locks second waits, so their order does not matter.

Without the lock (replaced by a plain read), the interleaving it forbids is staged with events,
not pauses: the second completion reads the referral ``pending``, then waits until the first has
committed its reward; it then finds another completed order of the client's and marks the
referral ``refused`` (``not_first_order``), although both sides were paid: the record contradicts
the ledger. Everything committed is deleted afterwards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from shared_apps.tenancy.models import Tenant
from tests.concurrency import race
from tests.factories import OrderFactory, UserFactory

PAUSE = 0.3


@pytest.fixture
def loyalty_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Completions earn no loyalty points (nor lock the client's points account) in these tests."""
    from tenant_apps.writing.loyalty import services as loyalty

    monkeypatch.setattr(loyalty, "points_earn_for_order", lambda **kwargs: None)


def _two_delivered_first_orders() -> tuple[Any, Any, Any]:
    """A referral (pending) and two delivered orders of the referred client, different writers."""
    from tenant_apps.writing.orders.services import order_settings
    from tenant_apps.writing.referrals.services import referral_claim, referral_code_for

    order_settings()  # the settings rows exist, committed: neither completion inserts one
    referrer = UserFactory(email="race-ref-referrer@golf.test", full_name="Rita Referrer", roles=["client"])
    referred = UserFactory(email="race-ref-referred@golf.test", full_name="Reed Referred", roles=["client"])
    editor = UserFactory(email="race-ref-editor@golf.test", roles=["editor"])
    orders = [
        OrderFactory(
            client=referred,
            writer=UserFactory(email=f"race-ref-writer{n}@golf.test", roles=["writer"]),
            editor=editor,
            delivered=True,
        )
        for n in (1, 2)
    ]
    referral = referral_claim(user=referred, code=referral_code_for(user=referrer).code)
    return referral, orders[0], orders[1]


def _approve(order: Any) -> Callable[[], Any]:
    def call() -> Any:
        from tenant_apps.writing.orders.services import order_approve

        return order_approve(order=order, actor=order.client)

    return call


def _outcome(referral: Any) -> tuple[str, str, Decimal, Decimal, int]:
    """(status, refused_reason, referrer's balance, referred's balance, reward notifications)."""
    from tenant_apps.notifications.models import Notification
    from tenant_apps.wallet.selectors import wallet_of
    from tenant_apps.writing.referrals.models import Referral

    found = Referral.objects.select_related("referrer", "referred").get(pk=referral.pk)
    return (
        found.status,
        found.refused_reason,
        wallet_of(user=found.referrer).balance,
        wallet_of(user=found.referred).balance,
        Notification.objects.filter(verb="writing_referral.rewarded", object_id=str(found.pk)).count(),
    )


def test_two_first_orders_completing_at_once_reward_once(
    golf: Tenant,
    loyalty_off: None,
    committed_referrals: Callable[[Callable[[], Any]], Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tenant_apps.writing.referrals import services
    from tenant_apps.writing.referrals.locks import referral_lock

    # given: two delivered orders of a referred client; the locked read held open
    referral, one, other = committed_referrals(_two_delivered_first_orders)
    balance_before = committed_referrals(lambda: _outcome(referral))[3]

    def slow(pk: int) -> Any:
        found = referral_lock(pk)
        time.sleep(PAUSE)
        return found

    monkeypatch.setattr(services, "referral_lock", slow)
    # when: the client approves both at once
    outcomes = race([_approve(one), _approve(other)], tenant=golf)
    # then: both completed; one reward of 5.00 to each side, told once each
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    assert committed_referrals(lambda: _outcome(referral)) == (
        "rewarded",
        "",
        Decimal("5.00"),
        balance_before + Decimal("5.00"),
        2,
    )


def test_without_the_lock_the_second_completion_contradicts_the_reward(
    golf: Tenant,
    loyalty_off: None,
    committed_referrals: Callable[[Callable[[], Any]], Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tenant_apps.writing.referrals import services
    from tenant_apps.writing.referrals.models import Referral

    # given: the lock replaced by a plain read; the second completion reads, then waits for the first's commit
    referral, one, other = committed_referrals(_two_delivered_first_orders)
    second_read, first_committed = threading.Event(), threading.Event()
    second = threading.local()

    def read(pk: int) -> Any:
        found = Referral.objects.select_related("referrer", "referred").get(pk=pk)
        if getattr(second, "is_it", False):
            second_read.set()
            assert first_committed.wait(30), "the first completion did not commit"
        return found

    def first() -> Any:
        try:
            assert second_read.wait(30), "the second completion did not read"
            return _approve(one)()
        finally:
            first_committed.set()

    def then() -> Any:
        second.is_it = True
        return _approve(other)()

    monkeypatch.setattr(services, "referral_lock", read)
    # when
    outcomes = race([first, then], tenant=golf)
    # then: both sides were paid, yet the referral says it was refused
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    status, reason, referrer_balance, _, told = committed_referrals(lambda: _outcome(referral))
    assert (status, reason, referrer_balance, told) == ("refused", "not_first_order", Decimal("5.00"), 2)
