"""What the apps' admins share beyond ``options.py``: actions that ask for input, read-only inlines.

``service_form_action``: an action that needs input (a reason, an agent, a target group) shows an
intermediate form page first (Django's admin pattern): the action answers a page with a small
form naming the selected objects; that page posts the action again with the form filled in
(``apply``), and then the service runs once per object with the form's cleaned values, its
refusals shown per object exactly as ``service_action`` shows them. An invalid form shows the page
again with its errors; nothing runs.

``ReadOnlyTabularInline``: child rows on a parent's page, read-only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from saas.admin.options import service_action


class ReadOnlyTabularInline(admin.TabularInline):  # type: ignore[type-arg]
    """Child rows shown on a parent's page, read-only (no add, change or delete: services write
    them), to whoever may see the site (as ``ServiceModelAdmin``). Set ``fields`` (all are
    read-only) and ``list_select_related``-like loading through ``get_queryset``."""

    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields or ()

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(self.admin_site.has_permission(request))


#: ``fn(modeladmin, request, obj, **cleaned_data)``: calls one service for ``obj``.
InputAction = Callable[..., Any]

TEMPLATE = "admin/service_action_form.html"


def service_form_action(
    *,
    description: str,
    form_class: type[forms.Form],
    success: str = "{count} done.",
    form_kwargs: Callable[[Any, HttpRequest, QuerySet[Any]], dict[str, Any]] | None = None,
) -> Callable[[InputAction], Callable[[Any, HttpRequest, QuerySet[Any]], TemplateResponse | None]]:
    """Decorate ``fn(modeladmin, request, obj, **cleaned_data)`` into an admin action that asks for
    ``form_class``'s fields first (see the module docstring).

    ``form_kwargs(modeladmin, request, queryset)`` may give the form extra keyword arguments (the
    choices of a field that depend on the selection). Returns the form page (200) until the form
    is posted valid; then runs ``fn`` per object through ``service_action`` (per-object error
    messages, one success message with ``{count}``) and returns ``None`` (back to the list).
    """

    def decorate(fn: InputAction) -> Callable[[Any, HttpRequest, QuerySet[Any]], TemplateResponse | None]:
        @admin.action(description=description, permissions=["service"])
        @functools.wraps(fn)
        def action(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> TemplateResponse | None:
            extra = form_kwargs(modeladmin, request, queryset) if form_kwargs else {}
            form = form_class(request.POST if "apply" in request.POST else None, **extra)
            if form.is_bound and form.is_valid():
                data = form.cleaned_data

                def each(admin_: Any, request_: HttpRequest, obj: Any) -> Any:
                    return fn(admin_, request_, obj, **data)

                service_action(description=description, success=success)(each)(modeladmin, request, queryset)
                return None
            opts = modeladmin.model._meta
            context = {
                **modeladmin.admin_site.each_context(request),
                "title": description,
                "subtitle": None,
                "opts": opts,
                "form": form,
                "objects": list(queryset),
                "action_name": request.POST.get("action", fn.__name__),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "media": modeladmin.media + form.media,
            }
            return TemplateResponse(request, TEMPLATE, context)

        return action

    return decorate
