"""The rental site's admin pages for inquiries and their messages.

Read-only pages; the admin's moves are actions calling the services the API calls, with the
signed-in admin as the actor (the transition table, the agents' object permissions, the audit
rows, notifications and e-mails all come with them):

* assign to a customer-service agent, chosen on an intermediate page (``inquiry_assign``);
* start, resolve, close (``inquiry_set_status``, along ``transitions.TRANSITIONS``);
* reply, the message written on an intermediate page (``inquiry_message_add``: e-mailed to the
  author).

The object permissions behind who sees an inquiry (``InquiryUserObjectPermission``) are internal
rows, kept by the services, and have no page.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register, service_action
from saas.admin.extras import ReadOnlyInline, form_action
from tenant_apps.accounts.models import User
from tenant_apps.accounts.selectors import users_with_roles
from tenant_apps.rental.inquiries import selectors, services
from tenant_apps.rental.inquiries.models import Inquiry, InquiryMessage, InquiryStatus
from tenant_apps.rental.kind import CUSTOMER_SERVICE


def _actor(request: HttpRequest) -> User:
    """The signed-in admin (the site lets no one else in)."""
    return cast(User, request.user)


class MessageInline(ReadOnlyInline):
    """An inquiry's messages, oldest first."""

    model = InquiryMessage
    fields = ("created_at", "author", "body")
    ordering = ("created_at", "id")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("author")


class AssignForm(forms.Form):
    """The customer-service agent to give the inquiries to (active agents of this site)."""

    agent: forms.ModelChoiceField[User] = forms.ModelChoiceField(queryset=User.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = users_with_roles(CUSTOMER_SERVICE).order_by("full_name", "email")  # type: ignore[attr-defined]


class ReplyForm(forms.Form):
    """The message to add (the author is e-mailed it)."""

    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=10000, label="Message")


@register(Inquiry)
class InquiryAdmin(ServiceModelAdmin):
    """Inquiries: assign, start, resolve, close, reply."""

    list_display = ("subject", "status", "severity", "email", "assigned_to", "property", "booking", "created_at")
    list_filter = ("status", "severity", "assigned_to")
    search_fields = ("subject", "message", "email", "name", "created_by__email", "booking__number")
    date_hierarchy = "created_at"
    fields = (
        "subject",
        "status",
        "severity",
        "message",
        "created_by",
        "name",
        "email",
        "property",
        "booking",
        "assigned_to",
        "created_at",
        "updated_at",
        "resolved_at",
        "closed_at",
    )
    inlines = (MessageInline,)
    actions = ("assign", "start", "resolve", "close", "reply")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        """The inquiries the admin may see with author, agent, property and booking joined
        (``selectors.inquiry_list``), in the list's order."""
        queryset = selectors.inquiry_list(user=request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    @form_action(description="Assign the selected inquiries to an agent", form=AssignForm, success="{count} assigned.")
    def assign(self, request: HttpRequest, inquiry: Inquiry, *, agent: Any) -> None:
        services.inquiry_assign(actor=_actor(request), inquiry_id=inquiry.pk, agent_id=agent.pk)

    @staticmethod
    def _move(request: HttpRequest, inquiry: Inquiry, status: str) -> None:
        services.inquiry_set_status(actor=_actor(request), inquiry_id=inquiry.pk, status=status)

    @service_action(description="Start work on the selected inquiries (in progress)", success="{count} started.")
    def start(self, request: HttpRequest, inquiry: Inquiry) -> None:
        self._move(request, inquiry, InquiryStatus.IN_PROGRESS)

    @service_action(description="Resolve the selected inquiries", success="{count} resolved.")
    def resolve(self, request: HttpRequest, inquiry: Inquiry) -> None:
        self._move(request, inquiry, InquiryStatus.RESOLVED)

    @service_action(description="Close the selected inquiries", success="{count} closed.")
    def close(self, request: HttpRequest, inquiry: Inquiry) -> None:
        self._move(request, inquiry, InquiryStatus.CLOSED)

    @form_action(description="Reply to the selected inquiries", form=ReplyForm, success="{count} answered.")
    def reply(self, request: HttpRequest, inquiry: Inquiry, *, body: str) -> None:
        services.inquiry_message_add(actor=_actor(request), inquiry_id=inquiry.pk, body=body)


@register(InquiryMessage)
class InquiryMessageAdmin(ServiceModelAdmin):
    """Every inquiry's messages, newest first."""

    list_display = ("inquiry", "author", "excerpt", "created_at")
    list_filter = ("inquiry__status",)
    search_fields = ("body", "inquiry__subject", "author__email")
    list_select_related = ("inquiry", "author")
    ordering = ("-created_at", "-id")
    fields = ("inquiry", "author", "body", "created_at")

    @staticmethod
    def excerpt(message: InquiryMessage) -> str:
        """The message's first 80 characters."""
        return message.body if len(message.body) <= 80 else message.body[:79] + "…"
