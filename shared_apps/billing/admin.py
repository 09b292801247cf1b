"""The platform console's billing pages (``/admin/`` on ``PLATFORM_DOMAIN``, platform staff).

Plans are created and changed through ``services.plan_create`` / ``plan_update`` (the API's
rules, the same Stripe sync after commit); billing accounts and Stripe events are read-only:
Stripe and the billing services write them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register
from saas.errors import ApplicationError
from shared_apps.billing import services
from shared_apps.billing.models import BillingAccount, BillingEvent, Plan


class PlanForm(forms.ModelForm):  # type: ignore[type-arg]
    """A plan's fields, checked by the service's rules (limit names, the currency's step)."""

    class Meta:
        model = Plan
        fields = services.PLAN_FIELDS_EDITABLE

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        current = self.instance if self.instance.pk else None
        names = [name for name in services.PLAN_FIELDS_EDITABLE if name in cleaned]
        if current is not None:
            names = [name for name in names if name in self.changed_data]
        try:
            services.plan_fields_clean({name: cleaned[name] for name in names}, current=current)
        except ApplicationError as exc:
            for field, messages in (exc.details or {}).items():
                self.add_error(field if field in self.fields else None, messages)
            if not exc.details:
                raise forms.ValidationError(exc.message) from None
        return cleaned


@register(Plan)
class PlanAdmin(ServiceModelAdmin):
    """Plans: created and edited through the service (synced to Stripe after commit)."""

    form = PlanForm
    list_display = ("code", "name", "price", "currency", "interval", "trial_days", "is_public", "stripe_price_id")
    list_filter = ("is_public", "interval", "currency")
    search_fields = ("code", "name")
    ordering = ("price", "code")
    readonly_fields = ("stripe_product_id", "stripe_price_id", "created_at", "updated_at")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*services.PLAN_FIELDS_EDITABLE, *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code", *self.readonly_fields) if obj is not None else tuple(self.readonly_fields)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_service_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_service_permission(request)

    def save_model(self, request: HttpRequest, obj: Plan, form: Any, change: bool) -> None:
        """Save through ``plan_update`` (the changed fields) or ``plan_create``."""
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data if name != "code"}
            saved = services.plan_update(plan=obj, fields=fields) if fields else obj
        else:
            fields = {
                name: form.cleaned_data[name] for name in services.PLAN_FIELDS_EDITABLE if name in form.cleaned_data
            }
            saved = services.plan_create(fields=fields)
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})


@register(BillingAccount)
class BillingAccountAdmin(ServiceModelAdmin):
    """Each tenant's billing: plan, Stripe ids, status, dunning, Connect account (read-only)."""

    list_display = ("tenant", "plan", "status", "current_period_end", "grace_ends_at", "stripe_customer_id")
    list_filter = ("status", "plan")
    search_fields = ("tenant__schema_name", "tenant__name", "stripe_customer_id", "stripe_subscription_id")
    list_select_related = ("tenant", "plan")
    ordering = ("tenant__schema_name",)
    fields = (
        "tenant",
        "plan",
        "status",
        "stripe_customer_id",
        "stripe_subscription_id",
        "current_period_end",
        "trial_end",
        "cancel_at_period_end",
        "past_due_since",
        "grace_ends_at",
        "sync_error",
        "connect_account_id",
        "connect_charges_enabled",
        "connect_details_submitted",
        "usage",
        "created_at",
        "updated_at",
    )
    readonly_fields = ("usage",)

    @admin.display(description="usage")
    def usage(self, account: BillingAccount) -> str:
        from shared_apps.billing.overview import usage_rows

        rows = usage_rows(account.tenant)
        return "; ".join(
            f"{row['label']}: {row['usage']} / {row['allowed'] if row['allowed'] is not None else 'unlimited'}"
            + (" MB" if row["unit"] == "MB" else "")
            for row in rows
        )


@register(BillingEvent)
class BillingEventAdmin(ServiceModelAdmin):
    """Stripe events applied (billing and Connect webhooks), read-only."""

    list_display = ("event_id", "type", "tenant", "account", "outcome", "created_at")
    list_filter = ("type", "outcome")
    search_fields = ("event_id", "account", "tenant__schema_name")
    list_select_related = ("tenant",)
    fields = ("event_id", "type", "tenant", "account", "outcome", "created_at")
