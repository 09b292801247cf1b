"""Two writers requesting one available order at the same moment, in ``first_request`` mode, on
committed rows from threads with their own connections (as concurrent requests are): one gets the
assignment, the other 409 ``invalid_status_transition``, and the order has one writer.

With the lock, a pause after the status check (where the service reads the site's settings) lets
both start before either writes; the order's lock (its invoice, then the order) makes the second
wait, whichever it is. With the lock taken away, the interleaving it forbids is staged with a
barrier, not a pause a loaded machine can reorder: each request, past its status check, waits
until the other is past it too; both are then told the order is theirs: the lock alone does the
work. Everything committed is deleted afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from saas.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tests.concurrency import after_read, race
from tests.factories import OrderFactory, UserFactory


def _an_available_order_and_two_writers() -> dict[str, Any]:
    from tenant_apps.writing.orders.services import order_settings

    row = order_settings()
    row.assignment_mode = "first_request"
    row.save()
    writers = [UserFactory(email=f"race-writer{i}@golf.test", roles=["writer"]) for i in range(2)]
    client = UserFactory(email="race-client@golf.test", roles=["client"])
    return {"order": OrderFactory(client=client, available=True), "writers": writers}


def _slow_settings(monkeypatch: pytest.MonkeyPatch, *, locking: bool) -> None:
    """The request pauses after its status check; ``locking=False`` takes the order's locks away
    and makes each request wait there for the other (a barrier) instead."""
    from tenant_apps.writing.orders.models import Order
    from tenant_apps.writing.orders.services import assignment

    real = assignment.order_settings
    hold = after_read(locking=locking)

    def slow() -> Any:
        hold()
        return real()

    monkeypatch.setattr(assignment, "order_settings", slow)
    if not locking:
        monkeypatch.setattr(assignment, "order_with_invoice_lock", lambda pk: Order.objects.get(pk=pk))


@pytest.mark.parametrize("locking", [True, False], ids=["order_lock", "without_the_lock"])
def test_two_writers_requesting_one_order_get_one_assignment(
    golf: Tenant,
    committed: Callable[[Callable[[], Any]], Any],
    monkeypatch: pytest.MonkeyPatch,
    locking: bool,
) -> None:
    from tenant_apps.writing.orders.models import Order
    from tenant_apps.writing.orders.services import order_request

    # given: an available order, two writers, first_request mode, committed
    rows = committed(_an_available_order_and_two_writers)
    _slow_settings(monkeypatch, locking=locking)
    order = rows["order"]

    def ask(writer: Any) -> Callable[[], Any]:
        def call() -> Any:
            return order_request(order=order, writer=writer)

        return call

    # when: both request it at once
    outcomes = race([ask(writer) for writer in rows["writers"]], tenant=golf)
    # then
    won = [o for o in outcomes if isinstance(o, Order)]
    lost = [o for o in outcomes if isinstance(o, ApplicationError)]
    if locking:
        assert (len(won), len(lost)) == (1, 1), outcomes
        assert (lost[0].status_code, lost[0].code) == (409, "invalid_status_transition")
        stored = committed(lambda: Order.objects.get(pk=order.pk))
        assert stored.writer_id == won[0].writer_id
    else:
        # the negative control: both passed the check and both were told they got it
        assert len(won) == 2, outcomes
        assert {o.writer_id for o in won} == {w.pk for w in rows["writers"]}
