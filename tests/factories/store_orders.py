"""Store carts and orders, made by ``store.orders.services`` (and ``demo.order_walk`` for states).

``StoreOrderFactory(status="shipped")`` is an order checked out from a funded customer's cart,
claimed and shipped by a courier: every state is reached through the services, so holds, stock,
proofs, settlement and audit rows are what the product makes. Products come from the catalog's
``StoreProductFactory(approved=True)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import factory

from tenant_apps.accounts.models import User
from tenant_apps.store.catalog.models import Product
from tenant_apps.store.orders.demo import ensure_location, order_buy, order_walk
from tenant_apps.store.orders.models import CartItem, Order, OrderStatus
from tenant_apps.store.orders.services import cart_item_add
from tenant_apps.wallet.services import wallet_open, wallet_top_up
from tests.factories.accounts import UserFactory
from tests.factories.base import ServiceFactory
from tests.factories.store_catalog import StoreProductFactory


class CustomerFactory(UserFactory):
    """A customer with a delivery location (``ensure_location``; none with ``location=False``) and
    ``funds`` in their wallet (``wallet_top_up``; default none)."""

    roles: Any = factory.LazyFunction(lambda: ["customer"])
    location = True
    funds: Decimal | str = "0"

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        location, funds = kwargs.pop("location"), Decimal(kwargs.pop("funds"))
        user = super()._create(model_class, *args, **kwargs)
        if location:
            ensure_location(user)
        if funds:
            wallet_top_up(wallet=wallet_open(user=user), amount=funds, memo="test funds")
        return user


class CartItemFactory(ServiceFactory[CartItem]):
    """A line of ``buyer``'s cart, added by ``cart_item_add`` (a new product of a new seller unless given)."""

    class Meta:
        model = CartItem

    buyer = factory.SubFactory(CustomerFactory)
    product = factory.LazyFunction(lambda: StoreProductFactory(approved=True))
    quantity = 1

    @classmethod
    def _create(cls, model_class: type[CartItem], *args: Any, **kwargs: Any) -> CartItem:
        return cart_item_add(**kwargs)


class StoreOrderFactory(ServiceFactory[Order]):
    """An order of ``buyer`` for ``quantity`` units of ``product`` (default: a new approved product of
    ``seller`` at ``price``), or for ``lines`` ``[(product, quantity)]`` when given (any sellers),
    checked out from a funded wallet, then walked to ``status`` by
    ``courier`` (``demo.order_walk``): ``created`` (default), ``processing``, ``shipped``,
    ``delivered``, ``completed``, ``cancelled``.

    Traits: ``shipped``, ``delivered``, ``completed``, ``cancelled``.
    """

    class Meta:
        model = Order

    class Params:
        shipped = factory.Trait(status=OrderStatus.SHIPPED)
        delivered = factory.Trait(status=OrderStatus.DELIVERED)
        completed = factory.Trait(status=OrderStatus.COMPLETED)
        cancelled = factory.Trait(status=OrderStatus.CANCELLED)

    buyer = factory.SubFactory(CustomerFactory)
    seller = factory.SubFactory(UserFactory, roles=["seller"])
    courier: User | None = None
    product: Product | None = None
    price: Decimal | str = "10.00"
    quantity = 1
    lines: Sequence[tuple[Product, int]] | None = None
    status: str = OrderStatus.CREATED

    @classmethod
    def _create(
        cls,
        model_class: type[Order],
        *,
        buyer: User,
        seller: User,
        courier: User | None,
        product: Product | None,
        price: Decimal | str,
        quantity: int,
        lines: Sequence[tuple[Product, int]] | None,
        status: str,
    ) -> Order:
        if lines is None:
            if product is None:
                product = StoreProductFactory(seller=seller, price=price, stock=max(quantity, 10), approved=True)
            lines = [(product, quantity)]
        order = order_buy(buyer=buyer, lines=lines)
        if status == OrderStatus.CREATED:
            return order
        if courier is None and status != OrderStatus.CANCELLED:
            courier = UserFactory(roles=["delivery"])
        return order_walk(order=order, to=status, courier=courier)
