"""Admins' catalogue: bundles and express classes (create, change, delete).

Prices are checked in the site's pricing currency (``saas.money.check_amount``: exact in its step,
> 0, at most ``MAX_AMOUNT``) read under the pricing settings' lock, so an admin's currency switch
either sees the stored price or comes after it (as ``writing_pricing.services`` does). A change of
price also stamps the current currency. Bundles and classes that were bought or ordered are never
deleted (409 ``product_has_purchases``): deactivate them (``is_active`` false) instead.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError

from saas.db.slugs import unique_slug
from saas.errors import Conflict, ErrorCode, PermissionDenied
from saas.money import check_amount
from tenant_apps.audit.diff import apply_changes, audit_value
from tenant_apps.audit.services import audit_record
from tenant_apps.writing.bundles.access import can_manage_bundles
from tenant_apps.writing.bundles.models import (
    MAX_HOURS,
    MAX_QUANTITY,
    MAX_VALIDITY_DAYS,
    Bundle,
    BundleUnit,
    ExpressClass,
)
from tenant_apps.writing.bundles.services._common import field_error
from tenant_apps.writing.pricing.locks import pricing_settings_lock
from tenant_apps.writing.pricing.models import OptionGroup, OrderOption
from tenant_apps.writing.pricing.services import pricing_settings

#: The longest name, in characters.
MAX_NAME = 200
#: The longest express class description, in characters.
MAX_DESCRIPTION = 5000
BUNDLE_FIELDS = frozenset({"name", "unit", "quantity", "price", "validity_days", "is_active"})
EXPRESS_FIELDS = frozenset(
    {"name", "slug", "description", "unit", "price", "min_hours", "max_hours", "academic_levels", "is_active"}
)


def _require(actor: Any) -> None:
    if not can_manage_bundles(actor):
        raise PermissionDenied("Only admins manage bundles and express classes.")


def _locked_currency() -> str:
    pricing_settings()
    return pricing_settings_lock().currency


def _name(value: Any) -> str:
    text = str(value or "").strip()
    if not text or len(text) > MAX_NAME:
        raise field_error("name", f"1 to {MAX_NAME} characters.")
    return text


def _whole(value: Any, *, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise field_error(field, f"A whole number from {low} to {high}.")
    return value


def _unit(value: Any) -> str:
    if value not in BundleUnit.values:
        raise field_error("unit", "pages or assignments.")
    return str(value)


def _price(value: Any, currency: str) -> Decimal:
    return check_amount(value, currency, field="price")


def _bundle_values(fields: dict[str, Any], currency: str) -> dict[str, Any]:
    unknown = set(fields) - BUNDLE_FIELDS
    if unknown:
        raise TypeError(f"unknown bundle fields: {sorted(unknown)}")
    checked: dict[str, Any] = {}
    for field, value in fields.items():
        if field == "name":
            checked[field] = _name(value)
        elif field == "unit":
            checked[field] = _unit(value)
        elif field == "quantity":
            checked[field] = _whole(value, field=field, low=1, high=MAX_QUANTITY)
        elif field == "validity_days":
            checked[field] = _whole(value, field=field, low=1, high=MAX_VALIDITY_DAYS)
        elif field == "price":
            checked["price"], checked["currency"] = _price(value, currency), currency
        else:
            checked[field] = bool(value)
    return checked


def bundle_create(
    *,
    actor: Any,
    name: str,
    unit: str,
    quantity: int,
    price: Decimal | str,
    validity_days: int,
    is_active: bool = True,
) -> Bundle:
    """Add a bundle (admin): ``name`` (1-200 characters), ``unit`` ``pages`` or ``assignments``,
    ``quantity`` (1-10000 units), ``price`` (in the site's pricing currency), ``validity_days``
    (1-3650, counted from the purchase's payment). Audited (``writing_bundle.created``).

    Raises ``PermissionDenied`` (403), ``ApplicationError`` 400 ``validation_error`` /
    ``invalid_amount`` (naming the field).
    """
    _require(actor)
    with transaction.atomic():
        values = _bundle_values(
            {
                "name": name,
                "unit": unit,
                "quantity": quantity,
                "price": price,
                "validity_days": validity_days,
                "is_active": is_active,
            },
            _locked_currency(),
        )
        bundle = Bundle.objects.create(**values)
        audit_record(
            actor=actor,
            verb="writing_bundle.created",
            target=bundle,
            changes={k: audit_value(v) for k, v in values.items()},
        )
    return bundle


def bundle_update(*, actor: Any, bundle: Bundle, **fields: Any) -> Bundle:
    """Change a bundle (admin): any of ``name``, ``unit``, ``quantity``, ``price``,
    ``validity_days``, ``is_active`` (false: no longer sold). Purchases made keep the terms they were
    bought on. Audited (``writing_bundle.updated``, the diff).

    Raises ``PermissionDenied`` (403), ``ApplicationError`` 400 (as ``bundle_create``);
    ``TypeError`` for an unknown field.
    """
    _require(actor)
    with transaction.atomic():
        values = _bundle_values(fields, _locked_currency() if "price" in fields else bundle.currency)
        changes = apply_changes(bundle, values)
        if changes:
            bundle.save()
            audit_record(actor=actor, verb="writing_bundle.updated", target=bundle, changes=changes)
    return bundle


def bundle_delete(*, actor: Any, bundle: Bundle) -> None:
    """Delete a bundle nobody bought (admin); audited (``writing_bundle.deleted``).

    Raises ``PermissionDenied`` (403), ``Conflict`` 409 ``product_has_purchases`` (deactivate it
    instead).
    """
    _require(actor)
    facts = {"bundle": bundle.pk, "name": bundle.name}
    try:
        with transaction.atomic():
            bundle.delete()
            audit_record(actor=actor, verb="writing_bundle.deleted", target=None, changes=facts)
    except ProtectedError:
        raise Conflict("This bundle was bought: deactivate it instead.", code=ErrorCode.PRODUCT_HAS_PURCHASES) from None


def _levels(value: Any) -> list[OrderOption]:
    if not isinstance(value, list | tuple) or not all(isinstance(s, str) for s in value) or len(value) > 100:
        raise field_error("academic_levels", "A list of academic level slugs.")
    found = {
        option.slug: option
        for option in OrderOption.objects.filter(group=OptionGroup.ACADEMIC_LEVEL, slug__in=value, is_active=True)
    }
    missing = sorted(set(value) - set(found))
    if missing:
        raise field_error("academic_levels", f"Not offered: {', '.join(missing)}"[:300] + ".")
    return [found[slug] for slug in dict.fromkeys(value)]


def _express_values(fields: dict[str, Any], currency: str, *, current: ExpressClass | None) -> dict[str, Any]:
    unknown = set(fields) - EXPRESS_FIELDS
    if unknown:
        raise TypeError(f"unknown express class fields: {sorted(unknown)}")
    checked: dict[str, Any] = {}
    for field, value in fields.items():
        if field == "name":
            checked[field] = _name(value)
        elif field == "description":
            text = str(value or "").strip()
            if len(text) > MAX_DESCRIPTION:
                raise field_error(field, f"At most {MAX_DESCRIPTION} characters.")
            checked[field] = text
        elif field == "unit":
            checked[field] = _unit(value)
        elif field in ("min_hours", "max_hours"):
            checked[field] = _whole(value, field=field, low=1, high=MAX_HOURS)
        elif field == "price":
            checked["price"], checked["currency"] = _price(value, currency), currency
        elif field == "is_active":
            checked[field] = bool(value)
        elif field == "academic_levels":
            checked[field] = _levels(value)
    low = checked.get("min_hours", current.min_hours if current else None)
    high = checked.get("max_hours", current.max_hours if current else None)
    if low is not None and high is not None and low > high:
        raise field_error("max_hours", "At least min_hours.")
    if "slug" in fields or current is None:
        others = ExpressClass.objects.exclude(pk=current.pk) if current else ExpressClass.objects.all()
        wanted = str(fields.get("slug") or "").strip()
        if wanted:
            if unique_slug(others, wanted, fallback="class", max_length=100) != wanted:
                raise field_error("slug", "Taken, or not a slug (lower-case letters, digits, hyphens).")
            checked["slug"] = wanted
        else:
            name = checked.get("name", current.name if current else "")
            checked["slug"] = unique_slug(others, name, fallback="class", max_length=100)
    return checked


def express_class_create(
    *,
    actor: Any,
    name: str,
    unit: str,
    price: Decimal | str,
    min_hours: int,
    max_hours: int,
    slug: str = "",
    description: str = "",
    academic_levels: list[str] | tuple[str, ...] = (),
    is_active: bool = True,
) -> ExpressClass:
    """Add an express class (admin): ``name``, ``slug`` (default from the name; unique; its URL),
    ``unit`` ``pages`` or ``assignments`` (what ``price`` is per, in the site's pricing currency),
    ``min_hours``..``max_hours`` (1-8760: the deadlines it takes), ``academic_levels`` (slugs of
    active levels; empty: every level), ``description``. Audited (``writing_express_class.created``).

    Raises ``PermissionDenied`` (403), ``ApplicationError`` 400 ``validation_error`` /
    ``invalid_amount`` (naming the field).
    """
    _require(actor)
    with transaction.atomic():
        values = _express_values(
            {
                "name": name,
                "slug": slug,
                "description": description,
                "unit": unit,
                "price": price,
                "min_hours": min_hours,
                "max_hours": max_hours,
                "academic_levels": list(academic_levels),
                "is_active": is_active,
            },
            _locked_currency(),
            current=None,
        )
        levels = values.pop("academic_levels")
        express_class = ExpressClass.objects.create(**values)
        express_class.academic_levels.set(levels)
        audit_record(
            actor=actor,
            verb="writing_express_class.created",
            target=express_class,
            changes={**{k: audit_value(v) for k, v in values.items()}, "academic_levels": [o.slug for o in levels]},
        )
    return express_class


def express_class_update(*, actor: Any, express_class: ExpressClass, **fields: Any) -> ExpressClass:
    """Change an express class (admin): any field of ``express_class_create``; orders placed keep
    the price they were placed at. Audited (``writing_express_class.updated``, the diff).

    Raises ``PermissionDenied`` (403), ``ApplicationError`` 400 (as ``express_class_create``;
    ``max_hours`` below ``min_hours`` against the stored other one); ``TypeError`` for an unknown field.
    """
    _require(actor)
    with transaction.atomic():
        currency = _locked_currency() if "price" in fields else express_class.currency
        values = _express_values(fields, currency, current=express_class)
        levels = values.pop("academic_levels", None)
        changes = apply_changes(express_class, values)
        if levels is not None:
            before = sorted(o.slug for o in express_class.academic_levels.all())
            after = sorted(o.slug for o in levels)
            if before != after:
                express_class.academic_levels.set(levels)
                changes["academic_levels"] = [before, after]
        if changes:
            express_class.save()
            audit_record(actor=actor, verb="writing_express_class.updated", target=express_class, changes=changes)
    return express_class


def express_class_delete(*, actor: Any, express_class: ExpressClass) -> None:
    """Delete an express class with no orders (admin); audited (``writing_express_class.deleted``).

    Raises ``PermissionDenied`` (403), ``Conflict`` 409 ``product_has_purchases`` (it has orders:
    deactivate it instead).
    """
    _require(actor)
    facts = {"express_class": express_class.pk, "slug": express_class.slug}
    try:
        with transaction.atomic():
            express_class.delete()
            audit_record(actor=actor, verb="writing_express_class.deleted", target=None, changes=facts)
    except ProtectedError:
        raise Conflict("This class has orders: deactivate it instead.", code=ErrorCode.PRODUCT_HAS_PURCHASES) from None
