"""Store carts and orders, made by ``store.orders.services`` (and ``demo.order_walk`` for states).

``StoreOrderFactory(status="shipped")`` is an order checked out from a funded customer's cart,
claimed and shipped by a courier: every state is reached through the services, so holds, stock,
proofs, settlement and audit rows are what the product makes.

``store_product`` is a **stop-gap** until the catalog engineer's factories land on this branch:
it writes an approved product (and a category) straight through the ORM. Replace it with the
catalog factories when merging.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory
from django.conf import settings
from django.utils.text import slugify

from tenant_apps.accounts.models import User
from tenant_apps.store.catalog.models import Category, Product, ProductStatus
from tenant_apps.store.orders.demo import ensure_location, order_buy, order_walk
from tenant_apps.store.orders.models import CartItem, Order, OrderStatus
from tenant_apps.store.orders.services import cart_item_add
from tests.factories.accounts import UserFactory
from tests.factories.base import ServiceFactory

_products = 0


def store_product(
    *,
    seller: User,
    price: Decimal | str = "10.00",
    stock: int = 10,
    title: str | None = None,
    currency: str | None = None,
    status: str = ProductStatus.APPROVED,
) -> Product:
    """An approved, active product of ``seller`` with ``stock`` units at ``price`` (ORM: to be
    replaced by the catalog factories)."""
    global _products
    _products += 1
    category = Category.objects.filter(slug="test-category").first() or Category.add_root(
        name="Test category", slug="test-category"
    )
    name = title or f"Test product {_products}"
    return Product.objects.create(
        seller=seller,
        category=category,
        title=name,
        slug=f"{slugify(name)}-{seller.pk}-{_products}",
        price=Decimal(price),
        currency=currency or settings.DEFAULT_CURRENCY,
        stock=stock,
        status=status,
    )


class CustomerFactory(UserFactory):
    """A customer with a delivery location (``ensure_location``)."""

    roles: Any = factory.LazyFunction(lambda: ["customer"])

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        user = super()._create(model_class, *args, **kwargs)
        ensure_location(user)
        return user


class CartItemFactory(ServiceFactory[CartItem]):
    """A line of ``buyer``'s cart, added by ``cart_item_add`` (a new product of a new seller unless given)."""

    class Meta:
        model = CartItem

    buyer = factory.SubFactory(CustomerFactory)
    product = factory.LazyFunction(lambda: store_product(seller=UserFactory(roles=["seller"])))
    quantity = 1

    @classmethod
    def _create(cls, model_class: type[CartItem], *args: Any, **kwargs: Any) -> CartItem:
        return cart_item_add(**kwargs)


class StoreOrderFactory(ServiceFactory[Order]):
    """An order of ``buyer`` for ``quantity`` units of ``product`` (default: a new product of
    ``seller`` at ``price``), checked out from a funded wallet, then walked to ``status`` by
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
        status: str,
    ) -> Order:
        if product is None:
            product = store_product(seller=seller, price=price, stock=max(quantity, 10))
        order = order_buy(buyer=buyer, lines=[(product, quantity)])
        if status == OrderStatus.CREATED:
            return order
        if courier is None and status != OrderStatus.CANCELLED:
            courier = UserFactory(roles=["delivery"])
        return order_walk(order=order, to=status, courier=courier)
