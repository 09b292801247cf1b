"""Card top-ups of clients' wallets and writers' payout requests (one schema per writing site).

* ``WalletTopUp``: a client buys wallet credit by card. It is billed by one invoice (shared
  ``payments``: numbered, PDF, paid by a Stripe PaymentIntent); when the invoice becomes paid
  (``invoice_paid``) the client's wallet is credited once (``top_up``, ledger reference
  ``writing_top_up:<id>``) and the top-up is ``credited``. ``amount`` is in ``currency``, the
  site's pricing currency when the top-up was asked for.
* ``PayoutRequest``: a writer asks for part or all of their wallet balance to be paid out::

      requested --approve (admin)--> approved --mark paid (admin, reference)--> paid
      requested, approved --reject (admin, note)--> rejected

  The amount is held in the writer's wallet when requested (``escrow_hold``, reference
  ``payout:<id>:hold``), so it cannot be spent or requested twice; a rejection releases it
  (``escrow_release``, ``payout:<id>:release``); marking it paid takes it out of the held
  balance as a ``payout`` ledger row (``wallet_payout(from_held=True)``, ``payout:<id>:paid``).

Amounts are ``Decimal`` with 2 places, never negative (check constraints).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

#: The smallest and largest card top-up, in the pricing currency (``settings.WRITING_TOP_UP_MIN`` /
#: ``WRITING_TOP_UP_MAX`` override them).
DEFAULT_TOP_UP_MIN = Decimal("5.00")
DEFAULT_TOP_UP_MAX = Decimal("5000.00")
#: The smallest payout a writer may ask for, in the wallet's currency (``settings.WRITING_PAYOUT_MIN``).
DEFAULT_PAYOUT_MIN = Decimal("10.00")


class TopUpStatus(models.TextChoices):
    """Where a top-up is: waiting for its card payment, or credited to the wallet."""

    PENDING = "pending", "Awaiting payment"
    CREDITED = "credited", "Credited"


class WalletTopUp(models.Model):
    """A client's card top-up of ``amount`` (``currency``) billed by ``invoice``."""

    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="writing_top_ups")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=TopUpStatus.choices, default=TopUpStatus.PENDING)
    invoice = models.OneToOneField("payments.Invoice", on_delete=models.PROTECT, related_name="writing_top_up")
    credited_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["client", "-created_at"], name="writing_topups_client_recent")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="writing_topups_amount_positive"),
            models.CheckConstraint(
                condition=(Q(status=TopUpStatus.PENDING) & Q(credited_at__isnull=True))
                | (Q(status=TopUpStatus.CREDITED) & Q(credited_at__isnull=False)),
                name="writing_topups_credited_when_credited",
            ),
        ]

    def __str__(self) -> str:
        return f"top-up #{self.pk} of {self.amount} {self.currency}"


class PayoutStatus(models.TextChoices):
    """Where a payout request is (see the module's diagram)."""

    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    PAID = "paid", "Paid"
    REJECTED = "rejected", "Rejected"


class PayoutRequest(models.Model):
    """A writer's request to be paid ``amount`` (``currency``, their wallet's) out of their wallet.

    ``decided_by`` / ``decided_at``: the admin who approved or rejected it, and when; ``paid_by`` /
    ``paid_at``: who marked it paid, with the external ``reference`` (a bank transfer's id);
    ``note``: the admin's reason for a rejection (or a remark on approval).
    """

    writer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="writing_payout_requests"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=PayoutStatus.choices, default=PayoutStatus.REQUESTED)
    reference = models.CharField(max_length=100, blank=True, help_text="The payment's external reference, once paid.")
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["writer", "-created_at"], name="writing_payouts_writer_recent"),
            models.Index(fields=["status", "-created_at"], name="writing_payouts_status_recent"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="writing_payouts_amount_positive"),
            models.CheckConstraint(
                condition=(Q(status=PayoutStatus.PAID) & Q(paid_at__isnull=False) & ~Q(reference=""))
                | (~Q(status=PayoutStatus.PAID) & Q(paid_at__isnull=True)),
                name="writing_payouts_paid_with_reference",
            ),
            models.CheckConstraint(
                condition=Q(status=PayoutStatus.REQUESTED) | Q(decided_at__isnull=False),
                name="writing_payouts_decided",
            ),
        ]

    def __str__(self) -> str:
        return f"payout #{self.pk} of {self.amount} {self.currency} ({self.status})"
