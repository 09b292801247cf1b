"""Writes on invoices and payments, in the current tenant's schema: ``invoices``, ``offline``
(bank transfers) and ``stripe_payments`` (cards and the webhook), sharing ``_common``.

Rules (issue "Payments and invoices"; seeds 000 — invoices, partial and offline payments, approval
by a financial role — and 003 — Stripe payments, PDF invoices e-mailed):

* An invoice is issued when created, numbered ``INV-000001``, ``INV-000002``, ... per tenant without
  gaps, and e-mailed to its customer with its PDF; it is e-mailed again when it becomes paid.
* Payments are **pending** until decided. Pending and approved payments together never exceed the
  invoice total: a payment that would is refused with ``overpayment`` (409). Offline payments are
  decided by a finance user (``access.finance_roles``); Stripe payments by Stripe's events.
* Approved payments may be refunded (``refunds``), through Stripe for cards; the guest's Stripe
  Customer is created on their first card payment and reused (``stripe_customer_for``).
* The invoice's ``amount_paid`` and ``status`` are recomputed from its approved payments in the
  transaction of every change (``_invoice_settle``).

Locking: every write that reads or changes an invoice's payments first locks the invoice row
(``select_for_update``), then the payment row: always in that order, so two writers on one invoice
queue up instead of both passing the overpayment check or deadlocking.

Every function is atomic and calls ``audit_record`` for each state change inside its transaction.
"""

from tenant_apps.payments.services.invoices import (
    MAX_LINES,
    MAX_QUANTITY,
    LineItem,
    invoice_call_off,
    invoice_cancel,
    invoice_create,
    invoice_email_deliver,
)
from tenant_apps.payments.services.offline import RECEIPT_TYPES, payment_approve, payment_offline_submit, payment_reject
from tenant_apps.payments.services.refunds import invoice_refunded_amount, payment_refund, refunded_amount
from tenant_apps.payments.services.stripe_payments import (
    StripeCheckout,
    WebhookResult,
    application_fee_minor,
    payment_stripe_start,
    stripe_customer_for,
    stripe_event_apply,
    stripe_event_process,
)
from tenant_apps.payments.services.wallet_payments import payment_wallet_pay

__all__ = [
    "MAX_LINES",
    "MAX_QUANTITY",
    "RECEIPT_TYPES",
    "LineItem",
    "StripeCheckout",
    "WebhookResult",
    "application_fee_minor",
    "invoice_call_off",
    "invoice_cancel",
    "invoice_create",
    "invoice_email_deliver",
    "invoice_refunded_amount",
    "payment_approve",
    "payment_offline_submit",
    "payment_refund",
    "payment_reject",
    "payment_stripe_start",
    "payment_wallet_pay",
    "refunded_amount",
    "stripe_customer_for",
    "stripe_event_apply",
    "stripe_event_process",
]
