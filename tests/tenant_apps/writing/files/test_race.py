"""A client attaching a file while an admin cancels her order, committed, from threads with their
own connections (tests/concurrency.py): an attachment never lands on an order already cancelled.

``order_file_add`` checks the order's status under the order's lock (its invoice, then the order),
the lock ``order_cancel`` takes too. With the lock, a pause after the locked read lets both start
before either writes; whichever locks second waits, so either the file is stored before the
cancellation or the upload is refused (409 ``conflict``). Without it (the lock replaced by a plain
read), the interleaving the lock forbids is staged with events, not pauses: the upload reads the
order ``available``, the cancellation then runs and commits, and the upload stores its file on a
cancelled order. Everything committed is deleted afterwards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from saas.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.files import services
from tenant_apps.writing.files.models import OrderFile
from tenant_apps.writing.orders.locks import order_with_invoice_lock
from tenant_apps.writing.orders.models import Order
from tenant_apps.writing.orders.services import order_cancel
from tests.concurrency import race
from tests.factories import PDF, OrderFactory, UserFactory
from tests.factories.base import site_admin

PAUSE = 0.3


def _an_available_order() -> Order:
    client = UserFactory(email="race-files-client@golf.test", roles=["client"])
    return OrderFactory(client=client, available=True)


def _attach(order: Order) -> Callable[[], Any]:
    def call() -> Any:
        upload = SimpleUploadedFile("sources.pdf", PDF, content_type="application/pdf")
        return services.order_file_add(actor=order.client, order=order, upload=upload, category="attachment")

    return call


def _cancel(order: Order) -> Callable[[], Any]:
    def call() -> Any:
        return order_cancel(order=order, actor=site_admin(), reason="race")

    return call


def _outcome(committed: Callable[[Callable[[], Any]], Any], order: Order) -> tuple[Order, list[OrderFile]]:
    return committed(lambda: (Order.objects.get(pk=order.pk), list(OrderFile.objects.filter(order_id=order.pk))))


def test_an_attachment_and_a_cancellation_at_once_never_leave_a_file_on_a_cancelled_order(
    golf: Tenant, committed: Callable[[Callable[[], Any]], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an available order (committed), the upload's locked read held open
    order = committed(_an_available_order)

    def slow_lock(pk: int) -> Order:
        locked = order_with_invoice_lock(pk)
        time.sleep(PAUSE)
        return locked

    monkeypatch.setattr(services, "order_with_invoice_lock", slow_lock)
    # when the client attaches a file as an admin cancels the order
    attached, cancelled = race([_attach(order), _cancel(order)], tenant=golf)
    # then the order is cancelled, and a file stored is one stored before the cancellation
    assert isinstance(cancelled, Order), cancelled
    stored, files = _outcome(committed, order)
    assert stored.status == "cancelled" and stored.cancelled_at is not None
    if isinstance(attached, ApplicationError):
        assert (attached.status_code, attached.code) == (409, "conflict")
        assert files == []
    else:
        assert isinstance(attached, OrderFile), attached
        assert [f.created_at < stored.cancelled_at for f in files] == [True]


def test_without_the_lock_a_file_lands_on_a_cancelled_order(
    golf: Tenant, committed: Callable[[Callable[[], Any]], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the lock replaced by a plain read, the upload's read held until the cancellation committed
    order = committed(_an_available_order)
    read, cancelled_event = threading.Event(), threading.Event()

    def unlocked(pk: int) -> Order:
        found = Order.objects.select_related("client", "writer", "editor").get(pk=pk)
        read.set()
        assert cancelled_event.wait(30), "the cancellation did not commit"
        return found

    def cancel() -> Any:
        try:
            assert read.wait(30), "the upload did not read the order"
            return _cancel(order)()
        finally:
            cancelled_event.set()

    monkeypatch.setattr(services, "order_with_invoice_lock", unlocked)
    # when
    attached, cancelled = race([_attach(order), cancel], tenant=golf)
    # then both pass: a file stored after the order was cancelled
    assert isinstance(attached, OrderFile) and isinstance(cancelled, Order), (attached, cancelled)
    stored, files = _outcome(committed, order)
    assert stored.status == "cancelled" and stored.cancelled_at is not None
    assert [f.created_at > stored.cancelled_at for f in files] == [True]
