"""Wallets and their ledger in the tenant admin: read-only (amounts change only through
``services``), with an "Adjust balance" action that asks for an amount and a reason and calls
``services.wallet_adjust`` (one ``adjustment`` ledger entry, audited; a debit beyond the balance
is refused with ``insufficient_funds`` and changes nothing)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from saas.admin import ServiceModelAdmin, register
from saas.admin.extras import AsciiDecimalField, form_action
from tenant_apps.wallet import services
from tenant_apps.wallet.access import access_wallet_of_user
from tenant_apps.wallet.models import LedgerEntry, Wallet


class AdjustForm(forms.Form):
    """An admin's correction: ``amount`` (may be negative, not zero) and the reason, kept as the memo."""

    amount = AsciiDecimalField(
        label="Amount", max_digits=14, decimal_places=2, help_text="Negative to debit, e.g. -5.00."
    )
    reason = forms.CharField(label="Reason", max_length=255)

    def clean_amount(self) -> Decimal:
        amount: Decimal = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError("Enter an amount other than zero.")
        return amount


@register(Wallet)
class WalletAdmin(ServiceModelAdmin):
    """Wallets: owner, balances, currency; search by owner e-mail; "Adjust balance" through
    ``wallet_adjust``; the ledger is its own list (``LedgerEntryAdmin``), linked from each wallet."""

    list_display = ("__str__", "user", "balance", "held_balance", "currency", "updated_at")
    list_filter = ("currency",)
    search_fields = ("user__email", "user__full_name")
    list_select_related = ("user",)
    fields = ("user", "currency", "balance", "held_balance", "ledger", "created_at", "updated_at")
    readonly_fields = fields
    actions = ("adjust_balance",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Wallet]:
        return super().get_queryset(request).select_related("user")

    @admin.display(description="ledger")
    def ledger(self, wallet: Wallet) -> str:
        url = reverse(f"{self.admin_site.name}:wallet_ledgerentry_changelist") + f"?wallet__id__exact={wallet.pk}"
        return format_html('<a href="{}">Ledger entries of this wallet</a>', url)

    @form_action(form=AdjustForm, description="Adjust balance", success="{count} adjusted.")
    def adjust_balance(self, request: HttpRequest, wallet: Wallet, **data: Any) -> None:
        wallet = access_wallet_of_user(viewer=request.user, user_id=wallet.user_id, open_if_missing=True)
        services.wallet_adjust(wallet=wallet, amount=data["amount"], reason=data["reason"], actor=request.user)


@register(LedgerEntry)
class LedgerEntryAdmin(ServiceModelAdmin):
    """The ledger, newest first, read-only: filters by kind and date, search by owner e-mail, memo,
    reference."""

    list_display = (
        "id",
        "wallet",
        "kind",
        "balance_delta",
        "held_delta",
        "balance_after",
        "held_after",
        "memo",
        "actor",
        "created_at",
    )
    list_filter = ("kind", "created_at")
    search_fields = ("wallet__user__email", "memo", "reference")
    list_select_related = ("wallet", "actor")
    fields = (
        "wallet",
        "kind",
        "balance_delta",
        "held_delta",
        "balance_after",
        "held_after",
        "operation",
        "counterparty",
        "reference",
        "memo",
        "actor",
        "created_at",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[LedgerEntry]:
        return super().get_queryset(request).select_related("wallet", "actor", "counterparty")
