"""Two admins refunding one disputed order at the same moment, on committed rows from threads with
their own connections (as concurrent requests are): each asks for 15.00 of the 24.00 paid.

Under the order's lock (its invoice, then the order: ``locks.order_with_invoice_lock``) the
second waits for the first to commit, sees its refund and is refused (409
``refund_exceeds_payment``, 9.00 refundable): 15.00 goes back in all. A pause after the locked
check lets both start before either writes; whichever locks second waits, so the order of the two
does not matter.

Without the lock (the lock replaced by a plain read), the interleaving it forbids is staged with
an event, not a pause a loaded machine can reorder: the second admin's check reads what may be
refunded, then waits until the first refund has committed, and both pass: 30.00 refunded on a
24.00 order. Everything committed is deleted afterwards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from saas.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tests.concurrency import race
from tests.factories import OrderFactory, UserFactory
from tests.factories.base import site_admin

PAUSE = 0.3
AMOUNT = Decimal("15.00")


def _a_disputed_order() -> Any:
    client = UserFactory(email="race-refund-client@golf.test", roles=["client"])
    writer = UserFactory(email="race-refund-writer@golf.test", roles=["writer"])
    editor = UserFactory(email="race-refund-editor@golf.test", roles=["editor"])
    return OrderFactory(client=client, writer=writer, editor=editor, disputed=True)


def _refund(order: Any) -> Callable[[], Any]:
    def call() -> Any:
        from tenant_apps.writing.orders.services import order_refund

        return order_refund(order=order, actor=site_admin(), amount=AMOUNT, reason="Half of it was late.")

    return call


def _refunded(order: Any) -> tuple[Decimal, Decimal]:
    """(what the order's refunds add up to, the client's wallet balance)."""
    from tenant_apps.wallet.selectors import wallet_of
    from tenant_apps.writing.orders.services import refunded_total

    return refunded_total(order), wallet_of(user=order.client).balance


def test_two_refunds_at_once_never_exceed_what_was_paid(
    golf: Tenant, committed: Callable[[Callable[[], Any]], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tenant_apps.writing.orders.models import OrderRefund
    from tenant_apps.writing.orders.services import refunds

    # given: a disputed 24.00 order paid from the client's wallet, committed; the locked check held open
    order = committed(_a_disputed_order)
    real = refunds.refundable_amount

    def slow(locked: Any) -> Decimal:
        found = real(locked)
        time.sleep(PAUSE)
        return found

    monkeypatch.setattr(refunds, "refundable_amount", slow)
    # when: two admins refund 15.00 each at once
    outcomes = race([_refund(order), _refund(order)], tenant=golf)
    # then: one refund, the other refused with what is left
    done = [o for o in outcomes if isinstance(o, OrderRefund)]
    refused = [o for o in outcomes if isinstance(o, ApplicationError)]
    assert (len(done), len(refused)) == (1, 1), outcomes
    assert (refused[0].status_code, refused[0].code) == (409, "refund_exceeds_payment")
    assert refused[0].details["refundable"] == "9.00"
    assert committed(lambda: _refunded(order)) == (AMOUNT, AMOUNT)


def test_without_the_lock_both_refunds_pass_and_give_back_more_than_was_paid(
    golf: Tenant, committed: Callable[[Callable[[], Any]], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tenant_apps.writing.orders.models import Order, OrderRefund
    from tenant_apps.writing.orders.services import refunds

    # given: the lock replaced by a plain read; the second refund's check waits for the first's commit
    order = committed(_a_disputed_order)
    first_committed = threading.Event()
    second = threading.local()
    real = refunds.refundable_amount

    def check(locked: Any) -> Decimal:
        found = real(locked)
        if getattr(second, "is_it", False):
            assert first_committed.wait(30), "the first refund did not commit"
        return found

    def first() -> Any:
        try:
            return _refund(order)()
        finally:
            first_committed.set()

    def then() -> Any:
        second.is_it = True
        return _refund(order)()

    monkeypatch.setattr(refunds, "refundable_amount", check)
    unlocked = Order.objects.select_related("client")
    monkeypatch.setattr(refunds, "order_with_invoice_lock", lambda pk: unlocked.get(pk=pk))
    # when
    outcomes = race([first, then], tenant=golf)
    # then: both passed: 30.00 refunded on a 24.00 order
    assert all(isinstance(o, OrderRefund) for o in outcomes), outcomes
    assert committed(lambda: _refunded(order)) == (2 * AMOUNT, 2 * AMOUNT)
