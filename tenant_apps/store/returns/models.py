"""Return requests (seed 001, the store).

Life of a return (``ReturnStatus``)::

    requested --receive--> received --inspect--> inspected --approve--> approved
        \\-----------------------------\\-------------------\\--reject--> rejected

* A buyer asks to return items of a ``delivered`` or ``completed`` order within
  ``return_window_days`` of delivery (site settings), with a reason; a unit is in at most one
  open or approved return.
* Delivery users and admins record receipt and inspection (each item's ``condition``).
* An admin approves (the buyer is refunded the items' price from the order's escrow or, once
  completed, from the sellers; resellable units go back to stock; the sellers may lose points as
  a penalty) or rejects with a reason.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tenant_apps.store.orders.models import Order, OrderItem


class ReturnStatus(models.TextChoices):
    """Where a return is (see the module's diagram)."""

    REQUESTED = "requested", "Requested"
    RECEIVED = "received", "Received"
    INSPECTED = "inspected", "Inspected"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class ReturnRequest(models.Model):
    """A buyer's request to return items of one order; ``refund_amount`` set on approval."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="returns")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="store_returns")
    reason = models.TextField()
    status = models.CharField(max_length=16, choices=ReturnStatus.choices, default=ReturnStatus.REQUESTED)
    inspection_notes = models.TextField(blank=True)
    decision_reason = models.TextField(blank=True)
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    penalty_points = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(null=True, blank=True)
    inspected_at = models.DateTimeField(null=True, blank=True)
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ReturnStatus.REJECTED) | ~Q(decision_reason=""),
                name="returns_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReturnStatus.APPROVED) | Q(refund_amount__isnull=False),
                name="returns_approval_has_refund",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="returns_status")]

    def __str__(self) -> str:
        return f"return #{self.pk} of order #{self.order_id}"


class ItemCondition(models.TextChoices):
    """A returned unit as inspected: resellable units go back to stock."""

    RESELLABLE = "resellable", "Resellable"
    DAMAGED = "damaged", "Damaged"


class ReturnItem(models.Model):
    """``quantity`` units of one order item in a return; ``condition`` recorded at inspection."""

    return_request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="items")
    order_item = models.ForeignKey(OrderItem, on_delete=models.PROTECT, related_name="return_items")
    quantity = models.PositiveIntegerField()
    condition = models.CharField(max_length=16, choices=ItemCondition.choices, blank=True)

    class Meta:
        ordering = ("id",)
        constraints = [
            models.UniqueConstraint(fields=["return_request", "order_item"], name="returns_item_once_per_return"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="returns_item_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x order item #{self.order_item_id}"
