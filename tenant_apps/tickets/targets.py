"""Which objects a ticket may be about: a registry of linkable models.

A kind lists its linkable models in its ``kind.py`` (``KindSpec.ticket_targets``), registered at
start-up by ``register_kind_targets``; a shared app makes its model linkable from its
``AppConfig.ready``::

    from tenant_apps.tickets.targets import register_ticket_target

    register_ticket_target(Course, can_link=lambda user, course: course.is_visible_to(user))

Clients then name the object as ``{"type": "<app_label>.<model>", "id": "<primary key>"}``
(``"school.course"``, lower case, like Django's ``Model._meta.label_lower``). ``can_link``
(optional) decides whether ``user`` may open a ticket about that object; an object they may
not link is answered exactly like a missing one, so the endpoint reveals nothing.

The registry is process-wide, but tenant kinds have different apps: a model whose app is not
installed in the current tenant's kind (a school course on a store site) is treated as an
unknown type, never queried.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from saas.api.errors import ApplicationError
from saas.errors import ErrorCode
from tenant_apps.kinds import all_kinds, app_installed_here

LinkRule = Callable[[Any, Any], bool]


@dataclass(frozen=True)
class _Target:
    model: type[models.Model]
    can_link: LinkRule | None


_registry: dict[str, _Target] = {}


def type_name(model: type[models.Model] | models.Model) -> str:
    """``"<app_label>.<model>"``: how the API names a linkable model."""
    return str(model._meta.label_lower)


def register_ticket_target(model: type[models.Model], *, can_link: LinkRule | None = None) -> type[models.Model]:
    """Make ``model`` linkable from tickets; ``can_link(user, obj) -> bool`` restricts who may link
    which object (default: any user who can open a ticket, any existing object). Idempotent:
    registering again replaces the rule. Returns ``model``."""
    _registry[type_name(model)] = _Target(model=model, can_link=can_link)
    return model


def unregister_ticket_target(model: type[models.Model]) -> None:
    """Remove ``model`` from the registry (tests; apps being switched off)."""
    _registry.pop(type_name(model), None)


def _installed_here(model: type[models.Model]) -> bool:
    return model._meta.app_config is not None and app_installed_here(model._meta.app_config.name)


def register_kind_targets() -> None:
    """Register the ticket targets every kind declares (``KindSpec.ticket_targets``); from
    ``TicketsConfig.ready``."""
    from django.apps import apps
    from django.utils.module_loading import import_string

    for spec in all_kinds().values():
        for target in spec.ticket_targets:
            register_ticket_target(
                apps.get_model(target.model), can_link=import_string(target.can_link) if target.can_link else None
            )


def ticket_target_types() -> list[str]:
    """The type names a ticket may be linked to on the current site, sorted."""
    return sorted(name for name, target in _registry.items() if _installed_here(target.model))


def _invalid(message: str, field: str) -> ApplicationError:
    return ApplicationError(message, code=ErrorCode.INVALID_TARGET, details={"target": {field: [message]}})


def resolve_ticket_target(*, user: Any, target_type: str, target_id: str) -> models.Model:
    """The object the API's ``{"type": target_type, "id": target_id}`` names, if ``user`` may link a
    ticket to it.

    Raises ``ApplicationError`` ``invalid_target`` (400, ``details.target.type`` or
    ``details.target.id``) for a type that is not linkable on this site, an id of the wrong
    form, a missing object, or one ``user`` may not link (the last two are not told apart).
    """
    target = _registry.get((target_type or "").strip().lower())
    if target is None or not _installed_here(target.model):
        raise _invalid(
            f"Tickets cannot be linked to {target_type!r}. Choose from: "
            f"{', '.join(ticket_target_types()) or 'nothing on this site'}.",
            "type",
        )
    model = target.model
    try:
        pk = model._meta.pk.to_python(str(target_id).strip()) if model._meta.pk is not None else None
    except ValidationError:
        pk = None
    obj = model._default_manager.filter(pk=pk).first() if pk is not None else None
    if obj is None or (target.can_link is not None and not target.can_link(user, obj)):
        raise _invalid(f"No {model._meta.verbose_name} with this id.", "id")
    return obj
