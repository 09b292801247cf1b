"""The site's users in the tenant admin: listed with their roles; roles and ``is_active`` changed
only through ``services.user_update`` (last-admin rule, token revocation on deactivation, audit).

Users are not added or deleted here (they register or are created through the API); passwords,
``token_version`` and platform flags are never shown. Auth groups are not registered: roles are
declared in code (``tenant_apps.kinds``) and assigned here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from saas.admin import ServiceModelAdmin, register, service_action
from saas.admin.extras import ValidSelectionMixin
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


@register(User)
class UserAdmin(ValidSelectionMixin, ServiceModelAdmin):
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
