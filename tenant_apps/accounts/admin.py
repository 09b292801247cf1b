"""The site's users in the tenant admin: listed with their roles; roles and ``is_active`` changed
only through ``services.user_update`` (last-admin rule, token revocation on deactivation, audit).

Users are added through ``services.user_create`` (no password: they sign in with a one-time code
or set one), never deleted (deactivate them instead); passwords,
``token_version`` and platform flags are never shown. Auth groups are not registered: roles are
declared in code (``tenant_apps.kinds``) and assigned here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from saas.admin import ServiceModelAdmin, register, service_action
from saas.api.errors import ApplicationError
from saas.db.tenant import current_kind
from tenant_apps.accounts import services
from tenant_apps.accounts.models import User
from tenant_apps.accounts.roles import roles_of

#: Fields no URL may filter on: ``?password__startswith=`` would read a hash a character at a time.
SECRET_FIELDS = frozenset({"password", "token_version"})

#: Set on the request when ``save_model`` was refused by the service (nothing was saved).
_REFUSED = "_accounts_admin_refused"


class RoleFilter(admin.SimpleListFilter):
    """Users holding one of the kind's roles (``?role=<name>``)."""

    title = "role"
    parameter_name = "role"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(name, name) for name in roles_of(current_kind())]

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        if self.value():
            return queryset.filter(groups__name=self.value())
        return queryset


class UserRolesForm(forms.ModelForm):  # type: ignore[type-arg]
    """Edits a user's ``roles`` (the kind's role names, checkboxes) and ``is_active``; saved by
    ``UserAdmin.save_model`` through ``services.user_update``, never by ``form.save()``."""

    roles = forms.MultipleChoiceField(label="Roles", required=False, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = User
        fields = ("is_active",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = self.fields["roles"]
        assert isinstance(roles, forms.MultipleChoiceField)
        roles.choices = [(name, name) for name in roles_of(current_kind())]
        if self.instance.pk is not None and "roles" not in self.initial:
            self.initial["roles"] = self.instance.role_names


class UserAddForm(forms.Form):
    """A new user: e-mail, name, phone (international form) and roles; created by
    ``services.user_create`` without a password (they sign in with a one-time code or set one
    through "forgot password")."""

    email = forms.EmailField(label="E-mail address")
    full_name = forms.CharField(label="Full name", max_length=200, required=False)
    phone = forms.CharField(
        label="Phone", max_length=20, required=False, help_text="International form, e.g. +447911123456."
    )
    roles = forms.MultipleChoiceField(label="Roles", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = self.fields["roles"]
        assert isinstance(roles, forms.MultipleChoiceField)
        roles.choices = [(name, name) for name in roles_of(current_kind())]

    def add_refusal(self, exc: ApplicationError) -> None:
        """Show the service's refusal on the fields its ``details`` name (else above the form)."""
        details = exc.details if isinstance(exc.details, dict) else {}
        named = [field for field in details if field in self.fields]
        for field in named:
            messages_ = details[field]
            for message in messages_ if isinstance(messages_, list) else [messages_]:
                self.add_error(field, str(message))
        if not named:
            self.add_error(None, exc.message)


@register(User)
class UserAdmin(ServiceModelAdmin):
    """Users: list, filter by role and active, search by e-mail, name or phone; change roles and
    active through ``user_update``; "Log out everywhere" through ``user_tokens_revoke``."""

    form = UserRolesForm
    list_display = ("email", "full_name", "roles_display", "is_active", "date_joined")
    list_filter = (RoleFilter, "is_active")
    search_fields = ("email", "full_name", "phone")
    ordering = ("email",)
    fields = ("email", "full_name", "phone", "roles", "is_active", "date_joined", "last_login")
    readonly_fields = ("email", "full_name", "phone", "date_joined", "last_login")
    actions = ("log_out_everywhere",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="roles")
    def roles_display(self, user: User) -> str:
        return ", ".join(user.role_names)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_service_permission(request)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_service_permission(request)

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Add a user through ``services.user_create`` (e-mail, name, phone, roles; audited
        ``user.created``); its refusals (address or phone taken, invalid phone) show on the form."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UserAddForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            try:
                user = services.user_create(
                    email=data["email"],
                    full_name=data["full_name"],
                    phone=data["phone"],
                    roles=list(data["roles"]),
                    actor=request.user,
                )
            except ApplicationError as exc:
                form.add_refusal(exc)
            else:
                self.log_addition(request, user, [{"added": {}}])
                self.message_user(request, f"{user} was added.", messages.SUCCESS)
                return HttpResponseRedirect(reverse(f"{self.admin_site.name}:accounts_user_change", args=[user.pk]))
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": "Add user",
            "subtitle": None,
            "opts": opts,
            "app_label": opts.app_label,
            "form": form,
            "submit_label": "Add the user",
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/service_form.html", context)

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        """Django allows a filter on any field of the model in the URL; never on ``SECRET_FIELDS``
        (the list then answers Django's "invalid lookup" redirect, ``?e=1``)."""
        if lookup.split("__", 1)[0] in SECRET_FIELDS:
            return False
        return bool(super().lookup_allowed(lookup, value, request))

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        """Save through ``services.user_update`` (roles and ``is_active``); a refusal (the last
        active admin) is shown as an error message and nothing is saved."""
        try:
            services.user_update(
                obj,
                roles=list(form.cleaned_data["roles"]),
                is_active=form.cleaned_data["is_active"],
                actor=request.user,
            )
        except ApplicationError as exc:
            setattr(request, _REFUSED, True)
            self.message_user(request, f"{obj}: {exc.message}", messages.ERROR)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Nothing: the roles were saved by the service in ``save_model``."""

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        if getattr(request, _REFUSED, False):
            return None
        return super().log_change(request, obj, message)

    def response_change(self, request: HttpRequest, obj: User) -> HttpResponse:
        if getattr(request, _REFUSED, False):
            return HttpResponseRedirect(request.path)  # the change page again, with the refusal
        return super().response_change(request, obj)

    @service_action(description="Log out everywhere", success="{count} logged out everywhere.")
    def log_out_everywhere(self, request: HttpRequest, user: User) -> None:
        services.user_tokens_revoke(user=user, actor=request.user)
