"""Races on committed rows, from threads with their own connections (as concurrent requests are).

1. **Accept vs. cancel**: the client accepts a quote while an admin cancels it. Under the order's
   lock (its invoices, then the order: ``locks.special_order_with_invoices_lock``) one waits for
   the other: either the cancel comes first and the accept is refused (409), or the accept comes
   first and the cancel then calls off the invoices it issued. Either way the order ends
   ``cancelled`` with no open invoice. A pause inside the lock lets both start before either
   writes; the order of the two does not matter. Without the lock (a plain read), the accept's
   check is staged with an event to pass before the cancel commits and write after it: the cancel
   answered 200, yet the order is ``accepted`` with open invoices.
2. **Two payments of one installment** at once: one is paid, the other refused (409); the wallet
   is debited once and the installment marked paid once (one notification). The guard is the
   invoice's lock (the payments app, taken first by ``special_order_with_invoices_lock``) plus the
   marking's own idempotence (``test_marking_paid_twice...``).
3. **Two reminder runs** at once send one reminder: the claim is a conditional ``UPDATE``
   (``services._claim``). With the claim replaced by a read then a write, staged so that both
   read before either writes, both send.

Everything committed is deleted afterwards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from saas.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tests.concurrency import race
from tests.factories import SpecialOrderFactory, UserFactory
from tests.factories.base import site_admin

PAUSE = 0.3

Committed = Callable[[Callable[[], Any]], Any]


def _a_quoted_order() -> Any:
    client = UserFactory(email="race-special-client@golf.test", roles=["client"])
    return SpecialOrderFactory(client=client, quoted=True)


def _accept(special: Any) -> Callable[[], Any]:
    def call() -> Any:
        from tenant_apps.writing.special_orders.services import special_order_accept

        return special_order_accept(special_order=special, actor=special.client)

    return call


def _cancel(special: Any) -> Callable[[], Any]:
    def call() -> Any:
        from tenant_apps.writing.special_orders.services import special_order_cancel

        return special_order_cancel(special_order=special, actor=site_admin(), reason="Withdrawn.")

    return call


def _state(special: Any) -> tuple[str, list[str]]:
    """(the order's status, the statuses of its installments' invoices)."""
    from tenant_apps.payments.models import Invoice
    from tenant_apps.writing.special_orders.models import SpecialOrder

    invoices = Invoice.objects.filter(special_order_installment__special_order_id=special.pk).order_by("pk")
    return SpecialOrder.objects.get(pk=special.pk).status, [i.status for i in invoices]


def test_accept_and_cancel_at_once_end_cancelled_with_no_open_invoice(
    golf: Tenant, special_committed: Committed, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tenant_apps.writing.special_orders import services
    from tenant_apps.writing.special_orders.models import SpecialOrder

    # given: a quoted order, committed; each locked move held open a moment
    special = special_committed(_a_quoted_order)
    real = services.special_order_with_invoices_lock

    def slow(pk: int) -> Any:
        found = real(pk)
        time.sleep(PAUSE)
        return found

    monkeypatch.setattr(services, "special_order_with_invoices_lock", slow)
    # when: the client accepts as an admin cancels
    accepted, cancelled = race([_accept(special), _cancel(special)], tenant=golf)
    # then: the cancel holds; the accept either came first or was refused
    assert isinstance(cancelled, SpecialOrder), cancelled
    assert isinstance(accepted, SpecialOrder) or (
        isinstance(accepted, ApplicationError)
        and (accepted.status_code, accepted.code) == (409, "invalid_status_transition")
    ), accepted
    status, invoices = special_committed(lambda: _state(special))
    assert status == "cancelled"
    assert all(s == "cancelled" for s in invoices), invoices


def test_without_the_lock_an_accept_overwrites_the_cancel(
    golf: Tenant, special_committed: Committed, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tenant_apps.writing.special_orders import services
    from tenant_apps.writing.special_orders.models import SpecialOrder

    # given: the lock replaced by a plain read; the accept reads, then waits for the cancel's commit
    special = special_committed(_a_quoted_order)
    cancel_committed = threading.Event()
    accepting = threading.local()
    unlocked = SpecialOrder.objects.select_related("client", "writer")

    def read(pk: int) -> Any:
        found = unlocked.get(pk=pk)
        if getattr(accepting, "is_it", False):
            assert cancel_committed.wait(30), "the cancel did not commit"
        return found

    def accept() -> Any:
        accepting.is_it = True
        return _accept(special)()

    def cancel() -> Any:
        try:
            return _cancel(special)()
        finally:
            cancel_committed.set()

    monkeypatch.setattr(services, "special_order_with_invoices_lock", read)
    # when
    accepted, cancelled = race([accept, cancel], tenant=golf)
    # then: both answered success, and the cancel is lost: accepted, with open invoices
    assert isinstance(accepted, SpecialOrder) and isinstance(cancelled, SpecialOrder), (accepted, cancelled)
    status, invoices = special_committed(lambda: _state(special))
    assert status == "accepted"
    assert invoices and all(s == "unpaid" for s in invoices)


def _an_accepted_funded_order() -> Any:
    from tenant_apps.wallet.services import wallet_open, wallet_top_up

    client = UserFactory(email="race-special-payer@golf.test", roles=["client"])
    special = SpecialOrderFactory(client=client, accepted=True)
    wallet_top_up(wallet=wallet_open(user=client), amount=Decimal("100.00"), memo="test funds")
    return special


def _pay(special: Any) -> Callable[[], Any]:
    def call() -> Any:
        from tenant_apps.writing.special_orders.services import installment_pay_wallet

        return installment_pay_wallet(special_order=special, sequence=1, payer=special.client)

    return call


def test_two_payments_of_one_installment_at_once_pay_it_once(
    golf: Tenant, special_committed: Committed, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tenant_apps.notifications.models import Notification
    from tenant_apps.payments.models import Payment
    from tenant_apps.wallet.selectors import wallet_of
    from tenant_apps.writing.special_orders import services
    from tenant_apps.writing.special_orders.models import Installment

    # given: installment 1 (50.00) payable, 100.00 in the wallet; the locked check held open
    special = special_committed(_an_accepted_funded_order)
    real = services._payable

    def slow(*args: Any) -> Any:
        found = real(*args)
        time.sleep(PAUSE)
        return found

    monkeypatch.setattr(services, "_payable", slow)
    # when: two payments at once
    outcomes = race([_pay(special), _pay(special)], tenant=golf)
    # then: one paid, the other refused
    paid = [o for o in outcomes if isinstance(o, Installment)]
    refused = [o for o in outcomes if isinstance(o, ApplicationError)]
    assert (len(paid), len(refused)) == (1, 1), outcomes
    assert refused[0].status_code == 409

    def facts() -> tuple[Decimal, int, int, str]:
        installment = Installment.objects.get(special_order_id=special.pk, sequence=1)
        return (
            wallet_of(user=special.client).balance,
            Payment.objects.filter(invoice__special_order_installment=installment).count(),
            Notification.objects.filter(recipient=special.client, verb="special_order.installment_paid").count(),
            installment.status,
        )

    assert special_committed(facts) == (Decimal("50.00"), 1, 1, "paid")


def _an_order_due_soon() -> Any:
    client = UserFactory(email="race-special-reminded@golf.test", roles=["client"])
    return SpecialOrderFactory(client=client, accepted=True, installments=1)


def _remind() -> Any:
    from tenant_apps.writing.special_orders.services import installments_remind

    return installments_remind(today=timezone.localdate() + timedelta(days=6))


def _reminders(special: Any) -> int:
    from tenant_apps.notifications.models import Notification

    return Notification.objects.filter(recipient=special.client, verb="special_order.installment_reminder").count()


def test_two_reminder_runs_at_once_send_one_reminder(golf: Tenant, special_committed: Committed) -> None:
    # given: one installment due in 7 days, reminders 3 days ahead, the run 6 days on
    special = special_committed(_an_order_due_soon)
    # when
    outcomes = race([_remind, _remind], tenant=golf)
    # then
    assert sorted(len(o["reminded"]) for o in outcomes) == [0, 1], outcomes
    assert special_committed(lambda: _reminders(special)) == 1


def test_without_the_claim_two_runs_both_remind(
    golf: Tenant, special_committed: Committed, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tenant_apps.writing.special_orders import services
    from tenant_apps.writing.special_orders.models import Installment

    # given: the claim replaced by a read then a write; both read before either writes
    special = special_committed(_an_order_due_soon)
    both_read = threading.Barrier(2)

    def read_then_write(installment_id: int, field: str, now: Any) -> bool:
        empty = Installment.objects.filter(pk=installment_id, **{f"{field}__isnull": True}).exists()
        both_read.wait(30)
        Installment.objects.filter(pk=installment_id).update(**{field: now})
        return empty

    monkeypatch.setattr(services, "_claim", read_then_write)
    # when
    race([_remind, _remind], tenant=golf)
    # then: two reminders for one installment
    assert special_committed(lambda: _reminders(special)) == 2
