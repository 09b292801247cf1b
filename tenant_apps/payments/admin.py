"""Invoices and payments in the tenant admin: read-only (amounts and statuses are derived by the
services), with the API's decisions as actions: cancelling an invoice (``invoice_cancel``),
approving and rejecting an offline payment (``payment_approve`` / ``payment_reject``). The finance
rules (who may decide, no self-approval, no overpayment) stay in the services.

Refunds are not offered: ``payment_refund`` leaves who may refund and how much to the calling
feature's policy (a booking's cancellation rules), which the admin cannot apply.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register, service_action
from saas.admin.extras import ReadOnlyInline, form_action
from tenant_apps.payments import services
from tenant_apps.payments.access import access_invoice, access_payment
from tenant_apps.payments.models import Invoice, InvoiceLine, Payment


class InvoiceLineInline(ReadOnlyInline):
    """The invoice's lines, in order."""

    model = InvoiceLine
    fields = ("position", "description", "quantity", "unit_price", "amount")


class InvoicePaymentInline(ReadOnlyInline):
    """The payments made against the invoice, newest first."""

    model = Payment
    fields = ("id", "payer", "method", "status", "amount", "tracking_code", "decided_by", "decided_at", "created_at")
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Payment]:
        return super().get_queryset(request).select_related("payer", "decided_by")


class CancelForm(forms.Form):
    """Why the invoices are cancelled (optional; pending payments are rejected with it)."""

    reason = forms.CharField(label="Reason", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class RejectForm(forms.Form):
    """Why the payments are rejected: shown to the payer."""

    reason = forms.CharField(label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


@register(Invoice)
class InvoiceAdmin(ServiceModelAdmin):
    """Invoices: filters by status and currency, search by number and payer e-mail; lines and
    payments inline; "Cancel the selected invoices" through ``invoice_cancel``."""

    list_display = ("number", "customer", "total", "amount_paid", "currency", "status", "due_date", "issued_at")
    list_filter = ("status", "currency", "issued_at")
    search_fields = ("number", "customer__email")
    list_select_related = ("customer",)
    date_hierarchy = "issued_at"
    fields = (
        "number",
        "customer",
        "currency",
        "total",
        "amount_paid",
        "status",
        "due_date",
        "note",
        "issued_at",
        "paid_at",
        "cancelled_at",
        "cancel_reason",
        "created_by",
    )
    readonly_fields = fields
    inlines = (InvoiceLineInline, InvoicePaymentInline)
    actions = ("cancel_invoices",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Invoice]:
        return super().get_queryset(request).select_related("customer", "created_by")

    @form_action(form=CancelForm, description="Cancel the selected invoices", success="{count} cancelled.")
    def cancel_invoices(self, request: HttpRequest, invoice: Invoice, **data: Any) -> None:
        invoice = access_invoice(user=request.user, pk=invoice.pk)
        services.invoice_cancel(invoice=invoice, actor=request.user, reason=data["reason"])


@register(Payment)
class PaymentAdmin(ServiceModelAdmin):
    """Payments: filters by method and status, search by invoice number, payer and tracking code;
    ``approve_payments`` (``payment_approve``) and ``reject_payments`` (``payment_reject``, asks
    for the reason)."""

    list_display = ("id", "invoice", "payer", "method", "status", "amount", "tracking_code", "created_at")
    list_filter = ("method", "status", "created_at")
    search_fields = ("invoice__number", "payer__email", "tracking_code")
    list_select_related = ("invoice", "payer")
    fields = (
        "invoice",
        "payer",
        "amount",
        "method",
        "status",
        "tracking_code",
        "receipt",
        "reason",
        "decided_by",
        "decided_at",
        "stripe_payment_intent_id",
        "impersonated_by",
        "created_at",
    )
    readonly_fields = fields
    actions = ("approve_payments", "reject_payments")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Payment]:
        return super().get_queryset(request).select_related("invoice", "payer", "decided_by", "receipt")

    @service_action(description="Approve the selected payments", success="{count} approved.")
    def approve_payments(self, request: HttpRequest, payment: Payment) -> None:
        services.payment_approve(payment=access_payment(user=request.user, pk=payment.pk), actor=request.user)

    @form_action(form=RejectForm, description="Reject the selected payments", success="{count} rejected.")
    def reject_payments(self, request: HttpRequest, payment: Payment, **data: Any) -> None:
        services.payment_reject(
            payment=access_payment(user=request.user, pk=payment.pk), actor=request.user, reason=data["reason"]
        )
