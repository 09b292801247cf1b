"""Writes on discounts: an admin's codes and campaigns, and the uses orders make of them.

Rules of which discount an order gets and how much: ``rules.py``. Locks: ``locks.py`` (the
discount first, then the client's loyalty account). Every admin write is audited.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from saas.errors import ApplicationError, Conflict, ErrorCode, PermissionDenied
from tenant_apps.audit.diff import apply_changes
from tenant_apps.audit.services import audit_record
from tenant_apps.writing.discounts.access import can_manage_discounts
from tenant_apps.writing.discounts.locks import discount_lock
from tenant_apps.writing.discounts.models import Discount, DiscountKind, DiscountUse
from tenant_apps.writing.discounts.rules import normalize_code

#: The fields an admin sets on a discount (``options``: ``OrderOption`` rows).
FIELDS = (
    "name",
    "code",
    "kind",
    "value",
    "starts_at",
    "ends_at",
    "max_uses",
    "max_uses_per_client",
    "minimum_order",
    "first_order_only",
    "stacks_with_loyalty",
    "is_active",
)


def _require(actor: Any) -> None:
    if not can_manage_discounts(actor):
        raise PermissionDenied("Only admins manage discounts.")


def _field_error(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, code=ErrorCode.VALIDATION_ERROR, details={field: [message]})


def _check(discount: Discount) -> None:
    if discount.kind == DiscountKind.PERCENT and not 0 < discount.value <= 100:
        raise _field_error("value", "A percentage above 0 and at most 100.")
    if discount.starts_at and discount.ends_at and discount.ends_at <= discount.starts_at:
        raise _field_error("ends_at", "After starts_at.")
    if discount.max_uses is not None and discount.max_uses < discount.uses_count:
        raise _field_error("max_uses", f"At least the {discount.uses_count} uses already made.")


def _save(discount: Discount) -> None:
    if discount.code is not None and Discount.objects.exclude(pk=discount.pk).filter(code=discount.code).exists():
        raise _field_error("code", "A discount with this code exists.")
    try:
        with transaction.atomic():
            discount.save()
    except IntegrityError:
        raise _field_error("code", "A discount with this code exists.") from None


def discount_create(*, actor: Any, options: list[Any] | None = None, **values: Any) -> Discount:
    """Create a discount (admin ``actor``) from ``values`` (``FIELDS``, already typed by the
    serializer; ``code`` ``None`` or ``""`` makes a campaign, otherwise it is stored upper-case)
    restricted to ``options`` (``OrderOption`` rows; none: every order). Audited
    (``writing.discount_created``).

    Raises ``PermissionDenied`` (403), ``ApplicationError`` 400 ``validation_error`` (a taken
    code, a percentage over 100, a window ending before it starts)."""
    _require(actor)
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown discount fields: {sorted(unknown)}")
    values["code"] = normalize_code(values.get("code")) or None
    discount = Discount(created_by=actor, **values)
    _check(discount)
    with transaction.atomic():
        _save(discount)
        if options:
            discount.options.set(options)
        audit_record(
            actor=actor,
            verb="writing.discount_created",
            target=discount,
            changes={"code": discount.code or "", "kind": discount.kind, "value": str(discount.value)},
        )
    return discount


def discount_update(*, actor: Any, discount: Discount, options: list[Any] | None = None, **changes: Any) -> Discount:
    """Change ``discount`` (admin): any of ``FIELDS``; ``options`` replaces its options when given.
    Under the discount's lock (its uses count is checked against a lower ``max_uses``). Audited
    (``writing.discount_updated``). Raises as ``discount_create``."""
    _require(actor)
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown discount fields: {sorted(unknown)}")
    if "code" in changes:
        changes["code"] = normalize_code(changes["code"]) or None
    with transaction.atomic():
        locked = discount_lock(discount.pk)
        changed = apply_changes(locked, changes)
        _check(locked)
        if changed:
            _save(locked)
        if options is not None:
            locked.options.set(options)
            changed["options"] = [sorted(o.pk for o in options)]
        if changed:
            audit_record(actor=actor, verb="writing.discount_updated", target=locked, changes=changed)
    return locked


def discount_delete(*, actor: Any, discount: Discount) -> None:
    """Delete ``discount`` (admin) if no order ever used it; a used one is switched off instead
    (``is_active=False``) so its orders keep their record. Audited (``writing.discount_deleted``
    or ``writing.discount_updated``). Raises ``PermissionDenied`` (403)."""
    _require(actor)
    with transaction.atomic():
        locked = discount_lock(discount.pk)
        if DiscountUse.objects.filter(discount=locked).exists():
            if locked.is_active:
                locked.is_active = False
                locked.save(update_fields=["is_active", "updated_at"])
                audit_record(
                    actor=actor, verb="writing.discount_updated", target=locked, changes={"is_active": [True, False]}
                )
            return
        audit_record(actor=actor, verb="writing.discount_deleted", target=locked, changes={"code": locked.code or ""})
        locked.options.clear()
        locked.delete()


def discount_use_record(*, discount: Discount, order: Any, amount: Any) -> DiscountUse:
    """Placement: ``order`` (just created) used ``discount`` for ``amount`` off. ``discount`` is
    the row ``locks.discount_lock`` returned in this transaction, before the order was priced under
    it (``rules.discount_for`` checked the limits): its ``uses_count`` grows by one. Raises
    ``Conflict`` 409 ``discount_limit_reached`` only as a backstop (the check constraint)."""
    discount.uses_count += 1
    try:
        with transaction.atomic():
            discount.save(update_fields=["uses_count", "updated_at"])
    except IntegrityError:
        raise Conflict("This code has been used up.", code=ErrorCode.DISCOUNT_LIMIT_REACHED) from None
    return DiscountUse.objects.create(
        discount=discount, client=order.client, order=order, amount=amount, currency=order.currency
    )


def discount_use_release(*, order: Any, actor: Any = None) -> DiscountUse | None:
    """The order's discount use given back (the order was cancelled unpaid): ``released_at`` set
    and the discount's ``uses_count`` one less, under the discount's lock (after the order's).
    ``None`` when the order used none; idempotent."""
    use = DiscountUse.objects.filter(order_id=order.pk, released_at__isnull=True).first()
    if use is None:
        return None
    with transaction.atomic():
        locked = discount_lock(use.discount_id)
        use = DiscountUse.objects.select_for_update(no_key=True).get(pk=use.pk)
        if use.released_at is not None:
            return use
        use.released_at = timezone.now()
        use.save(update_fields=["released_at"])
        locked.uses_count = max(locked.uses_count - 1, 0)
        locked.save(update_fields=["uses_count", "updated_at"])
        audit_record(
            actor=actor,
            verb="writing.discount_use_released",
            target=locked,
            changes={"order": order.pk, "amount": str(use.amount)},
        )
    return use
