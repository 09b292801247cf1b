"""The writing site's admin of orders: the list with its filters, an order's page with its refunds
and writers' requests, and the admin's moves (assign, return, deliver, cancel, resolve a dispute,
refund), each through the service the API calls (``views.py``), with the signed-in admin as the
actor."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register, service_action
from saas.admin.extras import AsciiDecimalField, ReadOnlyInline, form_action
from tenant_apps.accounts.models import User
from tenant_apps.accounts.selectors import users_with_roles
from tenant_apps.writing.admin_helpers import ServiceSettingsAdmin
from tenant_apps.writing.kind import WRITER
from tenant_apps.writing.orders import services
from tenant_apps.writing.orders.access import access_order
from tenant_apps.writing.orders.models import Order, OrderRefund, OrderSettings, OrderStatus, WriterRequest
from tenant_apps.writing.orders.services.disputes import MAX_DISPUTE_TEXT, OUTCOMES
from tenant_apps.writing.orders.services.refunds import MAX_REFUND_REASON
from tenant_apps.writing.orders.services.settings import MAX_REVISION_DAYS


class CancelForm(forms.Form):
    """Why the selected orders are cancelled (optional, as the API's ``{reason?}``)."""

    reason = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class NotesForm(forms.Form):
    """The notes for the writer when an order in review goes back to them."""

    notes = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


def _writer_label(user: Any) -> str:
    """A writer as the assign form lists them: name and address."""
    return f"{user.full_name} <{user.email}>"


class AssignForm(forms.Form):
    """The writer (an active user with the writer role) to give the selected orders to."""

    writer = forms.ModelChoiceField(queryset=User.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["writer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = users_with_roles(WRITER)
        field.label_from_instance = _writer_label  # type: ignore[assignment,method-assign]


class ResolveForm(forms.Form):
    """How the selected disputes end, and a note for the people concerned."""

    outcome = forms.ChoiceField(choices=[(str(o), OrderStatus(o).label) for o in OUTCOMES])
    note = forms.CharField(max_length=MAX_DISPUTE_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class RefundForm(forms.Form):
    """How much of each selected order goes back to its client's wallet (the order's currency), and why."""

    amount = AsciiDecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    reason = forms.CharField(max_length=MAX_REFUND_REASON, widget=forms.Textarea(attrs={"rows": 3}))


class OrderRefundInline(ReadOnlyInline):
    """The order's refunds, oldest first."""

    model = OrderRefund
    fields = ("amount", "currency", "reason", "created_by", "created_at")


class WriterRequestInline(ReadOnlyInline):
    """The writers who asked for the order, oldest first."""

    model = WriterRequest
    fields = ("writer", "created_at")


@register(Order)
class OrderAdmin(ServiceModelAdmin):
    """Orders: read-only; status, money and people change through the actions only."""

    list_display = ("number", "topic", "client", "writer", "status", "total", "currency", "deadline", "created_at")
    list_filter = ("status", "created_at", "deadline")
    search_fields = ("number", "topic", "client__email", "client__full_name", "writer__email", "writer__full_name")
    list_select_related = ("client", "writer")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    inlines = (OrderRefundInline, WriterRequestInline)
    actions = ("assign_orders", "return_orders", "deliver_orders", "cancel_orders", "resolve_disputes", "refund_orders")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Order]:
        """Orders with the people a list row names, in one query."""
        return super().get_queryset(request).select_related("client", "writer", "editor")

    @form_action(form=AssignForm, description="Assign the selected orders to a writer", success="{count} assigned.")
    def assign_orders(self, request: HttpRequest, order: Order, **data: Any) -> None:
        """``services.order_assign`` (as ``POST /orders/{id}/assign/``)."""
        order = access_order(user=request.user, pk=order.pk)
        services.order_assign(order=order, writer=data["writer"], actor=request.user)

    @form_action(form=NotesForm, description="Return the selected orders to their writers", success="{count} returned.")
    def return_orders(self, request: HttpRequest, order: Order, **data: Any) -> None:
        """``services.order_return`` (as ``POST /orders/{id}/return/``)."""
        order = access_order(user=request.user, pk=order.pk)
        services.order_return(order=order, actor=request.user, notes=data["notes"])

    @service_action(description="Deliver the selected orders to their clients", success="{count} delivered.")
    def deliver_orders(self, request: HttpRequest, order: Order) -> None:
        """``services.order_deliver`` (as ``POST /orders/{id}/deliver/``)."""
        order = access_order(user=request.user, pk=order.pk)
        services.order_deliver(order=order, actor=request.user)

    @form_action(form=CancelForm, description="Cancel the selected orders", success="{count} cancelled.")
    def cancel_orders(self, request: HttpRequest, order: Order, **data: Any) -> None:
        """``services.order_cancel`` (as ``POST /orders/{id}/cancel/``): moves no money."""
        order = access_order(user=request.user, pk=order.pk)
        services.order_cancel(order=order, actor=request.user, reason=data["reason"])

    @form_action(form=ResolveForm, description="Resolve the selected disputes", success="{count} resolved.")
    def resolve_disputes(self, request: HttpRequest, order: Order, **data: Any) -> None:
        """``services.order_resolve`` (as ``POST /orders/{id}/resolve/``)."""
        order = access_order(user=request.user, pk=order.pk)
        services.order_resolve(order=order, actor=request.user, outcome=data["outcome"], note=data["note"])

    @form_action(form=RefundForm, description="Refund the selected orders", success="{count} refunded.")
    def refund_orders(self, request: HttpRequest, order: Order, **data: Any) -> None:
        """``services.order_refund`` (as ``POST /orders/{id}/refunds/``): to the client's wallet."""
        order = access_order(user=request.user, pk=order.pk)
        services.order_refund(order=order, actor=request.user, amount=data["amount"], reason=data["reason"])


@register(OrderRefund)
class OrderRefundAdmin(ServiceModelAdmin):
    """Refunds of orders (a ledger: read-only; made with the orders' "Refund" action)."""

    list_display = ("order", "amount", "currency", "created_by", "created_at")
    list_filter = ("currency", "created_at")
    search_fields = ("order__number", "reason", "order__client__email")
    list_select_related = ("order", "created_by")
    date_hierarchy = "created_at"


#: What ``order_settings_update`` changes: the change form edits exactly these.
SETTINGS_FIELDS = ("assignment_mode", "earning_mode", "free_revision_days")


class OrderSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    """The order settings, with the service's range for the free-revision window (0-365 days)."""

    free_revision_days = forms.IntegerField(min_value=0, max_value=MAX_REVISION_DAYS)

    class Meta:
        model = OrderSettings
        fields = SETTINGS_FIELDS


@register(OrderSettings)
class OrderSettingsAdmin(ServiceSettingsAdmin):
    """The site's order settings (one row): edited through ``order_settings_update`` (audited
    ``writing_order_settings.updated``), never saved directly; no add, no delete."""

    form = OrderSettingsForm
    settings_fields = SETTINGS_FIELDS
    list_display = ("__str__", "assignment_mode", "earning_mode", "free_revision_days", "updated_at")
    list_filter = ("assignment_mode", "earning_mode")
    search_fields = ("assignment_mode",)

    def read_settings(self) -> Any:
        return services.order_settings()

    def update_settings(self, request: HttpRequest, changes: dict[str, Any]) -> Any:
        return services.order_settings_update(actor=request.user, **changes)
