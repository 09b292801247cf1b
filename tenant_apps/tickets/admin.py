"""Support tickets in the tenant admin: read-only list and conversation; closing, reopening,
assigning, prioritising and replying through ``services`` (status rules, object permissions,
notifications and audit as in the API)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register, service_action
from saas.admin.extras import ReadOnlyInline, form_action
from tenant_apps.tickets import services
from tenant_apps.tickets.models import Ticket, TicketMessage, TicketPriority


class TicketMessageInline(ReadOnlyInline):
    """The conversation, oldest first."""

    model = TicketMessage
    fields = ("author", "body", "created_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[TicketMessage]:
        return super().get_queryset(request).select_related("author")


class PriorityForm(forms.Form):
    """The priority to give the selected tickets."""

    priority = forms.ChoiceField(label="Priority", choices=TicketPriority.choices)


class ReplyForm(forms.Form):
    """A reply posted on each selected ticket by the signed-in admin."""

    body = forms.CharField(label="Reply", widget=forms.Textarea(attrs={"rows": 5}))


@register(Ticket)
class TicketAdmin(ServiceModelAdmin):
    """Tickets: filters by status, priority and assignee, search by subject and people; actions
    call ``ticket_close``, ``ticket_reopen``, ``ticket_assign``, ``ticket_prioritise``, ``ticket_reply``."""

    list_display = ("__str__", "status", "priority", "created_by", "assignee", "message_count", "updated_at")
    list_filter = ("status", "priority", ("assignee", admin.RelatedOnlyFieldListFilter), "created_at")
    search_fields = ("subject", "created_by__email", "assignee__email")
    list_select_related = ("created_by", "assignee")
    fields = (
        "subject",
        "status",
        "priority",
        "created_by",
        "assignee",
        "target_type",
        "target_id",
        "message_count",
        "created_at",
        "updated_at",
        "closed_at",
    )
    readonly_fields = fields
    inlines = (TicketMessageInline,)
    actions = ("close_tickets", "reopen_tickets", "assign_to_me", "unassign_tickets", "set_priority", "reply")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Ticket]:
        return super().get_queryset(request).select_related("created_by", "assignee", "target_type")

    @service_action(description="Close the selected tickets", success="{count} closed.")
    def close_tickets(self, request: HttpRequest, ticket: Ticket) -> None:
        services.ticket_close(actor=request.user, ticket_id=ticket.pk)  # type: ignore[arg-type]

    @service_action(description="Reopen the selected tickets", success="{count} reopened.")
    def reopen_tickets(self, request: HttpRequest, ticket: Ticket) -> None:
        services.ticket_reopen(actor=request.user, ticket_id=ticket.pk)  # type: ignore[arg-type]

    @service_action(description="Assign the selected tickets to me", success="{count} assigned to you.")
    def assign_to_me(self, request: HttpRequest, ticket: Ticket) -> None:
        services.ticket_assign(actor=request.user, ticket_id=ticket.pk, assignee_id=request.user.pk)  # type: ignore[arg-type]

    @service_action(description="Unassign the selected tickets", success="{count} unassigned.")
    def unassign_tickets(self, request: HttpRequest, ticket: Ticket) -> None:
        services.ticket_assign(actor=request.user, ticket_id=ticket.pk, assignee_id=None)  # type: ignore[arg-type]

    @form_action(form=PriorityForm, description="Set the priority of the selected tickets", success="{count} set.")
    def set_priority(self, request: HttpRequest, ticket: Ticket, **data: Any) -> None:
        services.ticket_prioritise(actor=request.user, ticket_id=ticket.pk, priority=data["priority"])  # type: ignore[arg-type]

    @form_action(form=ReplyForm, description="Reply to the selected tickets", success="{count} replied to.")
    def reply(self, request: HttpRequest, ticket: Ticket, **data: Any) -> None:
        services.ticket_reply(actor=request.user, ticket_id=ticket.pk, body=data["body"])  # type: ignore[arg-type]
