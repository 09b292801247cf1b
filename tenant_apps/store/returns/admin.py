"""Returns in the store's admin: every return with its items (read-only), and the API's moves of
an admin through the same services, with the signed-in admin as the actor:

* receive (``return_receive``: ``requested`` -> ``received``);
* inspect (``return_inspect``: ``received`` -> ``inspected``), every item of each selected return
  found in one condition, with notes (per-item conditions: ``POST /returns/{id}/inspect/``);
* approve with optional penalty points (``return_approve``: refund, restock, penalty);
* reject with a reason (``return_reject``).

Refund amounts, items and statuses are never edited here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register, service_action
from saas.admin.extras import form_action
from tenant_apps.store.admin_forms import ReasonForm
from tenant_apps.store.returns import services
from tenant_apps.store.returns.access import access_return
from tenant_apps.store.returns.models import ItemCondition, ReturnItem, ReturnRequest


class InspectionForm(forms.Form):
    """The condition every item of a return was found in, and the inspector's notes."""

    condition = forms.ChoiceField(choices=ItemCondition.choices)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), max_length=5000, required=False)


class ApprovalForm(forms.Form):
    """The points taken from each seller of a returned item (0: none)."""

    penalty_points = forms.IntegerField(min_value=0, max_value=1_000_000, initial=0)


class ReturnItemInline(admin.TabularInline):  # type: ignore[type-arg]
    """A return's items: the order line, units, condition found at inspection (read-only)."""

    model = ReturnItem
    fields = ("order_item", "quantity", "condition")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReturnItem]:
        return super().get_queryset(request).select_related("order_item")


@register(ReturnRequest)
class ReturnRequestAdmin(ServiceModelAdmin):
    """Every return of the store; receive, inspect, approve and reject as through the API."""

    list_display = (
        "__str__",
        "order",
        "buyer",
        "status",
        "refund_amount",
        "penalty_points",
        "created_at",
        "decided_at",
    )
    list_filter = ("status",)
    search_fields = ("order__number", "buyer__email", "reason")
    list_select_related = ("order", "buyer")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    inlines = (ReturnItemInline,)
    actions = ("receive_returns", "inspect_returns", "approve_returns", "reject_returns")

    def _found(self, request: HttpRequest, return_request: ReturnRequest) -> ReturnRequest:
        return access_return(user=request.user, pk=return_request.pk)

    @service_action(description="Mark the selected returns received", success="{count} received.")
    def receive_returns(self, request: HttpRequest, return_request: ReturnRequest) -> None:
        services.return_receive(return_id=self._found(request, return_request).pk, actor=request.user)

    @form_action(description="Inspect the selected returns", form=InspectionForm, success="{count} inspected.")
    def inspect_returns(self, request: HttpRequest, return_request: ReturnRequest, **data: Any) -> None:
        found = self._found(request, return_request)
        items = [
            services.InspectedItem(id=pk, condition=data["condition"])
            for pk in found.items.order_by("id").values_list("pk", flat=True)
        ]
        services.return_inspect(return_id=found.pk, actor=request.user, items=items, notes=data["notes"])

    @form_action(description="Approve the selected returns (refund)", form=ApprovalForm, success="{count} approved.")
    def approve_returns(self, request: HttpRequest, return_request: ReturnRequest, **data: Any) -> None:
        found = self._found(request, return_request)
        services.return_approve(return_id=found.pk, actor=request.user, penalty_points=data["penalty_points"])

    @form_action(description="Reject the selected returns", form=ReasonForm, success="{count} rejected.")
    def reject_returns(self, request: HttpRequest, return_request: ReturnRequest, **data: Any) -> None:
        found = self._found(request, return_request)
        services.return_reject(return_id=found.pk, actor=request.user, reason=data["reason"])
