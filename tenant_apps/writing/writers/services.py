"""Writes on writer levels and profiles, in the current writing schema.

Levels are managed by admins (``writer_level_create``, ``writer_level_update``,
``writer_level_delete``); a writer's profile is created on first need (``writer_profile_for``,
with the default level) and an admin sets its level (``writer_set_level``). Every change is
audited (``audit_record``). Locks: ``locks.levels_lock`` when the default level changes or a level
is deleted.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.text import slugify

from saas.errors import ApplicationError, Conflict, ErrorCode, NotFound, PermissionDenied
from saas.money import check_amount
from tenant_apps.audit.diff import apply_changes, audit_value
from tenant_apps.audit.services import audit_record
from tenant_apps.notifications.services import notify
from tenant_apps.writing.orders.access import is_writer
from tenant_apps.writing.pricing.services import pricing_currency
from tenant_apps.writing.writers.access import can_manage_writers
from tenant_apps.writing.writers.locks import levels_lock
from tenant_apps.writing.writers.models import WriterLevel, WriterProfile
from tenant_apps.writing.writers.selectors import default_level

#: The longest level name or slug, in characters.
NAME_MAX_LENGTH = 120
#: The highest position of a level.
MAX_POSITION = 10000
_FIELDS = frozenset({"name", "slug", "position", "share_percent", "per_page_amount", "is_default"})


def _field_error(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, code=ErrorCode.VALIDATION_ERROR, details={field: [message]})


def _require(actor: Any) -> None:
    if not can_manage_writers(actor):
        raise PermissionDenied("Your role does not allow this action.")


def _name(value: Any) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > NAME_MAX_LENGTH:
        raise _field_error("name", f"1 to {NAME_MAX_LENGTH} characters.")
    return text


def _slug(value: Any, *, name: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    slug = slugify(text or name)[:NAME_MAX_LENGTH]
    if not slug or slug != (text or slug):
        raise _field_error("slug", "Lower-case letters, digits and hyphens, e.g. senior-writer.")
    return slug


def _position(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_POSITION:
        raise _field_error("position", f"A whole number from 0 to {MAX_POSITION}.")
    return value


def _share(value: Any) -> Decimal:
    try:
        share = Decimal(value) if isinstance(value, Decimal | int | str) and not isinstance(value, bool) else None
    except InvalidOperation:
        share = None
    if share is None or not share.is_finite() or not 0 <= share <= 100 or share != share.quantize(Decimal("0.01")):
        raise _field_error("share_percent", "From 0 to 100, with at most 2 decimals.")
    return share.quantize(Decimal("0.01"))


def _per_page(value: Any) -> Decimal:
    """An amount in the pricing currency (``check_amount``), or zero (a level paid by share only)."""
    if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip() in ("0", "0.0", "0.00"):
        return Decimal("0.00")
    return check_amount(value, pricing_currency(), field="per_page_amount")


def _clean(fields: dict[str, Any], *, name: str) -> dict[str, Any]:
    unknown = set(fields) - _FIELDS
    if unknown:
        raise TypeError(f"unknown writer level fields: {sorted(unknown)}")
    clean: dict[str, Any] = {}
    if "name" in fields:
        clean["name"] = name = _name(fields["name"])
    if "slug" in fields:
        clean["slug"] = _slug(fields["slug"], name=name)
    if "position" in fields:
        clean["position"] = _position(fields["position"])
    if "share_percent" in fields:
        clean["share_percent"] = _share(fields["share_percent"])
    if "per_page_amount" in fields:
        clean["per_page_amount"] = _per_page(fields["per_page_amount"])
    if "is_default" in fields:
        if not isinstance(fields["is_default"], bool):
            raise _field_error("is_default", "true or false.")
        clean["is_default"] = fields["is_default"]
    return clean


def _save(level: WriterLevel) -> None:
    if WriterLevel.objects.exclude(pk=level.pk).filter(slug=level.slug).exists():
        raise _field_error("slug", "A level with this slug exists.")
    try:
        with transaction.atomic():
            level.save()
    except IntegrityError as exc:  # a concurrent change got there first: without levels_lock, a default
        if "writing_writers_level_one_default" in str(exc):
            raise Conflict("Another level was made the default at the same time: reload and try again.") from None
        raise _field_error("slug", "A level with this slug exists.") from None


def _locked(levels: list[WriterLevel], level: WriterLevel) -> WriterLevel:
    """``level`` as locked among ``levels``; ``NotFound`` (404) if it was deleted meanwhile."""
    for locked in levels:
        if locked.pk == level.pk:
            return locked
    raise NotFound("No such writer level.")


def _make_default(level: WriterLevel) -> None:
    """Under ``levels_lock``: unset the other default level, if any (``level`` is saved after)."""
    WriterLevel.objects.filter(is_default=True).exclude(pk=level.pk).update(is_default=False)


def writer_level_create(
    *,
    actor: Any,
    name: str,
    share_percent: Any,
    per_page_amount: Any,
    slug: str = "",
    position: int | None = None,
    is_default: bool = False,
) -> WriterLevel:
    """Add a writer level (admin): ``name`` (1-120 characters), ``slug`` (default from the name;
    unique), ``position`` (0-10000; default after the last), ``share_percent`` (0-100, 2 places),
    ``per_page_amount`` (the pricing currency, ``check_amount``, or 0), ``is_default`` (``true``:
    the new default, the previous one unset; the first level is the default whatever is asked).
    Audited (``writing.writer_level_created``).

    Raises ``PermissionDenied`` (403), ``ApplicationError`` 400 ``validation_error`` (naming the
    field; a taken slug), ``invalid_amount`` (``per_page_amount``).
    """
    _require(actor)
    fields: dict[str, Any] = {"name": name, "slug": slug, "share_percent": share_percent}
    fields["per_page_amount"] = per_page_amount
    fields["is_default"] = is_default
    if position is not None:
        fields["position"] = position
    clean = _clean(fields, name="")
    with transaction.atomic():
        levels = levels_lock()
        if "position" not in clean:
            last = WriterLevel.objects.aggregate(last=Max("position"))["last"]
            clean["position"] = min(int(last or 0) + 1, MAX_POSITION)
        clean["is_default"] = clean["is_default"] or not levels
        level = WriterLevel(**clean)
        if level.is_default:
            _make_default(level)
        _save(level)
        audit_record(
            actor=actor,
            verb="writing.writer_level_created",
            target=level,
            changes={key: audit_value(value) for key, value in clean.items()},
        )
    return level


def writer_level_update(*, actor: Any, level: WriterLevel, **fields: Any) -> WriterLevel:
    """Change a level (admin): any of ``name``, ``slug``, ``position``, ``share_percent``,
    ``per_page_amount``, ``is_default`` (only ``true``: the previous default is unset; a site
    always has one default, so ``false`` is refused: make another level the default instead).
    Orders completed earlier keep their earning. Audited (``writing.writer_level_updated``).

    Raises ``PermissionDenied`` (403), ``ApplicationError`` 400 ``validation_error`` /
    ``invalid_amount``; ``TypeError`` for an unknown field.
    """
    _require(actor)
    clean = _clean(fields, name=level.name)
    if clean.get("is_default") is False and level.is_default:
        raise _field_error("is_default", "Make another level the default instead.")
    with transaction.atomic():
        level = _locked(levels_lock(), level)
        if clean.get("is_default") is False and level.is_default:
            raise _field_error("is_default", "Make another level the default instead.")
        changed = apply_changes(level, clean)
        if changed:
            if level.is_default:
                _make_default(level)
            _save(level)
            audit_record(actor=actor, verb="writing.writer_level_updated", target=level, changes=changed)
    return level


def writer_level_delete(*, actor: Any, level: WriterLevel) -> None:
    """Delete a level no writer has (admin) and that is not the default. Audited
    (``writing.writer_level_deleted``).

    Raises ``PermissionDenied`` (403), ``Conflict`` 409 ``conflict`` (the default level, or writers
    have it: set theirs first).
    """
    _require(actor)
    with transaction.atomic():
        level = _locked(levels_lock(), level)
        if level.is_default:
            raise Conflict("The default level cannot be deleted: make another level the default first.")
        if WriterProfile.objects.filter(level=level).exists():
            raise Conflict("Writers have this level: give them another one first.")
        audit_record(
            actor=actor,
            verb="writing.writer_level_deleted",
            target=level,
            changes={"slug": level.slug, "name": level.name},
        )
        level.delete()


def writer_profile_for(*, writer: Any) -> WriterProfile:
    """``writer``'s profile, created with the default level the first time it is needed (safe
    under concurrency: a losing ``INSERT`` reads the winner's row), with its level.

    Raises ``Conflict`` 409 ``conflict`` if the site has no level at all (the template's defaults
    create them; the default level cannot be deleted).
    """
    found = WriterProfile.objects.select_related("level").filter(user=writer).first()
    if found is not None:
        return found
    level = default_level()
    if level is None:
        raise Conflict("This site has no writer level: an admin must create one.")
    try:
        with transaction.atomic():
            profile = WriterProfile.objects.create(user=writer, level=level)
    except IntegrityError:
        return WriterProfile.objects.select_related("level").get(user=writer)
    audit_record(actor=None, verb="writing.writer_profile_created", target=profile, changes={"level": level.slug})
    return profile


def writer_set_level(*, actor: Any, writer: Any, level: WriterLevel) -> WriterProfile:
    """Admin ``actor`` gives ``writer`` (a user holding the writer role) ``level``: their later
    completed orders earn by it. The writer is notified (``writing_writer.level_changed``).
    Audited (``writing.writer_level_set``).

    Raises ``PermissionDenied`` (403), ``ApplicationError`` 400 ``validation_error``
    (``details.writer``: not a writer).
    """
    _require(actor)
    if not is_writer(writer):
        raise _field_error("writer", "Not a writer of this site.")
    with transaction.atomic():
        profile = writer_profile_for(writer=writer)
        before = profile.level
        if before.pk != level.pk:
            profile.level = level
            profile.save(update_fields=["level", "updated_at"])
            audit_record(
                actor=actor,
                verb="writing.writer_level_set",
                target=profile,
                changes={"level": [before.slug, level.slug]},
            )
            notify(
                recipient=writer,
                verb="writing_writer.level_changed",
                target=profile,
                extra_data={"level": level.slug, "name": level.name},
            )
    return profile
