"""Wallets and their append-only ledger.

Every user of a site has at most one ``Wallet`` (opened by ``services.wallet_open`` when money first moves). A
wallet holds two amounts in the site's currency (``settings.DEFAULT_CURRENCY``):

* ``balance``: money the user can spend, transfer or pay out;
* ``held_balance``: money set aside in escrow (an order or a bid), not spendable until it is
  released back to ``balance`` or captured by a payee.

Neither may be negative: the database refuses it (check constraints), whatever the code does.
Every movement is one ``LedgerEntry`` per wallet it touches, never changed or deleted, and a
wallet's amounts always equal the sums of its entries' deltas (``selectors.ledger_discrepancies``
checks this). Amounts change only through ``services``, which lock the wallet rows first.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q

ZERO = Decimal("0.00")


class LedgerEntryImmutableError(Exception):
    """Raised on any attempt to change or delete a ledger entry through the ORM."""


class Wallet(models.Model):
    """The money of one user on this site; amounts are ``Decimal`` with 2 places in ``currency``."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="wallet")
    currency = models.CharField(max_length=3, help_text="ISO 4217, upper case; the site's DEFAULT_CURRENCY.")
    balance = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    held_balance = models.DecimalField(
        max_digits=14, decimal_places=2, default=ZERO, help_text="In escrow: set aside from balance, not spendable."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("id",)
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="wallet_balance_not_negative"),
            models.CheckConstraint(condition=Q(held_balance__gte=0), name="wallet_held_balance_not_negative"),
        ]

    def __str__(self) -> str:
        return f"wallet #{self.pk} of user #{self.user_id}"


class LedgerEntryKind(models.TextChoices):
    """What moved the money. One operation writes one entry per wallet it touches, of one kind;
    the signs of the deltas tell the debited wallet from the credited one."""

    TOP_UP = "top_up", "Top-up"  # money in: balance +
    PAYMENT = "payment", "Payment"  # a purchase paid to the site: balance -
    ESCROW_HOLD = "escrow_hold", "Escrow hold"  # balance -, held +
    ESCROW_RELEASE = "escrow_release", "Escrow release"  # held -, balance + (same wallet)
    ESCROW_CAPTURE = "escrow_capture", "Escrow capture"  # payer held -, payee balance +
    TRANSFER = "transfer", "Transfer"  # source balance -, destination balance +
    REFUND = "refund", "Refund"  # payer balance +, payee balance - (or none: refunded by the site)
    PAYOUT = "payout", "Payout"  # money out: balance -
    EARNING = "earning", "Earning"  # money the site pays a user (a host's share of a stay): balance +
    ADJUSTMENT = "adjustment", "Adjustment"  # an admin's correction: balance + or -


class LedgerEntryQuerySet(models.QuerySet["LedgerEntry"]):
    """Entries can be added (``create``, ``bulk_create``), never updated or deleted in bulk."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise LedgerEntryImmutableError("Ledger entries are append-only: they cannot be updated.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise LedgerEntryImmutableError("Ledger entries are append-only: they cannot be updated.")

    def delete(self) -> NoReturn:
        raise LedgerEntryImmutableError("Ledger entries are append-only: they cannot be deleted.")


class LedgerEntry(models.Model):
    """One movement of one wallet, append-only.

    ``balance_delta`` and ``held_delta`` are signed amounts (``Decimal``, 2 places, the wallet's
    currency); ``balance_after`` and ``held_after`` the wallet's amounts right after this entry,
    so the entries of a wallet in ``id`` order form its running statement. Entries written by one
    operation share ``operation``; ``counterparty`` is the other wallet of a two-wallet operation.
    ``reference`` is the caller's idempotency key (unique per wallet when not empty: repeating an
    operation with its reference changes nothing). ``actor`` is who asked (``None``: the system).
    """

    # indexed by ``wallet_ledger_statement`` (wallet, id), which also serves lookups by wallet
    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="entries", db_index=False)
    kind = models.CharField(max_length=20, choices=LedgerEntryKind.choices)
    balance_delta = models.DecimalField(max_digits=14, decimal_places=2)
    held_delta = models.DecimalField(max_digits=14, decimal_places=2)
    balance_after = models.DecimalField(max_digits=14, decimal_places=2)
    held_after = models.DecimalField(max_digits=14, decimal_places=2)
    operation = models.UUIDField(
        default=uuid.uuid4, db_index=True, help_text="Shared by the entries one operation wrote."
    )
    counterparty = models.ForeignKey(Wallet, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(
        max_length=100, blank=True, help_text="Idempotency key of the operation; unique per wallet when set."
    )
    memo = models.CharField(max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ("-id",)
        verbose_name_plural = "ledger entries"
        constraints = [
            models.UniqueConstraint(
                fields=["wallet", "reference"], condition=~Q(reference=""), name="wallet_ledger_reference_unique"
            ),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0) & Q(held_after__gte=0), name="wallet_ledger_after_not_negative"
            ),
            models.CheckConstraint(condition=~Q(balance_delta=0) | ~Q(held_delta=0), name="wallet_ledger_moves_money"),
            models.CheckConstraint(condition=Q(kind__in=LedgerEntryKind.values), name="wallet_ledger_kind_valid"),
        ]
        indexes = [models.Index(fields=["wallet", "id"], name="wallet_ledger_statement")]

    def __str__(self) -> str:
        return f"{self.kind} {self.balance_delta:+}/{self.held_delta:+} on wallet #{self.wallet_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert a new entry; refuses to save an entry that already exists (append-only)."""
        if not self._state.adding or self.pk is not None:
            raise LedgerEntryImmutableError("Ledger entries are append-only: they cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise LedgerEntryImmutableError("Ledger entries are append-only: they cannot be deleted.")
