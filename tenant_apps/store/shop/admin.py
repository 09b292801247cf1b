"""The shop in the store's admin: the site's settings (edited through ``store_settings_update``)
and sellers' points accounts with their ledger (read-only).

* ``StoreSettings`` is one row: the list opens its change page (the row is made with the defaults
  on first use by ``services.store_settings``, as the API's ``GET /store/settings/`` does). Its
  form checks what the API's serializer checks (bounds, ``ranks`` with ``brand_rank`` through
  ``services.validate_ranks``) and its save calls ``store_settings_update`` with the changed
  fields and the signed-in admin as the actor: the service audits ``store.settings_updated``, and
  the admin's own change record is audited too (``admin.changed``).
* ``SellerAccount`` and ``PointsEntry``: points move only by completed orders and return
  penalties (the services); no admin move exists in the API, so none here.

Not registered: ``StoreProfile`` (a user's own delivery location; no admin move).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from saas.admin import ServiceModelAdmin, register
from saas.api.errors import ApplicationError
from tenant_apps.store.shop import services
from tenant_apps.store.shop.models import PointsEntry, SellerAccount, StoreSettings
from tenant_apps.store.shop.serializers import MAX_DAYS

#: Set on the request when ``store_settings_update`` refused the admin's save.
_REFUSED = "_store_settings_refused"


class StoreSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    """The settings with the API's bounds (``StoreSettingsUpdateSerializer``); ``ranks`` and
    ``brand_rank`` checked together by ``services.validate_ranks``."""

    commission_percent = forms.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("100")
    )
    completion_wait_days = forms.IntegerField(min_value=0, max_value=MAX_DAYS)
    return_window_days = forms.IntegerField(min_value=0, max_value=MAX_DAYS)
    anti_sniping_seconds = forms.IntegerField(min_value=0, max_value=86_400)
    points_per_order = forms.IntegerField(min_value=0, max_value=1_000_000)

    class Meta:
        model = StoreSettings
        fields = services.SETTINGS_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A callable default makes Django compare with a hidden copy of the page's first value;
        # compare with the row as stored instead, so only what the admin changed is sent.
        self.fields["ranks"].show_hidden_initial = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if "ranks" in data and "brand_rank" in data:
            try:
                data["ranks"] = services.validate_ranks(data["ranks"], data["brand_rank"])
            except ApplicationError as exc:
                for field, problems in (exc.details or {}).items():
                    self.add_error(field if field in self.fields else None, problems)
        return data

    def _post_clean(self) -> None:
        """No ``construct_instance``/model validation: the service writes the row, not the form."""


@register(StoreSettings)
class StoreSettingsAdmin(ServiceModelAdmin):
    """The store's settings, changed through ``store_settings_update`` only."""

    form = StoreSettingsForm
    fields = services.SETTINGS_FIELDS
    list_display = ("__str__", "commission_percent", "completion_wait_days", "return_window_days", "updated_at")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_service_permission(request)

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        """The one row (made with the defaults first, as ``changelist_view``) for its id ``1``."""
        if object_id == "1":
            services.store_settings()
        return super().get_object(request, object_id, from_field)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """The one row's change page (made with the defaults first, as the API's read does)."""
        row = services.store_settings()
        return HttpResponseRedirect(f"{request.path}{row.pk}/change/")

    def save_model(self, request: HttpRequest, obj: StoreSettings, form: Any, change: bool) -> None:
        """``store_settings_update`` with the fields the form changed. A refusal (the service's
        own checks, e.g. under a concurrent edit) is shown as an error, nothing is saved, and the
        page comes back without a success message or an admin change record."""
        changed = {name: form.cleaned_data[name] for name in form.changed_data if name in services.SETTINGS_FIELDS}
        if not changed:
            return
        try:
            services.store_settings_update(actor=request.user, **changed)
        except ApplicationError as exc:
            setattr(request, _REFUSED, True)
            self.message_user(request, exc.message, messages.ERROR)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        if getattr(request, _REFUSED, False):
            return None
        return super().log_change(request, obj, message)

    def response_change(self, request: HttpRequest, obj: Any) -> HttpResponse:
        if getattr(request, _REFUSED, False):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)


class PointsEntryInline(admin.TabularInline):  # type: ignore[type-arg]
    """A seller's points entries, newest first (an append-only ledger)."""

    model = PointsEntry
    fields = ("created_at", "kind", "delta", "points_after", "reference", "memo")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-id",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@register(SellerAccount)
class SellerAccountAdmin(ServiceModelAdmin):
    """Sellers' points, with their ledger on the detail page."""

    list_display = ("seller", "points", "updated_at")
    list_filter = ("seller__is_active",)
    search_fields = ("seller__email", "seller__full_name")
    list_select_related = ("seller",)
    ordering = ("-points", "id")
    inlines = (PointsEntryInline,)


@register(PointsEntry)
class PointsEntryAdmin(ServiceModelAdmin):
    """Every points entry of every seller (the ledger), newest first."""

    list_display = ("created_at", "account", "kind", "delta", "points_after", "reference", "memo")
    list_filter = ("kind",)
    search_fields = ("account__seller__email", "reference", "memo")
    list_select_related = ("account",)
    date_hierarchy = "created_at"
    ordering = ("-id",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[PointsEntry]:
        return super().get_queryset(request).select_related("account__seller")
