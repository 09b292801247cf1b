"""Checkout: the buyer's cart becomes one order paid into escrow, in one transaction.

Locks (``orders/locks.py``): the buyer's user row (so one buyer's two checkouts run one after the
other and the second finds the cart empty), then the cart's products in primary-key order
(``catalog.locks.products_lock``), then the buyer's wallet (inside ``escrow_hold``). Under the
products' locks the stock is checked and decremented, so two buyers racing for the last unit get
one order and one ``insufficient_stock``, and stock never goes below zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from saas.errors import ApplicationError, Conflict, ErrorCode, PermissionDenied
from saas.money import check_amount, round_money
from tenant_apps.accounts.locks import user_lock
from tenant_apps.audit.services import audit_record
from tenant_apps.store.catalog.locks import products_lock
from tenant_apps.store.catalog.models import Product
from tenant_apps.store.catalog.pricing import effective_prices
from tenant_apps.store.orders.access import can_buy
from tenant_apps.store.orders.models import CartItem, Order, OrderItem, OrderSource
from tenant_apps.store.orders.numbers import new_order_number
from tenant_apps.store.orders.services._common import notify_order, order_facts
from tenant_apps.store.orders.services.cart import product_on_sale
from tenant_apps.store.shop.models import StoreProfile
from tenant_apps.store.shop.services import store_profile_of
from tenant_apps.wallet.models import Wallet
from tenant_apps.wallet.services import escrow_hold, wallet_open


@dataclass(frozen=True)
class NewItem:
    """A line of an order being created: ``quantity`` units of ``product`` (or ``None``) titled
    ``title``, sold by ``seller``, at ``unit_price`` (``Decimal``, the order's currency)."""

    seller: Any
    title: str
    quantity: int
    unit_price: Decimal
    product: Product | None = None


def _location(buyer: Any) -> StoreProfile:
    profile = store_profile_of(buyer)
    if profile is None or not profile.has_location:
        raise ApplicationError(
            "Set your delivery location (latitude, longitude and address) in your profile first.",
            code=ErrorCode.LOCATION_REQUIRED,
        )
    return profile


def _order_create(*, buyer: Any, currency: str, items: Sequence[NewItem], source: str, profile: StoreProfile) -> Order:
    """Insert the order and its items (no money moves here); ``invalid_amount`` (400) when the
    total is beyond ``saas.money.MAX_AMOUNT``."""
    assert profile.location_lat is not None and profile.location_lng is not None  # _location checked
    lines = [(item, round_money(item.unit_price * item.quantity, currency)) for item in items]
    total = check_amount(sum((amount for _, amount in lines), Decimal("0")), currency)
    order = Order.objects.create(
        number=new_order_number(),
        buyer=buyer,
        source=source,
        currency=currency,
        total=total,
        location_lat=profile.location_lat,
        location_lng=profile.location_lng,
        location_address=profile.location_address,
    )
    OrderItem.objects.bulk_create(
        OrderItem(
            order=order,
            product=item.product,
            seller_id=item.seller.pk if hasattr(item.seller, "pk") else item.seller,
            title=item.title[:200],
            quantity=item.quantity,
            unit_price=item.unit_price,
            line_total=amount,
        )
        for item, amount in lines
    )
    return order


def _hold(*, wallet: Wallet, order: Order, buyer: Any) -> None:
    """Hold ``order.total`` in ``wallet``; a wallet too short answers 402 ``insufficient_funds``."""
    try:
        escrow_hold(
            wallet=wallet, amount=order.total, actor=buyer, reference=f"order:{order.pk}:hold", memo=order.number
        )
    except ApplicationError as exc:
        if exc.code != ErrorCode.INSUFFICIENT_FUNDS:
            raise
        available = Wallet.objects.filter(pk=wallet.pk).values_list("balance", flat=True).first()
        raise ApplicationError(
            "Your wallet holds too little for this order: top it up first.",
            code=ErrorCode.INSUFFICIENT_FUNDS,
            status_code=402,
            details={"required": str(order.total), "available": str(available), "currency": order.currency},
        ) from None


def order_checkout(*, buyer: Any) -> Order:
    """Turn ``buyer``'s cart into one order (items of any number of sellers at their effective
    prices, ``catalog.pricing``), hold its total in the buyer's wallet (``escrow_hold``, reference
    ``order:<id>:hold``) and empty the cart, all in one transaction. Returns the order (``created``).

    The buyer's delivery location (``shop.StoreProfile``) is copied onto the order.

    Raises, each changing nothing: ``permission_denied`` (403, not a customer), ``cart_empty``
    (400), ``location_required`` (400), ``product_unavailable`` (409: a product taken off sale or
    the buyer's own; ``details.products``), ``insufficient_stock`` (409; ``details.products``:
    ``[{product, requested, available}]``), ``currency_mismatch`` (409: a product not in the
    wallet's currency), ``invalid_amount`` (400: total too large), ``insufficient_funds`` (**402**;
    ``details``: ``required``, ``available``, ``currency``).
    """
    if not can_buy(buyer):
        raise PermissionDenied("Only customers check out.")
    profile = _location(buyer)
    wallet = wallet_open(user=buyer)
    with transaction.atomic():
        user_lock(buyer.pk)
        cart = list(CartItem.objects.filter(buyer_id=buyer.pk).order_by("product_id"))
        if not cart:
            raise ApplicationError("Your cart is empty.", code=ErrorCode.CART_EMPTY)
        products = products_lock(line.product_id for line in cart)
        unavailable = [
            line.product_id
            for line in cart
            if line.product_id not in products
            or not product_on_sale(products[line.product_id])
            or products[line.product_id].seller_id == buyer.pk
        ]
        if unavailable:
            raise Conflict(
                "Some products are no longer on sale: remove them from your cart.",
                code=ErrorCode.PRODUCT_UNAVAILABLE,
                details={"products": unavailable},
            )
        short = [
            {"product": line.product_id, "requested": line.quantity, "available": products[line.product_id].stock}
            for line in cart
            if line.quantity > products[line.product_id].stock
        ]
        if short:
            raise Conflict(
                "Not enough in stock for some products.", code=ErrorCode.INSUFFICIENT_STOCK, details={"products": short}
            )
        foreign = [line.product_id for line in cart if products[line.product_id].currency != wallet.currency]
        if foreign:
            raise Conflict(
                f"Some products are not priced in {wallet.currency}.",
                code=ErrorCode.CURRENCY_MISMATCH,
                details={"products": foreign},
            )
        prices = effective_prices(products.values())
        for line in cart:
            product = products[line.product_id]
            product.stock -= line.quantity
            product.save(update_fields=["stock", "updated_at"])
        order = _order_create(
            buyer=buyer,
            currency=wallet.currency,
            source=OrderSource.CART,
            profile=profile,
            items=[
                NewItem(
                    product=products[line.product_id],
                    seller=products[line.product_id].seller_id,
                    title=products[line.product_id].title,
                    quantity=line.quantity,
                    unit_price=prices[line.product_id],
                )
                for line in cart
            ],
        )
        _hold(wallet=wallet, order=order, buyer=buyer)
        CartItem.objects.filter(pk__in=[line.pk for line in cart]).delete()
        audit_record(
            actor=buyer,
            verb="order.created",
            target=order,
            changes={**order_facts(order), "total": str(order.total), "currency": order.currency},
        )
        notify_order(order, recipient=buyer, verb="order.created", total=str(order.total), currency=order.currency)
    return order


def order_create_from_hold(
    *, buyer: Any, items: Sequence[NewItem], currency: str, source: str = OrderSource.AUCTION, actor: Any = None
) -> Order:
    """Create an order for money **already held** in ``buyer``'s wallet (a won auction's bid):
    the order and its items, the buyer's location copied from their profile; no stock or wallet
    change (the caller decremented the stock, if any, and holds at least the order's total under
    its own reference, in the same transaction). From then on the order lives like any other:
    cancellation releases ``total`` (reference ``order:<id>:release``), completion captures it.

    Call inside the caller's ``transaction.atomic()``. Raises ``location_required`` (400),
    ``invalid_amount`` (400).
    """
    profile = _location(buyer)
    with transaction.atomic():
        order = _order_create(buyer=buyer, currency=currency, items=items, source=source, profile=profile)
        audit_record(
            actor=actor,
            verb="order.created",
            target=order,
            changes={**order_facts(order), "total": str(order.total), "source": source},
        )
        notify_order(order, recipient=buyer, verb="order.created", total=str(order.total), currency=order.currency)
    return order
