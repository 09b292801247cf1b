"""What the apps' admins share beyond ``options.py``: actions that ask for input, read-only
inlines, and an ASCII-only decimal field.

``form_action`` is Django's "intermediate page" pattern: choosing the action answers a page with a
small form naming the selected objects (``saas/templates/admin/service_action_form.html``); that
page posts the action again with the form filled in (``apply``), and then the service runs once per
object with the form's cleaned values as keyword arguments, its refusals shown per object exactly
as ``service_action`` shows them. An invalid form shows the page again with its errors; nothing runs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from saas.admin.options import service_action

#: ``fn(modeladmin, request, obj, **cleaned_data)``: calls one service for ``obj``.
InputAction = Callable[..., Any]

#: The name of the intermediate page's submit button: present once the form was filled in.
APPLY = "apply"
TEMPLATE = "admin/service_action_form.html"


def form_action(
    *,
    form: type[forms.Form],
    description: str,
    success: str = "{count} done.",
    form_kwargs: Callable[[Any, HttpRequest, QuerySet[Any]], dict[str, Any]] | None = None,
) -> Callable[[InputAction], Callable[[Any, HttpRequest, QuerySet[Any]], HttpResponse | None]]:
    """Decorate ``fn(modeladmin, request, obj, **cleaned_data)`` into an admin action that asks for
    ``form``'s fields first (see the module docstring).

    ``form_kwargs(modeladmin, request, queryset)`` may give the form extra keyword arguments (the
    choices of a field that depend on the selection). Returns the form page (200) until the form
    is posted valid; then runs ``fn`` per object through ``service_action`` (per-object error
    messages, one success message with ``{count}``) and returns ``None`` (back to the list).
    Needs ``has_service_permission`` like ``service_action``.
    """

    def decorate(fn: InputAction) -> Callable[[Any, HttpRequest, QuerySet[Any]], HttpResponse | None]:
        @admin.action(description=description, permissions=["service"])
        @functools.wraps(fn)
        def action(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse | None:
            extra = form_kwargs(modeladmin, request, queryset) if form_kwargs else {}
            bound = form(request.POST, **extra) if APPLY in request.POST else form(**extra)
            if bound.is_bound and bound.is_valid():
                data = bound.cleaned_data

                def per_object(admin_: Any, request_: HttpRequest, obj: Any) -> Any:
                    return fn(admin_, request_, obj, **data)

                service_action(description=description, success=success)(per_object)(modeladmin, request, queryset)
                return None
            opts = modeladmin.model._meta
            context = {
                **modeladmin.admin_site.each_context(request),
                "title": description,
                "subtitle": None,
                "opts": opts,
                "app_label": opts.app_label,
                "form": bound,
                "objects": list(queryset),
                "action_name": fn.__name__,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "apply": APPLY,
                "media": modeladmin.media + bound.media,
            }
            return TemplateResponse(request, TEMPLATE, context)

        return action

    return decorate


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    """Child rows shown on a parent's change page, read-only (no add, change or delete: services
    write them), to whoever may see the site (as ``ServiceModelAdmin``); ``fields`` are all
    read-only. Load related rows in ``get_queryset`` so the page costs a fixed number of queries."""

    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return self.fields or ()

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(self.admin_site.has_permission(request))


_ASCII_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")  # as saas.api.fields


class AsciiDecimalField(forms.DecimalField):
    """A form ``DecimalField`` that reads only ASCII digits (``[+-]digits[.digits]``), like the API's
    ``saas.api.fields.AsciiDecimalField``: Arabic-Indic or fullwidth digits and exponents are
    refused with "Enter a number." instead of being read as a number."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str) and value.strip() and not _ASCII_DECIMAL.fullmatch(value.strip()):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)
