"""Products: sellers list them, admins approve or reject them, sellers keep them up to date.

* ``product_create`` (sellers): ``pending``, in the site's currency (``settings.DEFAULT_CURRENCY``,
  the wallets' currency), slug made unique from the title.
* ``product_update`` (its seller; admin): price, stock, discount, on/off sale, category, brand,
  and the text (title, description); a seller's new text sends an approved or rejected product
  back to ``pending`` for review (the admin saw other words).
* ``product_approve`` / ``product_reject`` (admin, a pending product, once): the seller is notified
  (``product_approved``, ``product_rejected``, ``extra_data`` ``{product, title, reason?}``).

A brand is assigned only when ``approved`` (400 ``brand_not_approved``) and by a seller whose rank
unlocks brands (403 ``rank_too_low``); removing one (``brand=None``) is always allowed.

Locks (``locks.py``, docs/architecture.md): the category (so it cannot be deleted under the new
product), the brand, then the product row; stock is set under the product's lock, which checkout
takes too.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction

from saas.billing import plan_slot
from saas.db.slugs import unique_slug
from saas.errors import Conflict, ErrorCode
from saas.money import check_amount, normalize_currency
from tenant_apps.audit.diff import apply_changes, audit_value
from tenant_apps.audit.services import audit_record
from tenant_apps.notifications.services import notify
from tenant_apps.store.catalog.access import (
    can_change_product,
    can_manage_catalog,
    can_sell,
    ensure_brands_unlocked,
)
from tenant_apps.store.catalog.locks import brand_lock, category_lock, product_lock
from tenant_apps.store.catalog.models import Brand, BrandStatus, Category, Product, ProductStatus
from tenant_apps.store.catalog.services._common import clean_text, field_error, require

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 20_000
REASON_MAX_LENGTH = 2000
MAX_STOCK = 2**31 - 1
#: What ``product_update`` changes.
PRODUCT_FIELDS = ("title", "description", "price", "stock", "discount_percent", "is_active", "category", "brand")
#: A seller's change of these sends the product back to review.
_CONTENT_FIELDS = ("title", "description")


def _discount(value: Any) -> Decimal:
    try:
        percent = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise field_error("discount_percent", "A percentage from 0 to 100.") from None
    if not percent.is_finite() or not Decimal("0") <= percent <= Decimal("100") or percent != round(percent, 2):
        raise field_error("discount_percent", "A percentage from 0 to 100, at most 2 decimals.")
    return percent.quantize(Decimal("0.01"))


def _stock(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_STOCK:
        raise field_error("stock", f"A whole number from 0 to {MAX_STOCK}.")
    return value


def _clean(fields: dict[str, Any], *, currency: str) -> dict[str, Any]:
    clean = dict(fields)
    if "title" in clean:
        clean["title"] = clean_text(clean["title"], field="title", max_length=TITLE_MAX_LENGTH)
    if "description" in clean:
        clean["description"] = clean_text(
            clean["description"], field="description", required=False, max_length=DESCRIPTION_MAX_LENGTH
        )
    if "price" in clean:
        clean["price"] = check_amount(clean["price"], currency, field="price")
    if "discount_percent" in clean:
        clean["discount_percent"] = _discount(clean["discount_percent"])
    if "stock" in clean:
        clean["stock"] = _stock(clean["stock"])
    if "is_active" in clean:
        clean["is_active"] = bool(clean["is_active"])
    return clean


def _locked_category(category: Category) -> Category:
    try:
        return category_lock(category.pk)
    except Category.DoesNotExist:
        raise field_error("category", "No such category.") from None


def _assignable_brand(actor: Any, brand: Brand) -> Brand:
    """``brand`` locked, if approved and ``actor``'s rank unlocks brands."""
    ensure_brands_unlocked(actor)
    try:
        locked = brand_lock(brand.pk)
    except Brand.DoesNotExist:
        raise field_error("brand", "No such brand.") from None
    if locked.status != BrandStatus.APPROVED:
        raise field_error("brand", "Only approved brands can be assigned.", code=ErrorCode.BRAND_NOT_APPROVED)
    return locked


