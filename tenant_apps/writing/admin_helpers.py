"""What the writing apps' admins share: actions that need input, and read-only inlines.

``form_action`` is ``saas.admin.service_action`` with an intermediate page: the first POST (the
changelist's action) answers a small form listing the selected objects; posting it valid calls
the service once per object with the cleaned data, each refusal becoming an error message for
that object (as ``service_action``); an invalid form is shown again with its errors and nothing
runs. The form only collects the service's arguments: it never saves a model itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from saas.admin import service_action

__all__ = ["AmountField", "ReadOnlyInline", "ReadOnlyStackedInline", "form_action"]

#: ``fn(modeladmin, request, obj, data)``: one service call for ``obj`` with the form's cleaned data.
FormObjectAction = Callable[[Any, HttpRequest, Any, dict[str, Any]], Any]
#: The hidden field that says the intermediate form was posted (not the changelist's first POST).
APPLY = "_apply"
TEMPLATE = "admin/writing/action_form.html"


def form_action(
    *, form_class: type[forms.Form], description: str, success: str = "{count} done."
) -> Callable[[FormObjectAction], Callable[[Any, HttpRequest, QuerySet[Any]], TemplateResponse | None]]:
    """Decorate ``fn(modeladmin, request, obj, data)`` into an admin action that first asks for
    ``form_class`` (see the module docstring).

    Returns the action: a ``TemplateResponse`` (the form, status 200) until the form is posted
    valid, then ``None`` (Django goes back to the changelist with the messages). Needs
    ``has_service_permission``, as ``service_action``.
    """

    def decorate(fn: FormObjectAction) -> Callable[[Any, HttpRequest, QuerySet[Any]], TemplateResponse | None]:
        @admin.action(description=description, permissions=["service"])
        def action(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> TemplateResponse | None:
            if APPLY in request.POST:
                form = form_class(request.POST)
                if form.is_valid():
                    data = form.cleaned_data

                    def one(ma: Any, req: HttpRequest, obj: Any) -> Any:
                        return fn(ma, req, obj, data)

                    one.__name__ = fn.__name__
                    service_action(description=description, success=success)(one)(modeladmin, request, queryset)
                    return None
            else:
                form = form_class()
            context = {
                **modeladmin.admin_site.each_context(request),
                "title": description,
                "form": form,
                "objects": list(queryset),
                "action_name": fn.__name__,
                "apply": APPLY,
                "opts": modeladmin.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "media": modeladmin.media + form.media,
            }
            return TemplateResponse(request, TEMPLATE, context)

        action.__name__ = fn.__name__
        action.__doc__ = fn.__doc__
        return action

    return decorate


#: A plain decimal number in ASCII, as the API's amounts (``saas/api/fields.py``).
_ASCII_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?")


class AmountField(forms.DecimalField):
    """An amount typed in an admin form: ASCII digits only, at most 2 decimals, greater than zero
    (Arabic-Indic digits, ``"1e3"``, ``"NaN"`` are refused as the API refuses them); the service still checks it
    against the currency (``saas.money.check_amount``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0.01"))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:
        """Refuse anything but ``123`` or ``123.45`` before Django's decimal parsing."""
        if value not in self.empty_values and not _ASCII_DECIMAL.fullmatch(str(value).strip()):
            raise forms.ValidationError("Enter an amount in digits, like 12.50.", code="invalid")
        result: Decimal | None = super().to_python(value)
        return result


class _ReadOnly:
    """An inline of child rows shown on the parent's page: viewed by whoever may use the site,
    never added, changed or deleted there (the services write them)."""

    extra = 0
    max_num: int | None = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(self.admin_site.has_permission(request))  # type: ignore[attr-defined]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(_ReadOnly, admin.TabularInline):  # type: ignore[type-arg]
    """A read-only tabular inline (see ``_ReadOnly``)."""


class ReadOnlyStackedInline(_ReadOnly, admin.StackedInline):  # type: ignore[type-arg]
    """A read-only stacked inline (see ``_ReadOnly``)."""
