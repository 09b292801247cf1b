"""The writing site's admin of special orders: each with its installment plan, and the admin's
moves (start the work, complete, cancel) through the services the API calls (``views.py``).
Quoting (a total and a plan of installments) stays in the API (``POST /special-orders/{id}/quote/``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register, service_action
from saas.admin.extras import ReadOnlyInline, form_action
from tenant_apps.accounts.models import User
from tenant_apps.accounts.selectors import users_with_roles
from tenant_apps.writing.kind import WRITER
from tenant_apps.writing.special_orders import services
from tenant_apps.writing.special_orders.access import access_special_order
from tenant_apps.writing.special_orders.models import Installment, SpecialOrder


class StartForm(forms.Form):
    """The writer to put on the selected special orders (optional, as the API's ``{writer?}``)."""

    writer = forms.ModelChoiceField(queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["writer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = users_with_roles(WRITER)


class ReasonForm(forms.Form):
    """Why the selected special orders are cancelled (optional, as the API's ``{reason?}``)."""

    reason = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class InstallmentInline(ReadOnlyInline):
    """The plan: installments in order, with their invoices."""

    model = Installment
    fields = ("sequence", "amount", "currency", "due_date", "status", "invoice", "paid_at", "overdue_at")
    ordering = ("sequence",)


@register(SpecialOrder)
class SpecialOrderAdmin(ServiceModelAdmin):
    """Special orders: read-only; moved with the actions."""

    list_display = ("id", "title", "client", "writer", "status", "total", "currency", "deadline", "created_at")
    list_filter = ("status", "created_at")
    search_fields = ("title", "description", "client__email", "client__full_name", "writer__email")
    list_select_related = ("client", "writer")
    date_hierarchy = "created_at"
    inlines = (InstallmentInline,)
    actions = ("start_special_orders", "complete_special_orders", "cancel_special_orders")

    @form_action(form=StartForm, description="Start work on the selected special orders", success="{count} started.")
    def start_special_orders(self, request: HttpRequest, special_order: SpecialOrder, **data: Any) -> None:
        """``services.special_order_start`` (as ``POST /special-orders/{id}/start/``)."""
        found = access_special_order(user=request.user, pk=special_order.pk)
        services.special_order_start(special_order=found, actor=request.user, writer=data["writer"])

    @service_action(description="Complete the selected special orders", success="{count} completed.")
    def complete_special_orders(self, request: HttpRequest, special_order: SpecialOrder) -> None:
        """``services.special_order_complete`` (as ``POST /special-orders/{id}/complete/``)."""
        found = access_special_order(user=request.user, pk=special_order.pk)
        services.special_order_complete(special_order=found, actor=request.user)

    @form_action(form=ReasonForm, description="Cancel the selected special orders", success="{count} cancelled.")
    def cancel_special_orders(self, request: HttpRequest, special_order: SpecialOrder, **data: Any) -> None:
        """``services.special_order_cancel`` (as ``POST /special-orders/{id}/cancel/``): pending
        installments cancelled, their invoices called off."""
        found = access_special_order(user=request.user, pk=special_order.pk)
        services.special_order_cancel(special_order=found, actor=request.user, reason=data["reason"])
