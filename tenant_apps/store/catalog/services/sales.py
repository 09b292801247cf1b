"""Sale events (admins): a discount of ``percent`` over chosen products from ``starts_at`` to
``ends_at`` (UTC, aware). ``pricing.effective_price`` applies them; nothing here computes a price.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from tenant_apps.audit.diff import apply_changes, audit_value
from tenant_apps.audit.services import audit_record
from tenant_apps.store.catalog.access import can_manage_catalog
from tenant_apps.store.catalog.locks import sale_event_lock
from tenant_apps.store.catalog.models import Product, SaleEvent
from tenant_apps.store.catalog.services._common import clean_text, field_error, require

#: Products one sale event may list.
MAX_SALE_PRODUCTS = 1000
SALE_FIELDS = ("name", "percent", "starts_at", "ends_at", "products")


def _percent(value: Any) -> Decimal:
    try:
        percent = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise field_error("percent", "A percentage above 0, at most 100.") from None
    if not percent.is_finite() or not Decimal("0") < percent <= Decimal("100") or percent != round(percent, 2):
        raise field_error("percent", "A percentage above 0, at most 100, at most 2 decimals.")
    return percent.quantize(Decimal("0.01"))


def _products(values: Iterable[Any]) -> list[Product]:
    ids = sorted({int(getattr(value, "pk", value)) for value in values})
    if len(ids) > MAX_SALE_PRODUCTS:
        raise field_error("products", f"At most {MAX_SALE_PRODUCTS} products.")
    found = list(Product.objects.filter(pk__in=ids).order_by("pk"))
    if len(found) != len(ids):
        missing = sorted(set(ids) - {p.pk for p in found})
        raise field_error("products", f"No such products: {', '.join(map(str, missing[:20]))}.")
    return found


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    clean = dict(fields)
    if "name" in clean:
        clean["name"] = clean_text(clean["name"], field="name", max_length=200)
    if "percent" in clean:
        clean["percent"] = _percent(clean["percent"])
    for name in ("starts_at", "ends_at"):
        if name in clean and (not isinstance(clean[name], datetime) or clean[name].tzinfo is None):
            raise field_error(name, "A date-time with a time zone.")
    return clean


def _check_window(event: SaleEvent) -> None:
    if event.ends_at <= event.starts_at:
        raise field_error("ends_at", "Must be after starts_at.")


def sale_event_create(
    *,
    actor: Any,
    name: str,
    percent: Decimal | str,
    starts_at: datetime,
    ends_at: datetime,
    products: Iterable[Any] = (),
) -> SaleEvent:
    """Create a sale event (admin) over ``products`` (instances or ids, any state).

    Raises ``permission_denied`` (403), ``validation_error`` (400: percent not in (0, 100], a
    window that ends before it starts, unknown products).
    """
    require(can_manage_catalog(actor))
    clean = _clean({"name": name, "percent": percent, "starts_at": starts_at, "ends_at": ends_at})
    chosen = _products(products)
    event = SaleEvent(created_by=actor, **clean)
    _check_window(event)
    with transaction.atomic():
        event.save()
        event.products.set(chosen)
        audit_record(
            actor=actor,
            verb="sale_event.created",
            target=event,
            changes={**{k: audit_value(v) for k, v in clean.items()}, "products": [p.pk for p in chosen]},
        )
    return event


def sale_event_update(*, actor: Any, event: SaleEvent, **fields: Any) -> SaleEvent:
    """Change any of ``SALE_FIELDS`` of ``event`` (admin); ``products`` replaces the list.

    Raises like ``sale_event_create``.
    """
    require(can_manage_catalog(actor))
    unknown = set(fields) - set(SALE_FIELDS)
    if unknown:
        raise TypeError(f"unknown sale event fields: {sorted(unknown)}")
    chosen = _products(fields.pop("products")) if "products" in fields else None
    clean = _clean(fields)
    with transaction.atomic():
        event = sale_event_lock(event.pk)
        changed = apply_changes(event, clean)
        _check_window(event)
        if changed:
            event.save()
        if chosen is not None:
            before = sorted(event.products.values_list("pk", flat=True))
            after = [p.pk for p in chosen]
            if before != after:
                event.products.set(chosen)
                changed["products"] = [before, after]
        if changed:
            audit_record(actor=actor, verb="sale_event.updated", target=event, changes=changed)
    return event


def sale_event_delete(*, actor: Any, event: SaleEvent) -> None:
    """Delete ``event`` (admin): prices return to the products' own discounts. Raises ``permission_denied`` (403)."""
    require(can_manage_catalog(actor))
    with transaction.atomic():
        event = sale_event_lock(event.pk)
        audit_record(actor=actor, verb="sale_event.deleted", target=event, changes={"name": event.name})
        event.delete()
