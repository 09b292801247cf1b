"""Bids and closings racing, on committed data, from threads with their own connections (as
concurrent requests have).

A pause is injected where a bid reads the minimum (and where closing builds the order), so
without the auction's row lock both racers would read the same state every time; the tests that
take the lock away show exactly that, so the ones with the lock cannot pass by luck. The unique
constraint on ``(auction, amount)`` is shown to back up the lock for equal bids. Everything
committed is deleted afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum
from django_tenants.utils import tenant_context

from saas.db.tenant import tenant_connection
from saas.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tenant_apps.store.auctions import services
from tenant_apps.store.auctions.models import Auction, Bid
from tenant_apps.store.orders.models import Order
from tenant_apps.wallet.models import LedgerEntry
from tests.concurrency import in_thread, race
from tests.factories import CustomerFactory, UserFactory
from tests.factories.store_auctions import AuctionFactory, BidFactory, end_auction
from tests.tenant_apps.store.conftest import committed_marks, remove_committed_since

D = Decimal


@pytest.fixture
def arena(gamma: Tenant) -> Iterator[dict[str, Any]]:
    """Committed in gamma: a live auction (starting at 10.00, increment 1.00) and two customers
    with a location and 1000.00 each."""
    marks = in_thread(lambda: committed_marks(gamma))

    def setup() -> dict[str, Any]:
        with tenant_context(gamma):
            seller = UserFactory(email="race-seller@gamma.test", roles=["seller"])
            bidders = [CustomerFactory(email=f"race-bidder{i}@gamma.test", funds="1000.00") for i in range(2)]
            auction = AuctionFactory(seller=seller, live=True)
            return {"auction": auction, "bidders": bidders}

    rows = in_thread(setup)
    try:
        yield rows
    finally:
        in_thread(lambda: remove_committed_since(gamma, marks))
        tenant_connection().set_schema_to_public()


def _slow_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every bid pauses after reading the minimum, so both read before either writes unless the
    auction's lock queues them."""
    real = services.bids._minimum_bid

    def slow(auction: Auction) -> Decimal:
        minimum = real(auction)
        time.sleep(0.3)
        return minimum

    monkeypatch.setattr(services.bids, "_minimum_bid", slow)


def _without_auction_lock(monkeypatch: pytest.MonkeyPatch, module: Any) -> None:
    monkeypatch.setattr(module, "auction_lock", lambda pk: Auction.objects.get(pk=pk))


def _bid_both(gamma: Tenant, arena: dict[str, Any], amounts: tuple[str, str]) -> list[Any]:
    def bid(bidder: Any, amount: str) -> Callable[[], Any]:
        def run() -> Any:
            return services.bid_place(auction=arena["auction"], bidder=bidder, amount=amount).amount

        return run

    return race([bid(b, a) for b, a in zip(arena["bidders"], amounts, strict=True)], tenant=gamma)


def _state(gamma: Tenant, auction: Auction) -> dict[str, Any]:
    def read() -> dict[str, Any]:
        with tenant_context(gamma):
            row = Auction.objects.get(pk=auction.pk)
            held = LedgerEntry.objects.filter(reference__startswith=f"auction:{auction.pk}:").aggregate(
                total=Sum("held_delta")
            )["total"]
            return {
                "current_price": row.current_price,
                "bids_count": row.bids_count,
                "bids": Bid.objects.filter(auction=auction).count(),
                "held": held or D("0"),
            }

    return dict(in_thread(read))


def _codes(outcomes: list[Any]) -> list[str]:
    return sorted(o.code if isinstance(o, ApplicationError) else "accepted" for o in outcomes)


def test_two_equal_bids_at_once_one_is_accepted(
    gamma: Tenant, arena: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    _slow_minimum(monkeypatch)
    # when
    outcomes = _bid_both(gamma, arena, ("50.00", "50.00"))
    # then
    assert _codes(outcomes) == ["accepted", "bid_too_low"], outcomes
    expected = {"current_price": D("50.00"), "bids_count": 1, "bids": 1, "held": D("50.00")}
    assert _state(gamma, arena["auction"]) == expected


def test_without_the_lock_the_unique_constraint_still_refuses_the_second_equal_bid(
    gamma: Tenant, arena: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the auction lock replaced by a plain read
    _slow_minimum(monkeypatch)
    _without_auction_lock(monkeypatch, services.bids)
    # when
    outcomes = _bid_both(gamma, arena, ("50.00", "50.00"))
    # then: the constraint answers the loser (409 bid_too_low), nothing of it is held
    assert _codes(outcomes) == ["accepted", "bid_too_low"], outcomes
    assert _state(gamma, arena["auction"])["held"] == D("50.00")


def test_two_different_bids_at_once_leave_only_the_leading_amount_held(
    gamma: Tenant, arena: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    _slow_minimum(monkeypatch)
    # when
    _bid_both(gamma, arena, ("50.00", "60.00"))
    # then: whichever came first, the holds sum to the leading amount
    state = _state(gamma, arena["auction"])
    assert state["current_price"] == D("60.00")
    assert state["held"] == state["current_price"]
    assert state["bids_count"] == state["bids"]


def test_without_the_auction_lock_two_different_bids_both_stay_held(
    gamma: Tenant, arena: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the auction lock replaced by a plain read (what the test above guards against)
    _slow_minimum(monkeypatch)
    _without_auction_lock(monkeypatch, services.bids)
    # when
    outcomes = _bid_both(gamma, arena, ("50.00", "60.00"))
    # then: both read "no bids yet", both were accepted, and nobody's hold was released
    assert _codes(outcomes) == ["accepted", "accepted"], outcomes
    state = _state(gamma, arena["auction"])
    assert state["held"] == D("110.00") != state["current_price"]


@pytest.fixture
def ended(gamma: Tenant, arena: dict[str, Any]) -> Auction:
    """The arena's auction with one committed bid (20.00), ended a minute ago."""

    def setup() -> Auction:
        with tenant_context(gamma):
            BidFactory(auction=arena["auction"], bidder=arena["bidders"][0], amount="20.00")
            return end_auction(arena["auction"])

    return in_thread(setup)  # type: ignore[no-any-return]


def _slow_order(monkeypatch: pytest.MonkeyPatch) -> None:
    real = services.closing._order_for

    def slow(auction: Auction, winning: Bid) -> Order:
        time.sleep(0.3)
        return real(auction, winning)

    monkeypatch.setattr(services.closing, "_order_for", slow)


def _close_both(gamma: Tenant, auction: Auction) -> list[Any]:
    def close() -> Any:
        return services.auction_close(auction=auction).order_id

    return race([close, close], tenant=gamma)


def _orders(gamma: Tenant, arena: dict[str, Any]) -> int:
    def count() -> int:
        with tenant_context(gamma):
            return Order.objects.filter(buyer=arena["bidders"][0]).count()

    return int(in_thread(count))


def test_two_closings_at_once_make_one_order(
    gamma: Tenant, arena: dict[str, Any], ended: Auction, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    _slow_order(monkeypatch)
    # when
    outcomes = _close_both(gamma, ended)
    # then
    assert outcomes[0] == outcomes[1] and outcomes[0] is not None, outcomes
    assert _orders(gamma, arena) == 1


def test_without_the_auction_lock_two_closings_make_two_orders(
    gamma: Tenant, arena: dict[str, Any], ended: Auction, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    _slow_order(monkeypatch)
    _without_auction_lock(monkeypatch, services.closing)
    # when
    _close_both(gamma, ended)
    # then
    assert _orders(gamma, arena) == 2
