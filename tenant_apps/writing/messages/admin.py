"""The writing site's admin of order messages (read-only: a thread is written by its order's
people through the API, with contact details masked; the admin may read what was masked), and the
site's message settings (edited through ``message_settings_update``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register
from tenant_apps.writing.admin_helpers import ServiceSettingsAdmin
from tenant_apps.writing.messages import services
from tenant_apps.writing.messages.models import MessageSettings, OrderMessage
from tenant_apps.writing.messages.services import PHONE_REGIONS


@register(OrderMessage)
class OrderMessageAdmin(ServiceModelAdmin):
    """Order messages (read-only)."""

    list_display = ("id", "order", "author", "author_role", "masked", "created_at")
    list_filter = ("author_role", "masked", "created_at")
    search_fields = ("order__number", "author__email", "body")
    list_select_related = ("order", "author")
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrderMessage]:
        """Messages with their order and author, attachments in one query (the change page)."""
        return super().get_queryset(request).select_related("order", "author").prefetch_related("attachments")


class MessageSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    """Whether contact details are masked, and the region phone numbers are read in."""

    phone_region = forms.ChoiceField(choices=[(region, region) for region in PHONE_REGIONS])

    class Meta:
        model = MessageSettings
        fields = ("block_contact_details", "phone_region")


@register(MessageSettings)
class MessageSettingsAdmin(ServiceSettingsAdmin):
    """The site's message settings (one row), through ``services.message_settings_update``."""

    form = MessageSettingsForm
    settings_fields = ("block_contact_details", "phone_region")
    list_display = ("__str__", "block_contact_details", "phone_region", "updated_at")
    list_filter = ("block_contact_details",)
    search_fields = ("phone_region",)

    def read_settings(self) -> Any:
        return services.message_settings()

    def update_settings(self, request: HttpRequest, changes: dict[str, Any]) -> Any:
        return services.message_settings_update(actor=request.user, **changes)
