"""The writing site's admin of writers' fines: each fine with its deductions and appeal, and the
admin's decision on an appeal (accept: the fine is reversed and what was deducted given back;
reject, saying why) through the services the API calls (``views.py``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register, service_action
from saas.admin.extras import ReadOnlyInline, form_action
from tenant_apps.writing.fines import services
from tenant_apps.writing.fines.access import access_fine
from tenant_apps.writing.fines.models import Fine, FineAppeal, FineDeduction
from tenant_apps.writing.fines.services import MAX_TEXT


class RejectAppealForm(forms.Form):
    """Why the appeals of the selected fines are rejected (the writer reads it)."""

    note = forms.CharField(max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}))


class FineDeductionInline(ReadOnlyInline):
    """What was taken from the writer's wallet for the fine, oldest first."""

    model = FineDeduction
    fields = ("amount", "ledger_entry", "created_at")


class FineAppealInline(ReadOnlyInline):
    """The writer's appeal of the fine and its decision."""

    model = FineAppeal
    fields = ("explanation", "status", "note", "decided_by", "decided_at", "created_at")


@register(Fine)
class FineAdmin(ServiceModelAdmin):
    """Fines: read-only (money, status); appeals decided with the actions."""

    list_display = ("id", "writer", "kind", "amount", "deducted", "currency", "status", "appeal_status", "created_at")
    list_filter = ("status", "kind", "appeal__status", "created_at")
    search_fields = ("writer__email", "writer__full_name", "reason", "order__number")
    list_select_related = ("writer", "order", "appeal")
    date_hierarchy = "created_at"
    inlines = (FineAppealInline, FineDeductionInline)
    actions = ("accept_appeals", "reject_appeals")

    @admin.display(description="appeal", ordering="appeal__status")
    def appeal_status(self, fine: Fine) -> str:
        """The fine's appeal's status, or "-" when it was not appealed."""
        appeal = getattr(fine, "appeal", None)
        return appeal.get_status_display() if appeal is not None else "-"

    @service_action(description="Accept the appeals of the selected fines", success="{count} accepted.")
    def accept_appeals(self, request: HttpRequest, fine: Fine) -> None:
        """``services.fine_appeal_accept`` (as ``POST /fines/{id}/accept/``, without a note)."""
        services.fine_appeal_accept(fine=access_fine(user=request.user, pk=fine.pk), actor=request.user)

    @form_action(
        form=RejectAppealForm, description="Reject the appeals of the selected fines", success="{count} rejected."
    )
    def reject_appeals(self, request: HttpRequest, fine: Fine, **data: Any) -> None:
        """``services.fine_appeal_reject`` (as ``POST /fines/{id}/reject/``): the fine stands."""
        services.fine_appeal_reject(
            fine=access_fine(user=request.user, pk=fine.pk), actor=request.user, note=data["note"]
        )
