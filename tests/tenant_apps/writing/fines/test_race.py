"""Races on one fine, on committed rows from threads with their own connections (as concurrent
requests are).

1. Two admins decide one appeal at once, one accepting and one rejecting. Under the fine's lock
   (the writer's wallet, then the fine: ``locks.fine_lock``) and the appeal's, the second waits
   and is refused (409 ``invalid_status_transition``): one decision stands. Without the locks, the
   second reads the appeal pending before the first commits: both pass, and the fine ends reversed
   (its money given back) under an appeal marked rejected.
2. An admin accepts an appeal while the writer's fines are being deducted (an order of theirs
   completing). Under the locks either runs first and the writer ends with all their money: what
   was deducted is given back, or nothing is deducted from a reversed fine. Without them, the
   acceptance reads the fine with nothing deducted, the deduction takes 8.00 and commits, then the
   acceptance reverses the fine giving back what it read (nothing): the writer won the appeal and
   lost the money. (The other interleaving, the deduction writing a fine reversed meanwhile, is
   refused by the table's check constraints, which roll the deduction back.)

The interleavings the locks forbid are staged with events, not pauses; a pause after the locked
read lets both start before either writes when the locks are on. Everything committed is deleted
afterwards (``committed``).
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
from tests.factories import UserFactory
from tests.factories.base import site_admin

PAUSE = 0.3
Committed = Callable[[Callable[[], Any]], Any]


def _an_appealed_fine(*, fund: str = "0.00") -> Any:
    """A writer fined 8.00 on an empty wallet (nothing deducted), the fine appealed, then ``fund``
    put in the wallet (nothing collects it yet)."""
    from tenant_apps.wallet.services import wallet_open, wallet_top_up
    from tenant_apps.writing.fines.services import fine_appeal, fine_issue

    writer = UserFactory(email="race-fine-writer@golf.test", roles=["writer"])
    fine = fine_issue(writer=writer, amount="8.00", reason="Plagiarism.", actor=site_admin())
    fine_appeal(fine=fine, writer=writer, explanation="Not me.")
    if Decimal(fund):
        wallet_top_up(wallet=wallet_open(user=writer), amount=fund, memo="race funds")
    return fine


def _state(fine: Any) -> tuple[str, str, Decimal, Decimal]:
    """(the fine's status, its appeal's, what was deducted, the writer's balance)."""
    from tenant_apps.wallet.selectors import wallet_of
    from tenant_apps.writing.fines.models import Fine

    found = Fine.objects.select_related("appeal", "writer").get(pk=fine.pk)
    return found.status, found.appeal.status, found.deducted, wallet_of(user=found.writer).balance


def _accept(fine: Any) -> Callable[[], Any]:
    def call() -> Any:
        from tenant_apps.writing.fines.services import fine_appeal_accept

        return fine_appeal_accept(fine=fine, actor=site_admin(), note="Fair.")

    return call


def _reject(fine: Any) -> Callable[[], Any]:
    def call() -> Any:
        from tenant_apps.writing.fines.services import fine_appeal_reject

        return fine_appeal_reject(fine=fine, actor=site_admin(), note="It stands.")

    return call


def _collect(fine: Any) -> Callable[[], Any]:
    def call() -> Any:
        from tenant_apps.writing.fines.services import fines_collect

        return fines_collect(writer=fine.writer)

    return call


def _unlocked(monkeypatch: pytest.MonkeyPatch, *, wait_in: threading.local, until: threading.Event) -> None:
    """Replace the fines' locks by plain reads; the thread marked in ``wait_in`` waits, after its
    read, until ``until`` is set (the other side committed), and the other side waits, after its
    own read, until the marked one has read: both read before either writes, on every run (without
    the second wait, a marked thread started late read after the other committed, and the
    negative control passed by luck)."""
    from tenant_apps.wallet.services import wallet_open
    from tenant_apps.writing.fines import services
    from tenant_apps.writing.fines.models import Fine, FineAppeal, FineStatus

    marked_read = threading.Event()

    def hold() -> None:
        if getattr(wait_in, "is_it", False):
            marked_read.set()
            assert until.wait(30), "the other side did not commit"
        else:
            assert marked_read.wait(30), "the marked side did not read"

    def fine_read(pk: int) -> Any:
        fine = Fine.objects.select_related("writer", "order").get(pk=pk)
        return wallet_open(user=fine.writer), fine

    def appeal_read(fine_id: int) -> Any:
        found = FineAppeal.objects.filter(fine_id=fine_id).first()
        hold()
        return found

    def fines_read(writer: Any) -> Any:
        fines = list(
            Fine.objects.select_related("order")
            .filter(writer_id=writer.pk, status=FineStatus.OUTSTANDING)
            .order_by("pk")
        )
        wallet = wallet_open(user=writer)
        hold()
        return wallet, fines

    monkeypatch.setattr(services, "fine_lock", fine_read)
    monkeypatch.setattr(services, "appeal_lock", appeal_read)
    monkeypatch.setattr(services, "writer_fines_lock", fines_read)


def _first_then_second(first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Any, Any, Any, Any]:
    """``(first', second', marker, event)``: ``first'`` sets the event when done; ``second'`` marks
    its thread as the one that waits."""
    done = threading.Event()
    marker = threading.local()

    def one() -> Any:
        try:
            return first()
        finally:
            done.set()

    def two() -> Any:
        marker.is_it = True
        return second()

    return one, two, marker, done


def test_an_accept_and_a_reject_at_once_decide_the_appeal_once(
    golf: Tenant, committed: Committed, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tenant_apps.writing.fines import services
    from tenant_apps.writing.fines.models import Fine

    # given: an appealed fine; the locked read of the appeal held open
    fine = committed(_an_appealed_fine)
    real = services.appeal_lock

    def slow(fine_id: int) -> Any:
        found = real(fine_id)
        time.sleep(PAUSE)
        return found

    monkeypatch.setattr(services, "appeal_lock", slow)
    # when
    outcomes = race([_accept(fine), _reject(fine)], tenant=golf)
    # then: one decision; the other refused
    done = [o for o in outcomes if isinstance(o, Fine)]
    refused = [o for o in outcomes if isinstance(o, ApplicationError)]
    assert (len(done), len(refused)) == (1, 1), outcomes
    assert (refused[0].status_code, refused[0].code) == (409, "invalid_status_transition")
    status, appeal, _, _ = committed(lambda: _state(fine))
    assert (status, appeal) in {("reversed", "accepted"), ("outstanding", "rejected")}


def test_without_the_locks_an_accept_and_a_reject_both_pass(
    golf: Tenant, committed: Committed, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tenant_apps.writing.fines.models import Fine

    # given: the locks replaced by plain reads; the reject reads the appeal, then waits for the accept
    fine = committed(_an_appealed_fine)
    one, two, marker, done = _first_then_second(_accept(fine), _reject(fine))
    _unlocked(monkeypatch, wait_in=marker, until=done)
    # when
    outcomes = race([one, two], tenant=golf)
    # then: both passed: the fine is reversed under an appeal marked rejected
    assert all(isinstance(o, Fine) for o in outcomes), outcomes
    assert committed(lambda: _state(fine))[:2] == ("reversed", "rejected")


def test_an_accept_while_the_fines_are_deducted_leaves_the_writer_whole(
    golf: Tenant, committed: Committed, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tenant_apps.writing.fines import services

    # given: an appealed 8.00 fine, nothing deducted, 10.00 in the wallet; the locked deduction held open
    fine = committed(lambda: _an_appealed_fine(fund="10.00"))
    real = services._collectable

    def slow(found: Any) -> bool:
        time.sleep(PAUSE)
        return real(found)

    monkeypatch.setattr(services, "_collectable", slow)
    # when: the admin accepts while the deduction runs
    outcomes = race([_accept(fine), _collect(fine)], tenant=golf)
    # then: whichever went first, the fine is reversed and the writer has her 10.00
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    status, appeal, _, balance = committed(lambda: _state(fine))
    assert (status, appeal, balance) == ("reversed", "accepted", Decimal("10.00"))


def test_without_the_locks_an_accepted_appeal_gives_nothing_back(
    golf: Tenant, committed: Committed, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the locks replaced by plain reads; the accept reads the fine, then waits for the deduction
    fine = committed(lambda: _an_appealed_fine(fund="10.00"))
    one, two, marker, done = _first_then_second(_collect(fine), _accept(fine))
    _unlocked(monkeypatch, wait_in=marker, until=done)
    # when
    outcomes = race([one, two], tenant=golf)
    # then: the appeal was accepted, yet 8.00 was taken and never given back
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    _, appeal, deducted, balance = committed(lambda: _state(fine))
    assert (appeal, deducted, balance) == ("accepted", Decimal("8.00"), Decimal("2.00"))
