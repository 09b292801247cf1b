"""The buyer's cart: one line per product; adding a product already in the cart **adds** to its
quantity (``PATCH`` sets it). A line holds at most ``MAX_LINE_QUANTITY`` units and never more than
the product's stock at the time (checkout checks the stock again under the products' locks)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from saas.errors import ApplicationError, Conflict, ErrorCode, PermissionDenied
from tenant_apps.audit.services import audit_record
from tenant_apps.store.catalog.models import Product, ProductStatus
from tenant_apps.store.orders.access import can_buy
from tenant_apps.store.orders.models import CartItem

#: The most units of one product a cart line holds.
MAX_LINE_QUANTITY = 999


def product_on_sale(product: Product) -> bool:
    """Whether customers may buy ``product``: approved and active."""
    return product.status == ProductStatus.APPROVED and product.is_active


def _check_line(*, buyer: Any, product: Product, quantity: int) -> None:
    if not can_buy(buyer):
        raise PermissionDenied("Only customers keep a cart.")
    if not product_on_sale(product):
        raise Conflict(
            "This product is not on sale.", code=ErrorCode.PRODUCT_UNAVAILABLE, details={"products": [product.pk]}
        )
    if product.seller_id == buyer.pk:
        raise Conflict(
            "You cannot buy your own product.", code=ErrorCode.PRODUCT_UNAVAILABLE, details={"products": [product.pk]}
        )
    if not 0 < quantity <= MAX_LINE_QUANTITY:
        raise ApplicationError(
            f"A quantity is 1 to {MAX_LINE_QUANTITY}.", details={"quantity": [f"1 to {MAX_LINE_QUANTITY}."]}
        )
    if quantity > product.stock:
        raise Conflict(
            "Not enough of this product in stock.",
            code=ErrorCode.INSUFFICIENT_STOCK,
            details={"products": [{"product": product.pk, "requested": quantity, "available": product.stock}]},
        )


def cart_item_add(*, buyer: Any, product: Product, quantity: int) -> CartItem:
    """Put ``quantity`` units of ``product`` in ``buyer``'s cart: a new line, or **added** to the
    line the product already has. Returns the line.

    Raises ``permission_denied`` (403, not a customer), ``product_unavailable`` (409: not
    approved, inactive, or the buyer's own), ``validation_error`` (400: the line would hold more
    than ``MAX_LINE_QUANTITY``), ``insufficient_stock`` (409: more than in stock).
    """
    with transaction.atomic():
        line = CartItem.objects.select_for_update(no_key=True).filter(buyer_id=buyer.pk, product_id=product.pk).first()
        if line is None:
            _check_line(buyer=buyer, product=product, quantity=quantity)
            try:
                with transaction.atomic():
                    line = CartItem.objects.create(buyer=buyer, product=product, quantity=quantity)
            except IntegrityError:  # a concurrent add created the line: add to it
                line = CartItem.objects.select_for_update(no_key=True).get(buyer_id=buyer.pk, product_id=product.pk)
            else:
                audit_record(actor=buyer, verb="cart.item_added", target=line, changes={"quantity": quantity})
                return line
        total = line.quantity + quantity
        _check_line(buyer=buyer, product=product, quantity=total)
        line.quantity = total
        line.save(update_fields=["quantity"])
        audit_record(actor=buyer, verb="cart.item_added", target=line, changes={"quantity": total})
        return line


def cart_item_update(*, item: CartItem, quantity: int) -> CartItem:
    """Set the quantity of the cart line ``item`` (the buyer's own, fetched by the view); the same
    refusals as ``cart_item_add``."""
    with transaction.atomic():
        line = CartItem.objects.select_for_update(no_key=True).select_related("product", "buyer").get(pk=item.pk)
        _check_line(buyer=line.buyer, product=line.product, quantity=quantity)
        line.quantity = quantity
        line.save(update_fields=["quantity"])
        audit_record(actor=line.buyer, verb="cart.item_updated", target=line, changes={"quantity": quantity})
    return line


def cart_item_remove(*, item: CartItem) -> None:
    """Take the line ``item`` out of its buyer's cart."""
    with transaction.atomic():
        audit_record(actor=item.buyer, verb="cart.item_removed", target=item, changes={"product": item.product_id})
        CartItem.objects.filter(pk=item.pk).delete()
