"""Invoices, their lines, payments against them, and the Stripe events already processed.

Money is ``Decimal`` with 2 decimal places (``DecimalField(max_digits=12, decimal_places=2)``) in
the invoice's ``currency`` (ISO 4217, upper case); payments are in their invoice's currency.

An invoice's ``status`` and ``amount_paid`` are derived from its approved payments. They are
stored (so lists can filter and index them) and recomputed by the services, under the invoice's
row lock, in the same transaction as every change to a payment or to the invoice; the check
constraints below make a stored status that contradicts ``amount_paid`` impossible.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

ZERO = Decimal("0.00")


class InvoiceStatus(models.TextChoices):
    """An invoice's state, derived from its approved payments: ``unpaid`` (nothing approved),
    ``partially_paid``, ``paid`` (approved payments reach the total), ``cancelled`` (only while unpaid)."""

    UNPAID = "unpaid", "Unpaid"
    PARTIALLY_PAID = "partially_paid", "Partially paid"
    PAID = "paid", "Paid"
    CANCELLED = "cancelled", "Cancelled"


class Invoice(models.Model):
    """A bill to ``customer``: numbered lines, a total, a due date, and payments against it.

    ``number`` is ``INV-000001``, sequential per tenant without gaps (``InvoiceCounter``).
    Invoices are issued when created (``issued_at``) and never deleted; a wrong invoice is
    cancelled (``cancelled_at``), which is only possible while nothing has been paid.
    """

    number = models.CharField(max_length=32, unique=True)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invoices")
    currency = models.CharField(max_length=3, help_text="ISO 4217, upper case.")
    total = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="Sum of the line amounts; greater than zero."
    )
    amount_paid = models.DecimalField(
        max_digits=12, decimal_places=2, default=ZERO, help_text="Sum of the approved payments; derived."
    )
    status = models.CharField(  # indexed by ``payments_invoice_status_recent``
        max_length=16,
        choices=InvoiceStatus.choices,
        default=InvoiceStatus.UNPAID,
        help_text="Derived from approved payments and cancellation.",
    )
    due_date = models.DateField()
    note = models.TextField(blank=True, help_text="Free text printed on the invoice.")
    issued_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True, help_text="When approved payments first covered the total.")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("-issued_at", "-id")
        indexes = [
            # lists are newest first: all (finance), by status, a customer's
            models.Index(fields=["-issued_at", "-id"], name="payments_invoice_recent"),
            models.Index(fields=["status", "-issued_at", "-id"], name="payments_invoice_status_recent"),
            models.Index(fields=["customer", "-issued_at"], name="payments_invoice_customer"),
            # what may become overdue (``?overdue=``): ORed equalities, not ``status__in``, which
            # PostgreSQL prints in a form a cloned schema would not reproduce exactly
            models.Index(
                fields=["due_date"],
                condition=Q(status=InvoiceStatus.UNPAID) | Q(status=InvoiceStatus.PARTIALLY_PAID),
                name="payments_invoice_open_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="payments_invoice_total_positive"),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0) & Q(amount_paid__lte=F("total")),
                name="payments_invoice_paid_within_total",
            ),
            # The status is a function of (cancelled_at, amount_paid, total), checked by the database.
            models.CheckConstraint(
                condition=(
                    Q(status=InvoiceStatus.CANCELLED, cancelled_at__isnull=False, amount_paid=0)
                    | Q(status=InvoiceStatus.UNPAID, cancelled_at__isnull=True, amount_paid=0)
                    | Q(
                        status=InvoiceStatus.PARTIALLY_PAID,
                        cancelled_at__isnull=True,
                        amount_paid__gt=0,
                        amount_paid__lt=F("total"),
                    )
                    | Q(status=InvoiceStatus.PAID, cancelled_at__isnull=True, amount_paid=F("total"))
                ),
                name="payments_invoice_status_derived",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class InvoiceLine(models.Model):
    """One line of an invoice: ``quantity`` x ``unit_price`` = ``amount`` (rounded half up to cents)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=300)
    quantity = models.DecimalField(max_digits=10, decimal_places=2)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ("invoice", "position")
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="payments_line_position_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="payments_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="payments_line_price_not_negative"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="payments_line_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.description} x {self.quantity}"


