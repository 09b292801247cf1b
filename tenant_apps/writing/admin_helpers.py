"""What the writing apps' admins share beyond ``saas.admin.extras``: the admin of a one-row
settings table edited through its service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from saas.admin import ServiceModelAdmin
from saas.api.errors import ApplicationError

__all__ = ["ServiceSettingsAdmin"]


class ServiceSettingsAdmin(ServiceModelAdmin):
    """A site's one-row settings, edited through their service (never ``save()``).

    Subclasses name ``settings_fields`` (what the service changes; the change form edits exactly
    those), ``read_settings()`` (the service that makes the row with its defaults on first read, as
    the API does) and ``update_settings(request, changes)`` (the service, with the fields the form
    changed). A refusal of the service (``ApplicationError``) is shown as an error message and the
    whole save is rolled back (Django's change view runs in one transaction). No add, no delete.
    """

    settings_fields: tuple[str, ...] = ()

    def read_settings(self) -> Any:
        """The settings row (made on first read)."""
        raise NotImplementedError

    def update_settings(self, request: HttpRequest, changes: dict[str, Any]) -> Any:
        """Call the settings' service with ``changes`` and the signed-in admin as the actor."""
        raise NotImplementedError

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return (*self.settings_fields, "updated_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("updated_at",)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """The list of the one row (made with its defaults on first look)."""
        self.read_settings()
        return super().changelist_view(request, extra_context)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """Django's change view; a service's refusal becomes an error message on the same page."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_service_permission(request)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Save through ``update_settings`` with the fields the form changed."""
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in self.settings_fields}
        if changes:
            self.update_settings(request, changes)
