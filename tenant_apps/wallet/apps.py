"""The wallet app (every tenant kind): one wallet per user with spendable and held balances, changed only
through locked services that append to an immutable ledger."""

from django.apps import AppConfig


class WalletConfig(AppConfig):
    """Wallets and their append-only ledger (``models.py``); money moves only through ``services``."""

    name = "tenant_apps.wallet"
    label = "wallet"
