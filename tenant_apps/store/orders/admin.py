"""Store orders in the site's admin: every order with its items and proof of delivery, and card
top-ups of wallets. Read-only (``ServiceModelAdmin``): money and status fields never change here.

The one admin move of the API on an order is completing it after ``completion_wait_days``
(``services.order_complete``: the escrow settled to the sellers and the site, points earned), with
the signed-in admin as the actor; the service refuses an order not delivered, not due yet, or with
a return awaiting a decision. Cancelling is the buyer's, and claiming, shipping and confirming the
PIN the courier's: not offered here.

Not registered: carts (``CartItem``: a buyer's own, until checkout) and ``DeliveryProof`` on its
own (shown on its order, without the PIN the buyer hands over).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register, service_action
from tenant_apps.store.orders import services
from tenant_apps.store.orders.access import access_order
from tenant_apps.store.orders.models import DeliveryProof, Order, OrderItem, WalletTopUp


class _ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    """An inline of child rows shown, never added, changed or deleted."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OrderItemInline(_ReadOnlyInline):
    """An order's lines: product, seller, quantity, price, units returned."""

    model = OrderItem
    fields = ("title", "product", "seller", "quantity", "unit_price", "line_total", "returned_quantity")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrderItem]:
        return super().get_queryset(request).select_related("product", "seller")


class DeliveryProofInline(_ReadOnlyInline):
    """The order's proof of delivery: when made and confirmed, by whom, wrong PINs (not the PIN)."""

    model = DeliveryProof
    fields = ("created_at", "confirmed_at", "confirmed_by", "failed_attempts")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[DeliveryProof]:
        return super().get_queryset(request).select_related("confirmed_by")


@register(Order)
class OrderAdmin(ServiceModelAdmin):
    """Every order of the store; completing a delivered one goes through ``order_complete``."""

    list_display = (
        "number",
        "buyer",
        "status",
        "source",
        "total",
        "currency",
        "delivery_user",
        "created_at",
        "delivered_at",
        "completed_at",
    )
    list_filter = ("status", "source", "currency")
    search_fields = ("number", "buyer__email", "delivery_user__email", "location_address")
    list_select_related = ("buyer", "delivery_user")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    inlines = (OrderItemInline, DeliveryProofInline)
    actions = ("complete_orders",)

    @service_action(description="Complete the selected orders (settle the escrow)", success="{count} completed.")
    def complete_orders(self, request: HttpRequest, order: Order) -> None:
        found = access_order(user=request.user, pk=order.pk)
        services.order_complete(order_id=found.pk, actor=request.user)


@register(WalletTopUp)
class WalletTopUpAdmin(ServiceModelAdmin):
    """Customers' card top-ups and whether their wallet was credited (by the payment's webhook)."""

    list_display = ("id", "user", "amount", "currency", "invoice", "credited_at", "created_at")
    list_filter = ("currency", ("credited_at", admin.EmptyFieldListFilter))
    search_fields = ("user__email", "invoice__number")
    list_select_related = ("user", "invoice")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
