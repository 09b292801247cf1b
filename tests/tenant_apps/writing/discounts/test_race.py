"""Two clients placing an order with one one-use code at the same moment, on committed rows from
threads with their own connections (as concurrent requests are).

Under the discount's lock (``discounts.locks.discount_lock``, taken by ``order_place`` before it
prices the order again and records the use) the second placement waits for the first to commit,
sees the use and is refused (409 ``discount_limit_reached``): one order gets the code. A pause
inside the locked section lets both start before either writes.

Without the lock (replaced by a plain read), the interleaving it forbids is staged with events:
each placement checks the code before the other commits, and both orders get it: a one-use code
used twice. Everything committed is deleted afterwards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from saas.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tests.concurrency import race
from tests.factories import DiscountFactory, UserFactory
from tests.tenant_apps.writing.discounts.race import incentive_rows
from tests.tenant_apps.writing.orders.conftest import order_body

__all__ = ["incentive_rows"]

PAUSE = 0.3


def _two_clients_and_a_one_use_code() -> tuple[Any, Any, Any]:
    ann = UserFactory(email="race-code-ann@golf.test", roles=["client"])
    bob = UserFactory(email="race-code-bob@golf.test", roles=["client"])
    return ann, bob, DiscountFactory(code="ONLYONCE", one_use=True)


def _place(client: Any) -> Callable[[], Any]:
    def call() -> Any:
        from tenant_apps.writing.orders.services import order_place

        body = order_body(discount_code="ONLYONCE")
        body["deadline"] = datetime.fromisoformat(body["deadline"])
        return order_place(client=client, **body)

    return call


def _uses(discount: Any) -> tuple[int, int]:
    from tenant_apps.writing.discounts.models import Discount, DiscountUse

    return Discount.objects.get(pk=discount.pk).uses_count, DiscountUse.objects.filter(discount=discount).count()


def test_a_one_use_code_racing_in_two_checkouts_is_used_once(
    golf: Tenant, incentive_rows: Callable[[Callable[[], Any]], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tenant_apps.writing.orders.models import Order
    from tenant_apps.writing.orders.services import placement

    # given: two clients and a one-use code, committed; the locked section held open
    ann, bob, discount = incentive_rows(_two_clients_and_a_one_use_code)
    real = placement.discount_use_record

    def slow(**kwargs: Any) -> Any:
        time.sleep(PAUSE)
        return real(**kwargs)

    monkeypatch.setattr(placement, "discount_use_record", slow)
    # when: both place an order with it at once
    outcomes = race([_place(ann), _place(bob)], tenant=golf)
    # then: one order has it, the other is refused
    placed = [o for o in outcomes if isinstance(o, Order)]
    refused = [o for o in outcomes if isinstance(o, ApplicationError)]
    assert (len(placed), len(refused)) == (1, 1), outcomes
    assert (refused[0].status_code, refused[0].code) == (409, "discount_limit_reached")
    assert incentive_rows(lambda: _uses(discount)) == (1, 1)


def test_without_the_lock_both_checkouts_use_the_one_use_code(
    golf: Tenant, incentive_rows: Callable[[Callable[[], Any]], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tenant_apps.writing.discounts.models import Discount
    from tenant_apps.writing.orders.models import Order
    from tenant_apps.writing.orders.services import placement

    # given: the lock replaced by a plain read; each checks the code before the other commits
    ann, bob, discount = incentive_rows(_two_clients_and_a_one_use_code)
    second_checked, first_committed = threading.Event(), threading.Event()
    second = threading.local()
    real = placement.discount_use_record

    def record(**kwargs: Any) -> Any:
        if getattr(second, "is_it", False):
            second_checked.set()
            assert first_committed.wait(30), "the first placement did not commit"
        else:
            assert second_checked.wait(30), "the second placement did not check the code"
        return real(**kwargs)

    def first() -> Any:
        try:
            return _place(ann)()
        finally:
            first_committed.set()

    def then() -> Any:
        second.is_it = True
        return _place(bob)()

    monkeypatch.setattr(placement, "discount_use_record", record)
    monkeypatch.setattr(placement, "discount_lock", lambda pk: Discount.objects.get(pk=pk))
    # when
    outcomes = race([first, then], tenant=golf)
    # then: both orders got the one-use code
    assert all(isinstance(o, Order) for o in outcomes), outcomes
    assert incentive_rows(lambda: _uses(discount))[1] == 2
