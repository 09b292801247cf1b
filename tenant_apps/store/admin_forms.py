"""What the store's model admins share: ``StoreModelAdmin`` (``ServiceModelAdmin`` refusing forged
selections politely), and actions that need input (a reason, penalty points) through an
intermediate form page.

Django's admin pattern: the action first answers a page with a small form and the selected objects
(``admin/store/action_form.html``); posted back valid (with ``apply``), it runs the service once
per object through ``saas.admin.service_action`` (so refusals become per-object error messages
exactly as for the actions without input). An invalid form shows the page again with its errors;
nothing is called.

The form only collects input: every write is the service's (``fn`` calls it with
``actor=request.user``), never ``obj.save()``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from saas.admin import ServiceModelAdmin, service_action

#: The largest primary key PostgreSQL's ``bigint`` holds; a selection beyond it is forged.
_MAX_PK = 2**63 - 1


class StoreModelAdmin(ServiceModelAdmin):
    """A ``ServiceModelAdmin`` whose actions refuse a selection that is not a list of primary keys
    (a forged ``_selected_action`` such as ``"abc"``, which Django would pass to the database and
    answer with a 500): a warning, and nothing runs.

    (The check belongs in ``ServiceModelAdmin`` for every kind; it is here until it moves there.)
    """

    def response_action(
        self, request: HttpRequest, queryset: QuerySet[Any], *args: Any, **kwargs: Any
    ) -> HttpResponse | None:
        pk = self.model._meta.pk
        assert pk is not None
        for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
            try:
                key = pk.to_python(value)
            except ValidationError:
                key = None
            if not isinstance(key, int) or not 0 < key <= _MAX_PK:
                self.message_user(request, "No such objects: nothing was changed.", messages.WARNING)
                return None
        return super().response_action(request, queryset, *args, **kwargs)


#: ``fn(modeladmin, request, obj, cleaned_data)``: calls one service for ``obj``.
FormObjectAction = Callable[[Any, HttpRequest, Any, dict[str, Any]], Any]
FormAction = Callable[[Any, HttpRequest, QuerySet[Any]], TemplateResponse | None]


class ReasonForm(forms.Form):
    """The reason of a rejection (shown to the seller or the buyer); the service checks it again."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "cols": 60}), max_length=2000)


def form_service_action(
    *, description: str, form_class: type[forms.Form], success: str = "{count} done."
) -> Callable[[FormObjectAction], FormAction]:
    """Decorate ``fn(modeladmin, request, obj, cleaned_data)`` into an admin action that asks for
    ``form_class`` first (see the module docstring); ``success`` as in ``service_action``.

    The action needs ``has_service_permission``, like ``service_action``'s.
    """

    def decorate(fn: FormObjectAction) -> FormAction:
        @admin.action(description=description, permissions=["service"])
        @functools.wraps(fn)
        def action(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> TemplateResponse | None:
            if "apply" in request.POST:
                form = form_class(request.POST)
                if form.is_valid():
                    data = form.cleaned_data

                    def one(admin_: Any, request_: HttpRequest, obj: Any) -> Any:
                        return fn(admin_, request_, obj, data)

                    run = service_action(description=description, success=success)(one)
                    run(modeladmin, request, queryset)
                    return None  # back to the change list, with the messages
            else:
                form = form_class()
            opts = modeladmin.model._meta
            context = {
                **modeladmin.admin_site.each_context(request),
                "title": description,
                "subtitle": None,
                "opts": opts,
                "form": form,
                "objects": list(queryset),
                "action_name": fn.__name__,
                "selected": [str(pk) for pk in queryset.values_list("pk", flat=True)],
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "media": modeladmin.media + form.media,
            }
            return TemplateResponse(request, "admin/store/action_form.html", context)

        return action

    return decorate
