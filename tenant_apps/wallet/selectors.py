"""Reads on wallets and the ledger, and the check that the two agree."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, F, Q, QuerySet, Sum, Value, Window
from django.db.models.functions import Coalesce

from tenant_apps.wallet.models import ZERO, LedgerEntry, Wallet


def wallet_list() -> QuerySet[Wallet]:
    """Every wallet of the site with its user, oldest first."""
    return Wallet.objects.select_related("user").order_by("id")


def wallet_of(*, user: Any) -> Wallet:
    """``user``'s wallet, or, if none is opened yet, an unsaved empty one (zero balances, the site's
    ``DEFAULT_CURRENCY``): a read never creates a row (``services.wallet_open`` does, for writes)."""
    from django.conf import settings

    wallet = Wallet.objects.select_related("user").filter(user=user).first()
    return wallet if wallet is not None else Wallet(user=user, currency=settings.DEFAULT_CURRENCY)


def ledger_entries(*, wallet: Wallet | None = None, user: Any = None) -> QuerySet[LedgerEntry]:
    """The entries of ``wallet`` (or of ``user``'s wallet; none if it has none yet), newest first.

    Filtered on the wallet's id, known before the list's query (for ``user``, one small query
    first): a page then reads the newest entries of the statement index (wallet, id), where a join
    on the wallet would sort every entry of the wallet first.
    """
    entries = LedgerEntry.objects.select_related("wallet", "counterparty").order_by("-id")
    if wallet is None and user is not None:
        wallet = Wallet.objects.filter(user=user).only("pk").first() or Wallet()
    if wallet is not None:
        return entries.filter(wallet_id=wallet.pk) if wallet.pk is not None else entries.none()
    raise TypeError("ledger_entries() needs wallet or user")


@dataclass(frozen=True)
class LedgerDiscrepancy:
    """A wallet whose stored amounts disagree with its ledger.

    ``field`` is ``"balance"`` or ``"held_balance"`` (the wallet's amount against the sum of its
    entries' deltas), or ``"balance_after"`` / ``"held_after"`` (entry ``entry_id``'s running
    amount against the sum of the deltas up to it). ``expected`` is what the ledger says,
    ``actual`` what is stored; both ``Decimal`` in the wallet's currency.
    """

    wallet_id: int
    field: str
    expected: Decimal
    actual: Decimal
    entry_id: int | None = None


_MONEY = DecimalField(max_digits=16, decimal_places=2)


def ledger_discrepancies(*, wallet_ids: Iterable[int] | None = None) -> list[LedgerDiscrepancy]:
    """Every disagreement between wallets and their ledgers (of ``wallet_ids``, default all); empty
    when the books are right. Two queries; meant for tests and operators, not for every request."""
    wallets = Wallet.objects.annotate(
        ledger_balance=Coalesce(Sum("entries__balance_delta"), Value(ZERO), output_field=_MONEY),
        ledger_held=Coalesce(Sum("entries__held_delta"), Value(ZERO), output_field=_MONEY),
    ).order_by("id")
    entries = LedgerEntry.objects.annotate(
        running_balance=Window(Sum("balance_delta"), partition_by=[F("wallet_id")], order_by=F("id").asc()),
        running_held=Window(Sum("held_delta"), partition_by=[F("wallet_id")], order_by=F("id").asc()),
    ).order_by("wallet_id", "id")
    if wallet_ids is not None:
        ids = list(wallet_ids)
        wallets = wallets.filter(id__in=ids)
        entries = entries.filter(wallet_id__in=ids)

    found: list[LedgerDiscrepancy] = []
    for wallet in wallets.filter(~Q(balance=F("ledger_balance")) | ~Q(held_balance=F("ledger_held"))):
        if wallet.balance != wallet.ledger_balance:
            found.append(LedgerDiscrepancy(wallet.pk, "balance", wallet.ledger_balance, wallet.balance))
        if wallet.held_balance != wallet.ledger_held:
            found.append(LedgerDiscrepancy(wallet.pk, "held_balance", wallet.ledger_held, wallet.held_balance))
    wrong_running = entries.filter(~Q(balance_after=F("running_balance")) | ~Q(held_after=F("running_held")))
    for entry in wrong_running:
        if entry.balance_after != entry.running_balance:
            found.append(
                LedgerDiscrepancy(
                    entry.wallet_id, "balance_after", entry.running_balance, entry.balance_after, entry.pk
                )
            )
        if entry.held_after != entry.running_held:
            found.append(
                LedgerDiscrepancy(entry.wallet_id, "held_after", entry.running_held, entry.held_after, entry.pk)
            )
    return found


def wallet_verify(wallet: Wallet) -> list[LedgerDiscrepancy]:
    """``ledger_discrepancies`` of one wallet: empty when its amounts and running totals match its ledger."""
    return ledger_discrepancies(wallet_ids=[wallet.pk])
