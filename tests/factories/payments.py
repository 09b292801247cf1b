"""Invoices, bank transfers and card payments, made by ``payments.services``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from unittest import mock

import factory

from tenant_apps.accounts.models import User
from tenant_apps.payments import stripe_gateway
from tenant_apps.payments.access import finance_roles
from tenant_apps.payments.models import Invoice, Payment, PaymentStatus
from tenant_apps.payments.services import (
    invoice_cancel,
    invoice_create,
    payment_approve,
    payment_offline_submit,
    payment_reject,
    payment_stripe_start,
)
from tests.factories.accounts import UserFactory
from tests.factories.base import ServiceFactory, in_days, site_admin
from tests.factories.files import StoredFileFactory

#: ``InvoiceFactory(amount_paid=IN_FULL)`` (the ``paid`` trait): approved payments cover the total.
IN_FULL = "in full"


def finance_user(*, exclude: Any = None) -> User:
    """The current site's first active finance user (a finance role or ``admin``), other than ``exclude``:
    who decides payments when a factory is not told."""
    users = User.objects.filter(groups__name__in=finance_roles(), is_active=True)
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    found = users.order_by("pk").first()
    if found is None:
        raise LookupError("This site has no finance user to decide the payment: pass decided_by.")
    return found


class InvoiceFactory(ServiceFactory[Invoice]):
    """An invoice issued by ``invoice_create`` to ``customer``: the next number of the tenant's
    counter, lines checked and totalled, the ``invoice.issued`` audit row; not e-mailed unless
    ``send_email=True``. By default one line "Course fee" of ``total`` (a parameter, "100.00"),
    due in 30 days, in the site's currency.

    ``amount_paid``: approved bank transfers of that much are recorded through ``PaymentFactory``,
    so ``status`` and ``amount_paid`` are derived by the services. ``cancel_reason``: when not
    ``None``, the site's admin cancels the invoice (``invoice_cancel``).

    Traits: ``paid`` (``amount_paid=IN_FULL``), ``cancelled``.
    """

    class Meta:
        model = Invoice

    class Params:
        total = "100.00"
        paid = factory.Trait(amount_paid=IN_FULL)
        cancelled = factory.Trait(cancel_reason="Issued by mistake.")

    customer = factory.SubFactory(UserFactory)
    lines = factory.LazyAttribute(lambda o: [{"description": "Course fee", "quantity": 1, "unit_price": o.total}])
    due_date = factory.LazyFunction(lambda: in_days(30))
    currency: str | None = None
    note = ""
    created_by = None
    send_email = False
    amount_paid: Decimal | str | None = None
    cancel_reason: str | None = None

    @classmethod
    def _create(cls, model_class: type[Invoice], *args: Any, **kwargs: Any) -> Invoice:
        amount_paid = kwargs.pop("amount_paid")
        cancel_reason = kwargs.pop("cancel_reason")
        invoice = invoice_create(**kwargs)
        if amount_paid:
            amount = invoice.total if amount_paid == IN_FULL else amount_paid
            PaymentFactory.create(invoice=invoice, amount=amount, status=PaymentStatus.APPROVED)
        if cancel_reason is not None:
            invoice_cancel(invoice=invoice, actor=site_admin(), reason=cancel_reason)
        invoice.refresh_from_db()
        return invoice


class PaymentFactory(ServiceFactory[Payment]):
    """A bank transfer submitted by ``payment_offline_submit``: ``amount`` (default: what is left
    to pay) towards ``invoice`` by ``payer`` (default: its customer) with a PDF ``receipt`` the
    payer uploaded and a unique ``tracking_code``; refused like the API would (overpayment,
    cancelled invoice, a receipt or tracking code in use...). The finance users are notified.

    ``status``: ``approved`` (``payment_approve``) or ``rejected`` (``payment_reject`` with
    ``reason``), decided by ``decided_by`` (default: the site's first finance user who is not the
    payer); the invoice's amounts follow.

    Traits: ``approved``, ``rejected``.
    """

    class Meta:
        model = Payment

    class Params:
        approved = factory.Trait(status=PaymentStatus.APPROVED)
        rejected = factory.Trait(status=PaymentStatus.REJECTED)

    invoice = factory.SubFactory(InvoiceFactory)
    payer = factory.SelfAttribute("invoice.customer")
    amount = factory.LazyAttribute(lambda o: o.invoice.total - o.invoice.amount_paid)
    tracking_code = factory.Sequence(lambda n: f"TRK-F{n}")
    receipt = factory.SubFactory(
        StoredFileFactory, uploaded_by=factory.SelfAttribute("..payer"), name=factory.Sequence(lambda n: f"r{n}.pdf")
    )
    status = PaymentStatus.PENDING
    decided_by = None
    reason = "The transfer did not arrive."

    @classmethod
    def _create(cls, model_class: type[Payment], *args: Any, **kwargs: Any) -> Payment:
        status, decided_by, reason = kwargs.pop("status"), kwargs.pop("decided_by"), kwargs.pop("reason")
        payment = payment_offline_submit(**kwargs)
        if status == PaymentStatus.PENDING:
            return payment
        actor = decided_by or finance_user(exclude=payment.payer)
        if status == PaymentStatus.APPROVED:
            return payment_approve(payment=payment, actor=actor)
        if status == PaymentStatus.REJECTED:
            return payment_reject(payment=payment, actor=actor, reason=reason)
        raise ValueError(f"PaymentFactory: unknown status {status!r}")


class StripePaymentFactory(ServiceFactory[Payment]):
    """A pending card payment started by ``payment_stripe_start``: ``amount`` (default: what is left
    to pay) towards ``invoice`` by ``payer`` (default: its customer), refused like the API would
    (overpayment, cancelled invoice), audited (``payment.stripe_started``).

    Stripe itself is stood in for: the service gets a PaymentIntent ``payment_intent_id`` back
    (``requires_payment_method``) without a network call, as if online payments were on. Deciding
    the payment is the webhook's business (``stripe_event_process``), so there is no status here.
    """

    class Meta:
        model = Payment

    invoice = factory.SubFactory(InvoiceFactory)
    payer = factory.SelfAttribute("invoice.customer")
    amount: Decimal | str | None = None
    payment_intent_id = factory.Sequence(lambda n: f"pi_factory_{n}")

    @classmethod
    def _create(
        cls,
        model_class: type[Payment],
        *,
        invoice: Invoice,
        payer: Any,
        amount: Decimal | str | None,
        payment_intent_id: str,
    ) -> Payment:
        def intent(**_: Any) -> stripe_gateway.Intent:
            return stripe_gateway.Intent(
                id=payment_intent_id,
                client_secret=f"{payment_intent_id}_secret_factory",
                status="requires_payment_method",
                data={},
            )

        with mock.patch.multiple(
            stripe_gateway,
            require_payments_enabled=lambda: None,
            payment_intent_create=intent,
            payment_intent_retrieve=lambda intent_id: intent(),
            customer_create=lambda **_: f"cus_factory_{payer.pk}",
        ):
            return payment_stripe_start(invoice=invoice, payer=payer, amount=amount).payment
