"""Two redemptions of one client's points at the same moment (150 points, 100 each), on
committed rows from threads with their own connections (as concurrent requests are): for wallet
credit, and at checkout (two orders placed at once, each redeeming 100 points).

Under the account's lock (``loyalty.locks.account_lock``) the second waits for the first to
commit, sees 50 points left and is refused (409 ``insufficient_points``): 100 points redeemed, 50
left. A pause after the locked check lets both start before either writes.

Without the lock (replaced by a plain read), the checkouts' interleaving it forbids is staged with
an event: the second reads the balance, then waits until the first has committed, and both pass:
200 points redeemed out of 150. (A redemption for wallet credit also takes the client's wallet
lock first, so the checkouts, which take only the account's, are the negative control.)
Everything committed is deleted afterwards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from saas.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tests.concurrency import race
from tests.factories import PointsAwardFactory, UserFactory
from tests.tenant_apps.writing.discounts.race import incentive_rows
from tests.tenant_apps.writing.orders.conftest import order_body

__all__ = ["incentive_rows"]

PAUSE = 0.3


def _a_client_with_150_points() -> Any:
    from tenant_apps.writing.loyalty.services import loyalty_settings

    settings = loyalty_settings()
    settings.minimum_redeem, settings.point_value = 1, Decimal("0.01")
    settings.save()
    client = UserFactory(email="race-points@golf.test", roles=["client"])
    PointsAwardFactory(user=client, points=150, reference="race:points")
    return client


def _redeem(client: Any) -> Callable[[], Any]:
    def call() -> Any:
        from tenant_apps.writing.loyalty.services import points_redeem_for_wallet

        return points_redeem_for_wallet(user=client, points=100)

    return call


def _state(client: Any) -> tuple[int, int, Decimal]:
    """(the balance, the points redeemed, the wallet's balance)."""
    from tenant_apps.wallet.selectors import wallet_of
    from tenant_apps.writing.loyalty.models import LoyaltyAccount, PointsEntry, PointsKind

    redeemed = sum(-e.points for e in PointsEntry.objects.filter(account__user=client, kind=PointsKind.REDEEM))
    return LoyaltyAccount.objects.get(user=client).balance, redeemed, wallet_of(user=client).balance


def test_two_redemptions_at_once_never_spend_more_than_the_balance(
    golf: Tenant, incentive_rows: Callable[[Callable[[], Any]], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tenant_apps.writing.loyalty import services
    from tenant_apps.writing.loyalty.models import PointsEntry

    # given: 150 points, committed; the locked check held open
    client = incentive_rows(_a_client_with_150_points)
    real = services._check_redeemable

    def slow(*args: Any) -> None:
        real(*args)
        time.sleep(PAUSE)

    monkeypatch.setattr(services, "_check_redeemable", slow)
    # when: two redemptions of 100 at once
    outcomes = race([_redeem(client), _redeem(client)], tenant=golf)
    # then: one passes, the other is refused
    done = [o for o in outcomes if isinstance(o, PointsEntry)]
    refused = [o for o in outcomes if isinstance(o, ApplicationError)]
    assert (len(done), len(refused)) == (1, 1), outcomes
    assert (refused[0].status_code, refused[0].code) == (409, "insufficient_points")
    assert incentive_rows(lambda: _state(client)) == (50, 100, Decimal("1.00"))


def _checkout(client: Any) -> Callable[[], Any]:
    def call() -> Any:
        from tenant_apps.writing.orders.services import order_place

        body = order_body(redeem_points=100)
        body["deadline"] = datetime.fromisoformat(body["deadline"])
        return order_place(client=client, **body)

    return call


def test_two_checkouts_at_once_never_redeem_more_than_the_balance(
    golf: Tenant, incentive_rows: Callable[[Callable[[], Any]], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tenant_apps.writing.loyalty import services
    from tenant_apps.writing.orders.models import Order

    # given: 150 points, committed; the locked check held open
    client = incentive_rows(_a_client_with_150_points)
    real = services._check_redeemable

    def slow(*args: Any) -> None:
        real(*args)
        time.sleep(PAUSE)

    monkeypatch.setattr(services, "_check_redeemable", slow)
    # when: two orders redeeming 100 points each are placed at once
    outcomes = race([_checkout(client), _checkout(client)], tenant=golf)
    # then: one order has the points, the other is refused
    placed = [o for o in outcomes if isinstance(o, Order)]
    refused = [o for o in outcomes if isinstance(o, ApplicationError)]
    assert (len(placed), len(refused)) == (1, 1), outcomes
    assert (refused[0].status_code, refused[0].code) == (409, "insufficient_points")
    assert incentive_rows(lambda: _state(client))[:2] == (50, 100)


def test_without_the_lock_two_checkouts_redeem_more_than_was_held(
    golf: Tenant, incentive_rows: Callable[[Callable[[], Any]], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tenant_apps.writing.loyalty import services
    from tenant_apps.writing.loyalty.models import LoyaltyAccount
    from tenant_apps.writing.orders.models import Order

    # given: the account's lock replaced by a plain read. A checkout checks the balance three
    # times: in the quote, in the quote again inside the transaction, and when it redeems; the
    # second checkout's last check reads the account, then waits until the first has committed,
    # and the first waits, at its last check, until the second has made that read: both read
    # 150 before either writes, on every run (without that second wait, a second checkout
    # started late read after the first committed and the control passed by luck).
    client = incentive_rows(_a_client_with_150_points)
    first_committed = threading.Event()
    second_read = threading.Event()
    second = threading.local()
    real = services._check_redeemable

    def check(*args: Any) -> None:
        real(*args)
        second.calls = getattr(second, "calls", 0) + 1
        if second.calls != 3:
            return
        if getattr(second, "is_it", False):
            second_read.set()
            assert first_committed.wait(30), "the first checkout did not commit"
        else:
            assert second_read.wait(30), "the second checkout did not read"

    def first() -> Any:
        try:
            return _checkout(client)()
        finally:
            first_committed.set()

    def then() -> Any:
        second.is_it = True
        return _checkout(client)()

    monkeypatch.setattr(services, "_check_redeemable", check)
    monkeypatch.setattr(services, "account_lock", lambda pk: LoyaltyAccount.objects.select_related("user").get(pk=pk))
    # when
    outcomes = race([first, then], tenant=golf)
    # then: both orders redeemed 100 points: 200 out of 150
    assert all(isinstance(o, Order) for o in outcomes), outcomes
    assert incentive_rows(lambda: _state(client))[1] == 200
