"""The writing site's admin of wallets' movements: writers' payout requests (approve, reject,
mark paid, through the services the API calls) and clients' card top-ups (read-only: they are
credited by their invoice's payment)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register, service_action
from saas.admin.extras import form_action
from tenant_apps.writing.wallets import services
from tenant_apps.writing.wallets.access import access_payout
from tenant_apps.writing.wallets.models import PayoutRequest, WalletTopUp
from tenant_apps.writing.wallets.services.payouts import MAX_NOTE, MAX_REFERENCE


class RejectForm(forms.Form):
    """Why the selected payouts are refused (the writer reads it)."""

    note = forms.CharField(max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 3}))


class MarkPaidForm(forms.Form):
    """The external reference of the payment that paid the selected payouts (a bank transfer's id)."""

    reference = forms.CharField(max_length=MAX_REFERENCE)


@register(PayoutRequest)
class PayoutRequestAdmin(ServiceModelAdmin):
    """Payout requests: read-only; decided with the actions (``services.payout_*``)."""

    list_display = ("id", "writer", "amount", "currency", "status", "decided_by", "paid_at", "created_at")
    list_filter = ("status", "currency", "created_at")
    search_fields = ("writer__email", "writer__full_name", "reference", "note")
    list_select_related = ("writer", "decided_by")
    date_hierarchy = "created_at"
    actions = ("approve_payouts", "reject_payouts", "mark_payouts_paid")

    @service_action(description="Approve the selected payouts", success="{count} approved.")
    def approve_payouts(self, request: HttpRequest, payout: PayoutRequest) -> None:
        """``services.payout_approve`` (as ``POST /payouts/{id}/approve/``, without a note)."""
        payout = access_payout(user=request.user, pk=payout.pk)
        services.payout_approve(payout=payout, actor=request.user)

    @form_action(form=RejectForm, description="Reject the selected payouts", success="{count} rejected.")
    def reject_payouts(self, request: HttpRequest, payout: PayoutRequest, **data: Any) -> None:
        """``services.payout_reject`` (as ``POST /payouts/{id}/reject/``): the held money is released."""
        payout = access_payout(user=request.user, pk=payout.pk)
        services.payout_reject(payout=payout, actor=request.user, note=data["note"])

    @form_action(form=MarkPaidForm, description="Mark the selected payouts paid", success="{count} marked paid.")
    def mark_payouts_paid(self, request: HttpRequest, payout: PayoutRequest, **data: Any) -> None:
        """``services.payout_mark_paid`` (as ``POST /payouts/{id}/mark-paid/``): the money leaves the wallet."""
        payout = access_payout(user=request.user, pk=payout.pk)
        services.payout_mark_paid(payout=payout, actor=request.user, reference=data["reference"])


@register(WalletTopUp)
class WalletTopUpAdmin(ServiceModelAdmin):
    """Clients' card top-ups (read-only: credited when their invoice is paid)."""

    list_display = ("id", "client", "amount", "currency", "status", "invoice", "credited_at", "created_at")
    list_filter = ("status", "currency", "created_at")
    search_fields = ("client__email", "client__full_name", "invoice__number")
    list_select_related = ("client", "invoice")
    date_hierarchy = "created_at"
