"""The rental site's settings in its admin: the one row, changed through ``rental_settings_update``.

The change form edits exactly what the service changes (commission, report hour, time zone) and
checks the same ranges; saving calls the service with the fields that changed (under the row's
lock, audited ``rental.settings_updated``), never ``save()``. No add (the row is made on first
read, as the API does) and no delete.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse

from saas.admin import ServiceModelAdmin, register
from saas.api.errors import ApplicationError
from tenant_apps.rental.site import services
from tenant_apps.rental.site.models import RentalSettings


class RentalSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    """The settings ``rental_settings_update`` changes, with its ranges (0-100 %, 0-23 h, an IANA zone)."""

    commission_percent = forms.DecimalField(min_value=Decimal("0"), max_value=Decimal("100"), decimal_places=2)
    report_hour = forms.IntegerField(min_value=0, max_value=23)
    time_zone = forms.CharField(max_length=64, help_text="IANA name, e.g. Europe/Paris.")

    class Meta:
        model = RentalSettings
        fields = services.SETTINGS_FIELDS

    def clean_time_zone(self) -> str:
        try:
            return services.valid_time_zone(self.cleaned_data["time_zone"])
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from None


@register(RentalSettings)
class RentalSettingsAdmin(ServiceModelAdmin):
    """The site's settings: editable by the admin through the service."""

    form = RentalSettingsForm
    list_display = ("__str__", "commission_percent", "report_hour", "time_zone", "updated_at")
    list_filter = ("time_zone",)
    search_fields = ("time_zone",)
    fields = (*services.SETTINGS_FIELDS, "updated_at")
    readonly_fields = ("updated_at",)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        services.rental_settings()  # the row exists (with the defaults) once anyone looks, as in the API
        return super().changelist_view(request, extra_context)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_service_permission(request)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Save through ``rental_settings_update`` with the fields the form changed."""
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in services.SETTINGS_FIELDS}
        if changes:
            services.rental_settings_update(actor=request.user, changes=changes)
