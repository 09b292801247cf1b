"""Races on committed data: threads with their own database connections, as concurrent requests have.

Each test commits its rows from helper threads (the test's own connection sits in a rolled-back
transaction the threads cannot see), runs the race, and deletes everything it committed afterwards,
restoring the tenant's invoice counter. A pause is injected inside the critical section, so without
the row lock (or the in-transaction event row) more than one writer would get through every time.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from saas.api.errors import ApplicationError
from saas.db.tenant import tenant_connection
from shared_apps.tenancy.models import Tenant
from tests.concurrency import in_thread, race
from tests.conftest import host_of
from tests.factories import InvoiceFactory, StoredFileFactory, StripePaymentFactory, UserFactory, in_days
from tests.tenant_apps.payments.conftest import WEBHOOK, intent_event, sign

WRITERS = 4


@pytest.fixture
def committed(alpha: Tenant) -> Iterator[dict[str, Any]]:
    """Committed rows in alpha for the race (a customer and a 100.00 invoice); removed afterwards."""
    from tenant_apps.accounts.models import User
    from tenant_apps.audit.models import AuditLogEntry
    from tenant_apps.files.models import StoredFile
    from tenant_apps.notifications.models import Notification
    from tenant_apps.payments.models import Invoice, InvoiceCounter, Payment, StripeEvent

    def marks() -> dict[str, Any]:
        with tenant_context(alpha):
            counter = InvoiceCounter.objects.filter(key="invoice").first()
            return {
                "audit": AuditLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0,
                "notification": Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0,
                "counter": counter.value if counter else None,
            }

    def setup() -> dict[str, Any]:
        with tenant_context(alpha):
            customer = UserFactory(email="racer@alpha.test", roles=["student"])
            invoice = InvoiceFactory(
                customer=customer,
                due_date=in_days(7),
                lines=[{"description": "Fee", "quantity": 1, "unit_price": "100.00"}],
            )
            return {"customer": customer, "invoice": invoice}

    before = in_thread(marks)
    rows = in_thread(setup)
    try:
        yield rows
    finally:

        def cleanup() -> None:
            with tenant_context(alpha):
                StripeEvent.objects.filter(payment__invoice=rows["invoice"]).delete()
                StripeEvent.objects.filter(event_id__startswith="evt_race_").delete()
                receipts = list(StoredFile.objects.filter(uploaded_by=rows["customer"]))
                Payment.objects.filter(invoice=rows["invoice"]).delete()
                for stored in receipts:
                    stored.file.delete(save=False)
                    stored.delete()
                Invoice.objects.filter(pk=rows["invoice"].pk).delete()
                User.objects.filter(pk=rows["customer"].pk).delete()
                AuditLogEntry.objects.filter(id__gt=before["audit"]).delete()
                Notification.objects.filter(id__gt=before["notification"]).delete()
                if before["counter"] is None:
                    InvoiceCounter.objects.filter(key="invoice").delete()
                else:
                    InvoiceCounter.objects.filter(key="invoice").update(value=before["counter"])

        in_thread(cleanup)
        tenant_connection().set_schema_to_public()


def test_concurrent_offline_payments_cannot_overpay(
    alpha: Tenant, committed: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: four payers' worth of 60.00 receipts against one 100.00 invoice, committed
    from tenant_apps.payments import services
    from tenant_apps.payments.models import Payment

    customer, invoice = committed["customer"], committed["invoice"]

    def upload() -> list[Any]:
        with tenant_context(alpha):
            return [StoredFileFactory(name=f"r{i}.pdf", uploaded_by=customer) for i in range(WRITERS)]

    receipts = in_thread(upload)
    real_open_amount = services.offline._open_amount

    def slow_open_amount(locked_invoice: Any) -> Decimal:
        amount = real_open_amount(locked_invoice)
        time.sleep(0.2)  # everyone has read the open amount before anyone writes, unless the lock queues them
        return amount

    monkeypatch.setattr(services.offline, "_open_amount", slow_open_amount)

    def pay(index: int) -> Callable[[], Any]:
        def run() -> Any:
            with tenant_context(alpha):
                return services.payment_offline_submit(
                    invoice=invoice,
                    payer=customer,
                    amount="60.00",
                    tracking_code=f"RACE-{index}",
                    receipt=receipts[index],
                )

        return run

    # when
    results = race([pay(i) for i in range(WRITERS)])
    # then: one payment got through, every other one was refused as an overpayment
    accepted = [r for r in results if isinstance(r, Payment)]
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(accepted) == 1, results
    assert [r.code for r in refused] == ["overpayment"] * (WRITERS - 1), results

    def reserved() -> Decimal:
        with tenant_context(alpha):
            return sum((p.amount for p in Payment.objects.filter(invoice=invoice)), Decimal("0"))

    assert in_thread(reserved) == Decimal("60.00")


def test_concurrent_deliveries_of_one_event_apply_it_once(
    alpha: Tenant, committed: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a committed pending card payment of the whole invoice, and its success event
    from tenant_apps.audit.models import AuditLogEntry
    from tenant_apps.payments import services
    from tenant_apps.payments.models import Payment, StripeEvent

    customer, invoice = committed["customer"], committed["invoice"]

    def make_payment() -> Payment:
        with tenant_context(alpha):
            return StripePaymentFactory(
                invoice=invoice, payer=customer, amount=Decimal("100.00"), payment_intent_id="pi_race_1"
            )

    payment = in_thread(make_payment)
    intent = {
        "id": "pi_race_1",
        "object": "payment_intent",
        "amount": 10000,
        "amount_received": 10000,
        "currency": "usd",
        "status": "succeeded",
        "metadata": {"tenant": "alpha", "invoice": str(invoice.pk), "payment": str(payment.pk)},
    }
    payload = json.dumps(intent_event(intent, "payment_intent.succeeded", event_id="evt_race_1"))
    real_apply = services.stripe_payments._apply_intent_event

    def slow_apply(*args: Any) -> Any:
        time.sleep(0.2)  # the first delivery holds its event row while the others arrive
        return real_apply(*args)

    monkeypatch.setattr(services.stripe_payments, "_apply_intent_event", slow_apply)

    def deliver() -> Any:
        response = APIClient(HTTP_HOST=host_of(alpha)).generic(
            "POST", WEBHOOK, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(payload)
        )
        return response.status_code, response.json()["status"]

    # when
    results = race([deliver] * WRITERS)
    # then
    assert sorted(results) == sorted([(200, "processed")] + [(200, "duplicate")] * (WRITERS - 1)), results

    def state() -> tuple[Any, ...]:
        with tenant_context(alpha):
            invoice.refresh_from_db()
            return (
                Payment.objects.get(pk=payment.pk).status,
                invoice.status,
                invoice.amount_paid,
                StripeEvent.objects.filter(event_id="evt_race_1").count(),
                AuditLogEntry.objects.filter(verb="payment.approved", target_id=str(payment.pk)).count(),
            )

    assert in_thread(state) == ("approved", "paid", Decimal("100.00"), 1, 1)
