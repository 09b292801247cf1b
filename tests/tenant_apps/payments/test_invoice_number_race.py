"""Invoices created at the same moment get consecutive numbers, each once.

Threads with their own database connections create invoices on committed data, as concurrent
requests do. A pause is injected between reading the tenant's invoice counter and writing the next
value, so without the counter's lock (``payments/locks.py`` ``invoice_counter_lock``) every writer
would read the same value; the second test shows that happening. Everything committed is deleted
afterwards and the counter restored.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError
from django.utils import timezone
from django_tenants.utils import tenant_context

from saas.db.tenant import tenant_connection
from shared_apps.tenancy.models import Tenant
from tests.concurrency import in_thread, race
from tests.conftest import PASSWORD

WRITERS = 4
PAUSE = 0.3


@pytest.fixture
def customer(alpha: Any) -> Iterator[Any]:
    """A committed customer in alpha; their invoices, the audit rows written meanwhile and the
    invoice counter's value are undone afterwards."""
    from tenant_apps.accounts.models import User
    from tenant_apps.accounts.services import user_create
    from tenant_apps.audit.models import AuditLogEntry
    from tenant_apps.payments.models import Invoice, InvoiceCounter

    def marks() -> dict[str, Any]:
        with tenant_context(alpha):
            counter = InvoiceCounter.objects.filter(key="invoice").first()
            return {
                "audit": AuditLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0,
                "counter": counter.value if counter else None,
            }

    def setup() -> Any:
        with tenant_context(alpha):
            return user_create(email="numbers-racer@alpha.test", password=PASSWORD, roles=["student"])

    before = in_thread(marks)
    user = in_thread(setup)
    try:
        yield user
    finally:

        def cleanup() -> None:
            with tenant_context(alpha):
                Invoice.objects.filter(customer=user).delete()
                User.objects.filter(pk=user.pk).delete()
                AuditLogEntry.objects.filter(id__gt=before["audit"]).delete()
                if before["counter"] is None:
                    InvoiceCounter.objects.filter(key="invoice").delete()
                else:
                    InvoiceCounter.objects.filter(key="invoice").update(value=before["counter"])

        in_thread(cleanup)
        tenant_connection().set_schema_to_public()


def _slow(counter_lock: Callable[[str], Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Read the counter through ``counter_lock``, then pause before the next number is written."""
    from tenant_apps.payments import services

    def slow(key: str) -> Any:
        counter = counter_lock(key)
        time.sleep(PAUSE)  # every writer has read the counter by now, unless the lock queues them
        return counter

    monkeypatch.setattr(services.invoices, "invoice_counter_lock", slow)


def _create_at_once(alpha: Any, customer: Any) -> list[Any]:
    from tenant_apps.payments.services import invoice_create

    def create() -> Any:
        with tenant_context(alpha):
            return invoice_create(
                customer=customer,
                due_date=timezone.localdate() + timedelta(days=7),
                lines=[{"description": "Fee", "quantity": 1, "unit_price": "10.00"}],
                send_email=False,
            ).number

    return race([create] * WRITERS)


def _counter(alpha: Any) -> int:
    from tenant_apps.payments.models import InvoiceCounter

    def read() -> int:
        with tenant_context(alpha):
            return int(InvoiceCounter.objects.get(key="invoice").value)

    return in_thread(read)


def test_invoices_created_at_once_get_consecutive_numbers_each_once(
    alpha: Tenant, customer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the counter's lock, slowed down
    from tenant_apps.payments.locks import invoice_counter_lock

    _slow(invoice_counter_lock, monkeypatch)
    # when
    numbers = _create_at_once(alpha, customer)
    # then: no writer failed, and the numbers are the counter's next ones, without gaps or repeats
    assert all(isinstance(n, str) for n in numbers), numbers
    last = _counter(alpha)
    assert sorted(numbers) == [f"INV-{n:06d}" for n in range(last - WRITERS + 1, last + 1)]


def test_without_the_counter_lock_writers_take_the_same_number(
    alpha: Tenant, customer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the counter read without its lock (what the test above guards against)
    from tenant_apps.payments.models import InvoiceCounter

    def plain_read(key: str) -> Any:
        InvoiceCounter.objects.get_or_create(key=key)
        return InvoiceCounter.objects.get(key=key)

    _slow(plain_read, monkeypatch)
    # when
    numbers = _create_at_once(alpha, customer)
    # then: writers computed a number another one had taken, and failed on its uniqueness
    failures = [n for n in numbers if isinstance(n, Exception)]
    assert failures, numbers
    assert all(isinstance(f, IntegrityError) and "payments_invoice_number" in str(f) for f in failures), failures
