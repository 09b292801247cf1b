"""Row locks of the shop app: a seller's points account (after products and wallets, see
docs/architecture.md, "Locks in one order")."""

from __future__ import annotations

from tenant_apps.store.shop.models import SellerAccount, StoreSettings


def seller_account_lock(seller_id: int) -> SellerAccount:
    """The seller's points account, locked until the transaction ends (``services`` opens it first)."""
    return SellerAccount.objects.select_for_update(no_key=True).get(seller_id=seller_id)


def store_settings_lock() -> StoreSettings:
    """The settings row, locked until the transaction ends (admin edits)."""
    return StoreSettings.objects.select_for_update(no_key=True).get(pk=1)
