"""Amenities (admin): what a property offers, filtered by ``slug`` (``?amenities=wifi,pool``).

Name and slug are each unique: a taken one answers 400 ``validation_error`` naming the field
(also when two admins race: the unique index decides, and the loser gets the same 400).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from tenant_apps.audit.diff import apply_changes
from tenant_apps.audit.services import audit_record
from tenant_apps.rental.properties.access import can_manage_all_properties
from tenant_apps.rental.properties.models import Amenity
from tenant_apps.rental.properties.services._common import clean_text, field_error, require

NAME_MAX_LENGTH = 80


def _slug(value: Any, *, name: str) -> str:
    text = clean_text(value, field="slug", required=False, max_length=NAME_MAX_LENGTH)
    slug = slugify(text or name)[:NAME_MAX_LENGTH]
    if not slug or slug != (text or slug):
        raise field_error("slug", "Lower-case letters, digits and hyphens, e.g. free-parking.")
    return slug


def _taken(amenity: Amenity, *, exclude: int | None = None) -> None:
    others = Amenity.objects.exclude(pk=exclude) if exclude else Amenity.objects.all()
    if others.filter(name__iexact=amenity.name).exists():
        raise field_error("name", "An amenity of this name exists.")
    if others.filter(slug=amenity.slug).exists():
        raise field_error("slug", "An amenity with this slug exists.")


def _save(amenity: Amenity) -> None:
    try:
        with transaction.atomic():
            amenity.save()
    except IntegrityError:
        raise field_error("slug", "An amenity of this name or slug exists.") from None


def amenity_create(*, actor: Any, name: str, slug: str = "") -> Amenity:
    """Add an amenity (admin): ``name`` (1-80 characters), ``slug`` (default: from the name).

    Raises ``permission_denied`` (403), ``validation_error`` (400: blank, too long, a bad or taken
    name or slug).
    """
    require(can_manage_all_properties(actor))
    name = clean_text(name, field="name", max_length=NAME_MAX_LENGTH)
    amenity = Amenity(name=name, slug=_slug(slug, name=name))
    with transaction.atomic():
        _taken(amenity)
        _save(amenity)
        audit_record(actor=actor, verb="amenity.created", target=amenity, changes={"name": name, "slug": amenity.slug})
    return amenity


def amenity_update(*, actor: Any, amenity: Amenity, **fields: Any) -> Amenity:
    """Rename an amenity (admin): ``name`` and/or ``slug`` (properties keep it).

    Raises ``permission_denied`` (403), ``validation_error`` (400).
    """
    require(can_manage_all_properties(actor))
    unknown = set(fields) - {"name", "slug"}
    if unknown:
        raise TypeError(f"unknown amenity fields: {sorted(unknown)}")
    clean: dict[str, Any] = {}
    if "name" in fields:
        clean["name"] = clean_text(fields["name"], field="name", max_length=NAME_MAX_LENGTH)
    if "slug" in fields:
        clean["slug"] = _slug(fields["slug"], name=clean.get("name", amenity.name))
    with transaction.atomic():
        changed = apply_changes(amenity, clean)
        if changed:
            _taken(amenity, exclude=amenity.pk)
            _save(amenity)
            audit_record(actor=actor, verb="amenity.updated", target=amenity, changes=changed)
    return amenity


def amenity_delete(*, actor: Any, amenity: Amenity) -> None:
    """Delete an amenity (admin); properties simply no longer offer it. Raises ``permission_denied`` (403)."""
    require(can_manage_all_properties(actor))
    with transaction.atomic():
        audit_record(actor=actor, verb="amenity.deleted", target=amenity, changes={"slug": amenity.slug})
        amenity.delete()
