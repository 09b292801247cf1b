"""Helpers of the writing wallets tests: URLs, a writer's earnings, and payout requests walked to
a status through the API's services (``tests/factories/writing_wallets.py``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django_tenants.utils import tenant_context

from tenant_apps.wallet.models import LedgerEntry, Wallet
from tenant_apps.wallet.selectors import ledger_discrepancies, wallet_of
from tenant_apps.wallet.services import wallet_earning, wallet_open
from tenant_apps.writing.wallets.models import PayoutRequest
from tests.api import error_code
from tests.factories.writing_wallets import PayoutRequestFactory
from tests.tenant_apps.writing.conftest import Writing

TOP_UPS = "/api/v1/wallet/top-ups/"
PAYOUTS = "/api/v1/payouts/"

__all__ = ["PAYOUTS", "TOP_UPS", "amounts", "books_balance", "earn", "error_code", "make_payout", "payout_url"]


def payout_url(pk: Any, action: str = "") -> str:
    """``/api/v1/payouts/{pk}/{action}``."""
    return f"{PAYOUTS}{pk}/{action}"


def earn(writing: Writing, who: str, amount: Decimal | str) -> None:
    """Credit ``who``'s wallet with an earning of ``amount`` USD (as an approved order does)."""
    with tenant_context(writing.tenant):
        wallet_earning(wallet=wallet_open(user=getattr(writing, who)), amount=amount, currency="USD", memo="test")


def amounts(writing: Writing, who: str) -> tuple[Decimal, Decimal]:
    """``(balance, held_balance)`` of ``who``'s wallet."""
    with tenant_context(writing.tenant):
        wallet = wallet_of(user=getattr(writing, who))
        return wallet.balance, wallet.held_balance


def ledger_kinds(writing: Writing, who: str) -> list[tuple[str, Decimal, Decimal]]:
    """``(kind, balance_delta, held_delta)`` of ``who``'s ledger entries, oldest first."""
    with tenant_context(writing.tenant):
        wallet = Wallet.objects.get(user=getattr(writing, who))
        return list(
            LedgerEntry.objects.filter(wallet=wallet).order_by("id").values_list("kind", "balance_delta", "held_delta")
        )


def books_balance(writing: Writing) -> bool:
    """Whether every wallet of the site equals the sums of its ledger."""
    with tenant_context(writing.tenant):
        return ledger_discrepancies() == []


def make_payout(writing: Writing, status: str = "requested", *, who: str = "wren", **kwargs: Any) -> PayoutRequest:
    """A payout request of ``who``'s (``PayoutRequestFactory``: their wallet credited first)."""
    with tenant_context(writing.tenant):
        return PayoutRequestFactory(writer=getattr(writing, who), status=status, **kwargs)
