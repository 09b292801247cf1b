"""The writing site's admin of writers: their profiles (setting a writer's level through the
service the API calls, ``PATCH /writers/{id}/``) and the levels (read-only here; managed through
``/writer-levels/``, whose service keeps exactly one default)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register
from saas.admin.extras import form_action
from tenant_apps.writing.writers import services
from tenant_apps.writing.writers.access import access_writer
from tenant_apps.writing.writers.models import WriterLevel, WriterProfile


class LevelForm(forms.Form):
    """The level to give the selected writers."""

    level = forms.ModelChoiceField(queryset=WriterLevel.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["level"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = WriterLevel.objects.order_by("position", "id")


@register(WriterProfile)
class WriterProfileAdmin(ServiceModelAdmin):
    """Writers' profiles: read-only; a writer's level set with the action."""

    list_display = ("user", "level", "updated_at")
    list_filter = ("level",)
    search_fields = ("user__email", "user__full_name")
    list_select_related = ("user", "level")
    actions = ("set_level",)

    @form_action(form=LevelForm, description="Set the level of the selected writers", success="{count} set.")
    def set_level(self, request: HttpRequest, profile: WriterProfile, **data: Any) -> None:
        """``services.writer_set_level`` (as ``PATCH /writers/{id}/`` ``{level}``)."""
        writer = access_writer(user=request.user, pk=profile.user_id)
        services.writer_set_level(actor=request.user, writer=writer, level=data["level"])


@register(WriterLevel)
class WriterLevelAdmin(ServiceModelAdmin):
    """Writer levels (read-only): what a completed order earns a writer of each."""

    list_display = ("name", "slug", "position", "share_percent", "per_page_amount", "is_default")
    list_filter = ("is_default",)
    search_fields = ("name", "slug")
    ordering = ("position", "id")

    def get_queryset(self, request: HttpRequest) -> QuerySet[WriterLevel]:
        """The levels, in the order writers climb them."""
        return super().get_queryset(request).order_by("position", "id")