def product_create(
    *,
    actor: Any,
    title: str,
    category: Category,
    price: Decimal | str,
    stock: int = 0,
    description: str = "",
    discount_percent: Decimal | str = "0",
    is_active: bool = True,
    brand: Brand | None = None,
) -> Product:
    """List a product (sellers): ``pending`` until an admin approves it; ``price`` in major units of
    the site's currency (``settings.DEFAULT_CURRENCY``), above zero and exact to its step.

    Takes one of the plan's ``products`` (``saas.billing.plan_slot``, after the category's lock).

    Raises ``permission_denied`` (403), ``rank_too_low`` (403, with a brand),
    ``validation_error``/``invalid_amount``/``brand_not_approved`` (400), ``plan_limit_reached``
    (403: nothing written).
    """
    require(can_sell(actor))
    currency = normalize_currency(settings.DEFAULT_CURRENCY)
    clean = _clean(
        {
            "title": title,
            "description": description,
            "price": price,
            "stock": stock,
            "discount_percent": discount_percent,
            "is_active": is_active,
        },
        currency=currency,
    )
    with transaction.atomic():
        clean["category"] = _locked_category(category)
        clean["brand"] = _assignable_brand(actor, brand) if brand is not None else None
        plan_slot("products")
        product = Product.objects.create(
            seller=actor,
            currency=currency,
            slug=unique_slug(Product.objects.all(), clean["title"], fallback="product", max_length=220),
            **clean,
        )
        audit_record(
            actor=actor,
            verb="product.created",
            target=product,
            changes={name: audit_value(value) for name, value in clean.items()},
        )
    return product


def product_update(*, actor: Any, product: Product, **fields: Any) -> Product:
    """Change any of ``PRODUCT_FIELDS`` of ``product`` (its seller; admin); ``brand=None`` removes
    the brand. A seller's change of the title or description puts the product back to ``pending``.

    Raises ``permission_denied`` (403), ``rank_too_low`` (403, assigning a brand),
    ``validation_error``/``invalid_amount``/``brand_not_approved`` (400).
    """
    require(can_change_product(actor, product))
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"unknown product fields: {sorted(unknown)}")
    clean = _clean(fields, currency=product.currency)
    with transaction.atomic():
        if clean.get("category") is not None:
            clean["category"] = _locked_category(clean["category"])
        elif "category" in clean:
            raise field_error("category", "A product needs a category.")
        if clean.get("brand") is not None and clean["brand"].pk != product.brand_id:
            clean["brand"] = _assignable_brand(actor, clean["brand"])
        product = product_lock(product.pk)
        changed = apply_changes(product, clean)
        reviewed = product.status != ProductStatus.PENDING
        if reviewed and set(changed) & set(_CONTENT_FIELDS) and not can_manage_catalog(actor):
            changed["status"] = [product.status, ProductStatus.PENDING]
            product.status = ProductStatus.PENDING
            product.rejection_reason = ""
        if changed:
            product.save()
            audit_record(actor=actor, verb="product.updated", target=product, changes=changed)
    return product


def product_assign_brand(*, actor: Any, product: Product, brand: Brand | None) -> Product:
    """Assign ``brand`` to ``product`` (``None``: remove it): ``product_update(brand=brand)``."""
    return product_update(actor=actor, product=product, brand=brand)


def _decide(*, actor: Any, product: Product, status: str, reason: str = "") -> Product:
    require(can_manage_catalog(actor))
    with transaction.atomic():
        product = product_lock(product.pk)
        if product.status != ProductStatus.PENDING:
            raise Conflict(f"This product is already {product.status}.", code=ErrorCode.INVALID_STATUS_TRANSITION)
        product.status = status
        product.rejection_reason = reason
        product.save(update_fields=["status", "rejection_reason", "updated_at"])
        audit_record(
            actor=actor, verb=f"product.{status}", target=product, changes={"reason": reason} if reason else {}
        )
        extra: dict[str, Any] = {"product": product.pk, "title": product.title}
        if reason:
            extra["reason"] = reason
        notify(recipient=product.seller, verb=f"product_{status}", target=product, extra_data=extra)
    return product


def product_approve(*, actor: Any, product: Product) -> Product:
    """Approve a pending product (admin): on sale from now on if active; the seller is notified.

    Raises ``permission_denied`` (403), ``invalid_status_transition`` (409: not pending).
    """
    return _decide(actor=actor, product=product, status=ProductStatus.APPROVED)


def product_reject(*, actor: Any, product: Product, reason: str) -> Product:
    """Reject a pending product with ``reason`` (admin); the seller is notified.

    Raises ``permission_denied`` (403), ``validation_error`` (400: no reason),
    ``invalid_status_transition`` (409: not pending).
    """
    reason = clean_text(reason, field="reason", max_length=REASON_MAX_LENGTH)
    return _decide(actor=actor, product=product, status=ProductStatus.REJECTED, reason=reason)
