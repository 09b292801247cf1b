"""The base of every model admin: read-only unless a service says otherwise, actions that call
services, and every change audited.

The API's rules live in service functions (``services.py``): a plain ``ModelAdmin`` would save a
form straight to the table and skip them (money moved without a ledger row, a status jumped
without its side effects). So a ``ServiceModelAdmin``:

* can view (list filters, search, detail) but not add, change or delete, unless the subclass
  overrides ``has_*_permission`` and routes the save through a service (``save_model`` /
  ``delete_model`` calling it);
* changes state through actions written with ``service_action``: each selected object is passed
  to a function that calls the service, with the signed-in admin as the actor; a refusal
  (``ApplicationError``: a 4xx of the API) becomes a message on the page for that object and the
  others go on;
* audits every change the admin itself records (Django's ``LogEntry``: additions, changes,
  deletions) in the site's audit log, next to what the services audit themselves.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.models import ADDITION, CHANGE, DELETION
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from rest_framework.exceptions import APIException

from saas.api.errors import ApplicationError

_VERBS = {ADDITION: "admin.added", CHANGE: "admin.changed", DELETION: "admin.deleted"}


def _audit(request: HttpRequest, objects: Iterable[Model], action_flag: int, message: Any) -> None:
    from saas.db.tenant import current_schema

    if current_schema() == "public":
        return  # the platform's own changes are in Django's admin log (LogEntry) of the public schema
    from tenant_apps.audit.services import audit_record

    for obj in objects:
        audit_record(
            actor=request.user,
            verb=_VERBS[action_flag],
            target=obj,
            changes={"admin": message if isinstance(message, (list, str)) else str(message)},
        )


class ServiceModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A read-only model admin whose changes go through services (see the module docstring).

    ``has_service_permission`` (who may run ``service_action`` actions) is the site's own
    permission: a user who got into the site may run the actions; each service still checks
    its own rules with that user as the actor.
    """

    list_per_page = 50
    show_full_result_count = False  # no COUNT(*) over a whole table on every list page

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.admin_site.has_permission(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)

    def has_service_permission(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)

    def response_action(
        self, request: HttpRequest, queryset: QuerySet[Any], *args: Any, **kwargs: Any
    ) -> HttpResponse | None:
        """Run the chosen action on the selection, ignoring ``_selected_action`` values that are
        not ids of the model (``"abc"`` for an integer key, or out of its range), which Django
        would pass to ``pk__in`` and fail with a 500. With nothing valid left, Django's "Items
        must be selected" message is shown and nothing runs."""
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

    # -- audit -----------------------------------------------------------------------------
    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        _audit(request, [obj], ADDITION, message)
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        _audit(request, [obj], CHANGE, message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        _audit(request, list(queryset), DELETION, "deleted")
        return super().log_deletions(request, queryset)


ObjectAction = Callable[[Any, HttpRequest, Any], Any]


def service_action(
    *, description: str, success: str = "{count} done."
) -> Callable[[ObjectAction], Callable[[Any, HttpRequest, QuerySet[Any]], None]]:
    """Decorate ``fn(modeladmin, request, obj)`` (which calls one service for ``obj``) into an
    admin action over the selected objects.

    Each object runs on its own (the service's transaction): a refusal (``ApplicationError``)
    or a DRF ``APIException`` is shown as an error message naming the object, and does not undo the others. ``success``
    is shown once with ``{count}`` objects done. The action needs ``has_service_permission``.
    """

    def decorate(fn: ObjectAction) -> Callable[[Any, HttpRequest, QuerySet[Any]], None]:
        @admin.action(description=description, permissions=["service"])
        @functools.wraps(fn)
        def action(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
            done = 0
            for obj in queryset:
                try:
                    fn(modeladmin, request, obj)
                except ApplicationError as exc:
                    modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
                except APIException as exc:  # a service that raises DRF's errors (404, 403, 400)
                    modeladmin.message_user(request, f"{obj}: {exc.detail}", messages.ERROR)
                else:
                    done += 1
            if done:
                modeladmin.message_user(request, success.format(count=done), messages.SUCCESS)

        return action

    return decorate