class InvoiceCounter(models.Model):
    """The last number handed out for ``key`` in this tenant; its row is locked to take the next one."""

    key = models.CharField(max_length=32, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class PaymentMethod(models.TextChoices):
    """How a payment is made: ``offline`` (bank transfer with a receipt, decided by a finance user),
    ``stripe`` (card, decided by Stripe's webhook) or ``wallet`` (from the payer's site wallet,
    approved at once: ``services.payment_wallet_pay``)."""

    OFFLINE = "offline", "Offline (bank transfer)"
    STRIPE = "stripe", "Stripe"
    WALLET = "wallet", "Wallet"


class PaymentStatus(models.TextChoices):
    """``pending``: awaiting a finance user's decision or Stripe's event; ``approved``: counts towards the
    invoice's ``amount_paid``; ``rejected``: counts for nothing (``reason`` says why)."""

    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Payment(models.Model):
    """``amount`` paid (or being paid) by ``payer`` towards ``invoice``, in the invoice's currency.

    Offline payments carry the bank's ``tracking_code`` and a ``receipt`` uploaded by the payer,
    and are decided by a financial user (``decided_by``/``decided_at``, ``reason`` when rejected).
    Stripe payments carry their PaymentIntent id and are decided by Stripe's webhook events (a
    site with a connected Stripe account is charged there: ``stripe_account_id``, with the
    platform's ``application_fee``, and its events come through the platform's Connect webhook); a
    succeeded one keeps the card's ``card_fingerprint`` when the event carries it (the same card
    gives the same fingerprint on one Stripe account: the writing referrals refuse a reward on it).
    Pending and approved payments together never exceed the invoice total.
    """

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    payer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    status = models.CharField(  # indexed by ``payments_payment_status_recent``
        max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    tracking_code = models.CharField(max_length=64, blank=True, help_text="Bank tracking code (offline).")
    receipt = models.OneToOneField(
        "files.StoredFile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Bank receipt (offline).",
    )
    reason = models.TextField(blank=True, help_text="Why it was rejected.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    stripe_payment_intent_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    stripe_account_id = models.CharField(
        max_length=255,
        blank=True,
        help_text="The site's connected Stripe account the card payment was charged on (Connect); "
        "empty: the platform's account.",
    )
    application_fee = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The platform's fee on a connected card payment, in the invoice's currency; empty: none.",
    )
    card_fingerprint = models.CharField(
        max_length=64,
        blank=True,
        help_text="Stripe's fingerprint of the card that paid (from the succeeded intent's charge), if it said.",
    )
    impersonated_by = models.EmailField(
        blank=True,
        help_text="The platform staff member who made it while impersonating the payer (issue 17); empty: the user.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["invoice", "status"], name="payments_pay_invoice_status"),
            # lists are newest first: all (finance), by status (the pending queue)
            models.Index(fields=["-created_at", "-id"], name="payments_payment_recent"),
            models.Index(fields=["status", "-created_at", "-id"], name="payments_payment_status_recent"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_payment_amount_positive"),
            models.CheckConstraint(
                condition=~Q(method=PaymentMethod.OFFLINE) | (~Q(tracking_code="") & Q(receipt__isnull=False)),
                name="payments_offline_has_evidence",
            ),
            # One bank transfer is claimed by at most one live (pending or approved) payment.
            models.UniqueConstraint(
                fields=["tracking_code"],
                condition=Q(method=PaymentMethod.OFFLINE) & ~Q(status=PaymentStatus.REJECTED),
                name="payments_tracking_code_live_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} payment {self.pk} of {self.amount} on invoice {self.invoice_id}"


class StripeEvent(models.Model):
    """A Stripe event this tenant has processed; the unique ``event_id`` makes replays no-ops.

    The row is written in the same transaction as the event's effect, so an event is applied
    exactly once even when Stripe delivers it twice at the same moment.
    """

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    payment_intent_id = models.CharField(max_length=255, blank=True)
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=32, help_text="What processing did, e.g. approved, ignored.")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-received_at", "-id")

    def __str__(self) -> str:
        return f"{self.event_id} {self.type} -> {self.outcome}"


class StripeCustomer(models.Model):
    """The Stripe Customer of a user of this site (seed 003: the guest's Stripe customer id).

    Created on the user's first card payment and passed with every later PaymentIntent, so the
    payments of one person group under one customer in Stripe's dashboard (and saved cards can
    follow). One per user and site: a user of two sites is two customers, as the sites are.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stripe_customer")
    customer_id = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.customer_id} for user {self.user_id}"


class RefundStatus(models.TextChoices):
    """A refund's state, as Stripe reports it (an offline refund is recorded ``succeeded``)."""

    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class Refund(models.Model):
    """Money given back on an approved ``payment``: ``amount`` in the invoice's currency.

    A card payment is refunded through Stripe (``stripe_refund_id``); an offline one is recorded
    as paid back by the site. Refunds that have not failed never add up to more than the payment
    (checked under the payment's lock). The invoice stays ``paid``: a refund is a movement of its
    own, listed with the payment, not an unpaying of the invoice.
    """

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    reason = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    stripe_refund_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    impersonated_by = models.EmailField(
        blank=True,
        help_text="The platform staff member who made it while impersonating the finance user (issue 17); "
        "empty: the user.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payments_refund_amount_positive")]

    def __str__(self) -> str:
        return f"refund {self.pk} of {self.amount} on payment {self.payment_id}"
