"""``payment_wallet_pay``: an invoice paid from the payer's site wallet, one ledger debit and one
approved ``wallet`` payment in one transaction; ``invoice_paid`` is sent when it becomes paid."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from saas.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tenant_apps.payments.models import Invoice, Payment
from tenant_apps.payments.services import payment_wallet_pay
from tenant_apps.payments.signals import invoice_paid
from tenant_apps.wallet.models import LedgerEntry
from tenant_apps.wallet.selectors import wallet_of
from tests.factories import InvoiceFactory, UserFactory, WalletFactory


@pytest.fixture
def in_alpha(alpha: Tenant) -> Iterator[Tenant]:
    with tenant_context(alpha):
        yield alpha


def test_an_invoice_is_paid_from_the_wallet_once(in_alpha: Tenant) -> None:
    # given: a 100.00 invoice and 150.00 in the customer's wallet
    customer = UserFactory()
    WalletFactory(user=customer, balance="150.00")
    invoice = InvoiceFactory(customer=customer)
    sent: list[Invoice] = []

    def record(sender: Any, *, invoice: Invoice, **kwargs: Any) -> None:
        sent.append(invoice)

    invoice_paid.connect(record, sender=Invoice, dispatch_uid="test_wallet_payments")
    try:
        # when
        payment = payment_wallet_pay(invoice=invoice, payer=customer, reference="test:1")
    finally:
        invoice_paid.disconnect(sender=Invoice, dispatch_uid="test_wallet_payments")
    # then
    assert (payment.method, payment.status, payment.amount) == ("wallet", "approved", Decimal("100.00"))
    assert Invoice.objects.get(pk=invoice.pk).status == "paid"
    assert [i.pk for i in sent] == [invoice.pk]
    assert wallet_of(user=customer).balance == Decimal("50.00")
    assert LedgerEntry.objects.filter(reference="test:1").count() == 1
    # and paying again is refused: nothing is left to pay
    with pytest.raises(ApplicationError) as caught:
        payment_wallet_pay(invoice=invoice, payer=customer, reference="test:2")
    assert caught.value.code == "overpayment"


def test_a_wallet_too_short_is_a_402_and_nothing_moves(in_alpha: Tenant) -> None:
    customer = UserFactory()
    WalletFactory(user=customer, balance="40.00")
    invoice = InvoiceFactory(customer=customer)
    with pytest.raises(ApplicationError) as caught:
        payment_wallet_pay(invoice=invoice, payer=customer, reference="test:1")
    assert (caught.value.status_code, caught.value.code) == (402, "insufficient_funds")
    assert caught.value.details == {"required": "100.00", "available": "40.00", "currency": invoice.currency}
    assert not Payment.objects.filter(invoice=invoice).exists()


def test_a_wallet_in_another_currency_and_a_cancelled_invoice_are_refused(in_alpha: Tenant) -> None:
    customer = UserFactory()
    WalletFactory(user=customer, currency="EUR", balance="500.00")
    invoice = InvoiceFactory(customer=customer, currency="USD")
    with pytest.raises(ApplicationError) as caught:
        payment_wallet_pay(invoice=invoice, payer=customer, reference="test:1")
    assert caught.value.code == "currency_mismatch"
    cancelled = InvoiceFactory(customer=customer, cancelled=True)
    with pytest.raises(ApplicationError) as caught:
        payment_wallet_pay(invoice=cancelled, payer=customer, reference="test:2")
    assert caught.value.code == "invoice_cancelled"
