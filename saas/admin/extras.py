"""Admin building blocks the shared services' admins use on top of ``options.py``: actions that ask
for input first (a reason, an amount), read-only inlines, selections that cannot crash a page and
an ASCII-only decimal field.

``form_action`` is Django's "intermediate page" pattern: choosing the action shows a small form
(``saas/templates/admin/service_action_form.html``) with the selected objects; submitting it with
valid input runs a service per object exactly as ``service_action`` does (same refusal messages,
same permission), with the cleaned form data as a fourth argument.
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

FormObjectAction = Callable[[Any, HttpRequest, Any, dict[str, Any]], Any]

#: The name of the submit button of the intermediate page: present once the form was filled in.
APPLY = "apply"


def form_action(
    *, form: type[forms.Form], description: str, success: str = "{count} done."
) -> Callable[[FormObjectAction], Callable[[Any, HttpRequest, QuerySet[Any]], HttpResponse | None]]:
    """Decorate ``fn(modeladmin, request, obj, data)`` into an admin action that first asks for ``form``.

    The first POST (the changelist's action menu) answers the form page listing the selected
    objects; the form's POST (``apply``) with valid data calls ``fn`` for each object with the
    form's ``cleaned_data``, refusals becoming per-object error messages (``service_action``), and
    returns to the changelist. Invalid data shows the page again with the form's errors (nothing is
    changed). Needs ``has_service_permission`` like ``service_action``.
    """

    def decorate(fn: FormObjectAction) -> Callable[[Any, HttpRequest, QuerySet[Any]], HttpResponse | None]:
        @admin.action(description=description, permissions=["service"])
        @functools.wraps(fn)
        def action(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse | None:
            bound = form(request.POST) if APPLY in request.POST else form()
            if APPLY in request.POST and bound.is_valid():
                data = bound.cleaned_data

                def per_object(admin_: Any, request_: HttpRequest, obj: Any) -> Any:
                    return fn(admin_, request_, obj, data)

                run = service_action(description=description, success=success)(per_object)
                run(modeladmin, request, queryset)
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
            return TemplateResponse(request, "admin/service_action_form.html", context)

        return action

    return decorate


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    """An inline that lists related rows on a change page and changes none of them.

    Shown to whoever may view the parent (the site's admins); ``fields`` are all read-only.
    """

    extra = 0
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


class ValidSelectionMixin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Put before ``ServiceModelAdmin``: an action POST whose ``_selected_action`` values are not
    ids of the model (``"abc"`` for an integer key) ignores them instead of failing with a 500
    (Django filters ``pk__in`` with the raw values). With nothing valid left, Django's "Items
    must be selected" message is shown and nothing runs."""

    def response_action(
        self, request: HttpRequest, queryset: QuerySet[Any], *args: Any, **kwargs: Any
    ) -> HttpResponse | None:
        pk = self.model._meta.pk
        assert pk is not None
        valid = []
        for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
            try:
                parsed = pk.to_python(value)
            except ValidationError:
                continue
            if isinstance(parsed, int) and not 0 < parsed < 2**63:
                continue
            valid.append(value)
        post = request.POST.copy()
        post.setlist(helpers.ACTION_CHECKBOX_NAME, valid)
        request.POST = post  # type: ignore[assignment]
        return super().response_action(request, queryset, *args, **kwargs)


_ASCII_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")  # as saas.api.fields


class AsciiDecimalField(forms.DecimalField):
    """A form ``DecimalField`` that reads only ASCII digits (``[+-]digits[.digits]``), like the API's
    ``saas.api.fields.AsciiDecimalField``: Arabic-Indic or fullwidth digits and exponents are
    refused with "Enter a number." instead of being read as a number."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str) and value.strip() and not _ASCII_DECIMAL.fullmatch(value.strip()):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)
