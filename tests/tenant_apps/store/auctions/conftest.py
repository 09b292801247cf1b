"""Helpers of the auction tests: wallets and notifications read in the store's schema."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django_tenants.utils import tenant_context

from tenant_apps.notifications.models import Notification
from tenant_apps.wallet.selectors import wallet_of
from tests.tenant_apps.store.conftest import Store


def money(store: Store, user: Any) -> tuple[Decimal, Decimal]:
    """``(balance, held_balance)`` of ``user``'s wallet."""
    with tenant_context(store.tenant):
        wallet = wallet_of(user=user)
        return wallet.balance, wallet.held_balance


def verbs(store: Store, user: Any) -> list[str]:
    """The verbs of ``user``'s notifications, oldest first."""
    with tenant_context(store.tenant):
        return list(Notification.objects.filter(recipient=user).order_by("id").values_list("verb", flat=True))
