"""Two admins approving one return at once, on committed rows, from threads with their own
connections (as concurrent requests are): one approval, one 409 ``invalid_status_transition``, one
refund and one restock. Each approval is held after the return is read (``after_read``), so without the order's and
the return's row locks both approvals read ``inspected`` before either writes, every time: the
negative control shows both passing and the units restocked twice (the refund itself is saved by
its ledger reference). Everything committed is deleted afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from saas.db.tenant import tenant_connection
from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.store.catalog.models import Product
from tenant_apps.store.orders.models import Order
from tenant_apps.store.returns.models import ReturnRequest
from tenant_apps.store.returns.services import _common, return_approve
from tenant_apps.wallet.models import LedgerEntry
from tests.concurrency import after_read, in_thread, race
from tests.factories import CustomerFactory, ReturnRequestFactory, UserFactory
from tests.tenant_apps.store.conftest import committed_marks, remove_committed_since
from tests.tenant_apps.store.returns.conftest import order_of


@pytest.fixture
def inspected(gamma: Tenant) -> Iterator[dict[str, Any]]:
    """Committed in gamma: a delivered order of 2 units, both in an inspected (resellable) return."""
    marks = in_thread(lambda: committed_marks(gamma))

    def setup() -> dict[str, Any]:
        with tenant_context(gamma):
            seller = UserFactory(email="race-seller@gamma.test", roles=["seller"])
            buyer = CustomerFactory(email="race-buyer@gamma.test")
            courier = UserFactory(email="race-courier@gamma.test", roles=["delivery"])
            order = order_of(buyer=buyer, courier=courier, lines=[(seller, "10.00", 2)])
            made = ReturnRequestFactory(order=order, inspected=True)
            product_id = order.items.get().product_id
            assert product_id is not None
            return {
                "return": made,
                "product": product_id,
                "stock": Product.objects.get(pk=product_id).stock,
                "admin": User.objects.get(email="admin@gamma.test"),
            }

    try:
        yield in_thread(setup)
    finally:
        in_thread(lambda: remove_committed_since(gamma, marks))
        tenant_connection().set_schema_to_public()


def _slow_locks(monkeypatch: pytest.MonkeyPatch, *, locking: bool) -> None:
    """The approval pauses after reading the return; ``locking=False`` reads the order and the
    return without a row lock."""
    real_return_lock = _common.return_lock

    hold = after_read(locking=locking)

    def slow_return(pk: int) -> ReturnRequest:
        found = real_return_lock(pk) if locking else ReturnRequest.objects.get(pk=pk)
        hold()
        return found

    monkeypatch.setattr(_common, "return_lock", slow_return)
    if not locking:
        monkeypatch.setattr(_common, "order_lock", lambda pk: Order.objects.get(pk=pk))


def _approve_twice(gamma: Tenant, rows: dict[str, Any]) -> list[str]:
    def approve() -> Callable[[], Any]:
        return lambda: return_approve(return_id=rows["return"].pk, actor=rows["admin"]).status

    return sorted(str(getattr(o, "code", o)) for o in race([approve(), approve()], tenant=gamma))


def _refunds_and_stock(gamma: Tenant, rows: dict[str, Any]) -> tuple[int, int]:
    def read() -> tuple[int, int]:
        with tenant_context(gamma):
            refunds = LedgerEntry.objects.filter(reference=f"return:{rows['return'].pk}:refund").count()
            return refunds, Product.objects.get(pk=rows["product"]).stock - rows["stock"]

    result: tuple[int, int] = in_thread(read)
    return result


def test_two_approvals_at_once_refund_and_restock_once(
    gamma: Tenant, inspected: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    _slow_locks(monkeypatch, locking=True)
    # when
    outcomes = _approve_twice(gamma, inspected)
    # then
    assert outcomes == ["approved", "invalid_status_transition"], outcomes
    assert _refunds_and_stock(gamma, inspected) == (1, 2)


def test_without_the_locks_both_approvals_pass_and_restock_twice(
    gamma: Tenant, inspected: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    _slow_locks(monkeypatch, locking=False)
    # when
    outcomes = _approve_twice(gamma, inspected)
    # then: the negative control: two approvals, 4 units back for 2 returned
    assert outcomes == ["approved", "approved"], outcomes
    assert _refunds_and_stock(gamma, inspected) == (1, 4)
