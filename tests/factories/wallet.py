"""Wallets and ledger entries, made by ``wallet.services`` (so every wallet equals its ledger)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import factory
from django.conf import settings
from django.test import override_settings

from tenant_apps.wallet import services
from tenant_apps.wallet.models import LedgerEntry, LedgerEntryKind, Wallet
from tests.factories.accounts import UserFactory
from tests.factories.base import ServiceFactory

#: The one-wallet operations ``LedgerEntryFactory`` can post, by entry kind.
ONE_WALLET_OPERATIONS: dict[str, Callable[..., LedgerEntry]] = {
    LedgerEntryKind.TOP_UP: services.wallet_top_up,
    LedgerEntryKind.PAYMENT: services.wallet_payment,
    LedgerEntryKind.ESCROW_HOLD: services.escrow_hold,
    LedgerEntryKind.ESCROW_RELEASE: services.escrow_release,
    LedgerEntryKind.PAYOUT: services.wallet_payout,
}


class WalletFactory(ServiceFactory[Wallet]):
    """``user``'s wallet, opened by ``wallet_open`` (one per user, audited), holding ``balance`` and
    ``held_balance``: put there by a top-up ("test funds") and an escrow hold ("test hold"), so the
    ledger accounts for every cent (``selectors.ledger_discrepancies`` finds nothing).

    ``currency``: the site's ``DEFAULT_CURRENCY`` unless given; another one is a wallet opened
    while the site used that currency (``wallet_open`` under that setting).

    Traits: ``funded`` (a balance of 100.00).
    """

    class Meta:
        model = Wallet

    class Params:
        funded = factory.Trait(balance="100.00")

    user = factory.SubFactory(UserFactory)
    currency: str | None = None
    balance: Decimal | str = "0"
    held_balance: Decimal | str = "0"

    @classmethod
    def _create(
        cls,
        model_class: type[Wallet],
        *,
        user: Any,
        currency: str | None,
        balance: Decimal | str,
        held_balance: Decimal | str,
    ) -> Wallet:
        if currency is None or currency == settings.DEFAULT_CURRENCY:
            wallet = services.wallet_open(user=user)
        else:
            with override_settings(DEFAULT_CURRENCY=currency):
                wallet = services.wallet_open(user=user)
        total = Decimal(balance) + Decimal(held_balance)
        if total:
            services.wallet_top_up(wallet=wallet, amount=total, memo="test funds")
        if Decimal(held_balance):
            services.escrow_hold(wallet=wallet, amount=Decimal(held_balance), memo="test hold")
        wallet.refresh_from_db()
        return wallet


class LedgerEntryFactory(ServiceFactory[LedgerEntry]):
    """One movement of ``wallet`` posted by its service: ``kind`` ``top_up`` (default),
    ``payment``, ``escrow_hold``, ``escrow_release`` or ``payout`` of ``amount``, with the
    service's checks (funds, currency step, idempotent ``reference``) and audit row. Two-wallet
    movements (transfers, captures, refunds) go through ``wallet.services`` directly.
    """

    class Meta:
        model = LedgerEntry

    wallet = factory.SubFactory(WalletFactory)
    kind = LedgerEntryKind.TOP_UP
    amount: Decimal | str = "10.00"
    actor = None
    reference = ""
    memo = ""

    @classmethod
    def _create(cls, model_class: type[LedgerEntry], *args: Any, **kwargs: Any) -> LedgerEntry:
        kind = kwargs.pop("kind")
        if kind not in ONE_WALLET_OPERATIONS:
            raise ValueError(f"LedgerEntryFactory posts {sorted(ONE_WALLET_OPERATIONS)}, not {kind!r}")
        return ONE_WALLET_OPERATIONS[kind](**kwargs)
