"""Carts, orders and their items, and proofs of delivery (seed 001, the store).

Life of an order (``OrderStatus``)::

    created --claim--> processing --ship--> shipped --deliver/proof--> delivered --complete--> completed
       \\--cancel (buyer, before shipping)--> cancelled  <--cancel-- processing

* **Checkout** turns the buyer's cart into one order with items from any number of sellers, in one
  transaction: each product's row is locked, its stock checked and decremented, and the total held
  in the buyer's wallet (``escrow_hold``, reference ``order:<id>:hold``). The buyer's delivery
  location is copied onto the order.
* **Delivery** users claim ``created`` orders (at most 5 active each), then ship and deliver them.
  Shipping creates a ``DeliveryProof``: a one-time PIN the buyer sees (also as a QR code) and
  gives the courier, who confirms it; attempts are limited.
* **Completion**, ``completion_wait_days`` after delivery (site settings): the hold is captured,
  each seller is paid their items' total less the site's commission, and the commission goes to
  the site; every movement is a ledger row, and running it twice pays once.
* An order created by an auction (``source=auction``) is paid from the winning bid's hold.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from tenant_apps.store.catalog.models import Product


class CartItem(models.Model):
    """One product in a buyer's cart (one row per buyer and product)."""

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart_items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("added_at", "id")
        constraints = [
            models.UniqueConstraint(fields=["buyer", "product"], name="orders_cart_item_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orders_cart_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x product #{self.product_id} for user #{self.buyer_id}"


class OrderStatus(models.TextChoices):
    """Where an order is (see the module's diagram)."""

    CREATED = "created", "Created"
    PROCESSING = "processing", "Processing"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


#: Orders a delivery user holds and has not delivered yet (at most ``MAX_ACTIVE_DELIVERIES``).
ACTIVE_DELIVERY_STATUSES = (OrderStatus.PROCESSING, OrderStatus.SHIPPED)
MAX_ACTIVE_DELIVERIES = 5


class OrderSource(models.TextChoices):
    """What created an order: a checkout of the cart or a won auction."""

    CART = "cart", "Checkout"
    AUCTION = "auction", "Auction"


class Order(models.Model):
    """A buyer's order: ``total`` (2 places, ``currency``) held in escrow from checkout to completion."""

    number = models.CharField(max_length=32, unique=True)
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="store_orders")
    status = models.CharField(max_length=16, choices=OrderStatus.choices, default=OrderStatus.CREATED)
    source = models.CharField(max_length=16, choices=OrderSource.choices, default=OrderSource.CART)
    currency = models.CharField(max_length=3)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    location_lat = models.DecimalField(max_digits=9, decimal_places=6)
    location_lng = models.DecimalField(max_digits=9, decimal_places=6)
    location_address = models.CharField(max_length=500)
    delivery_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="store_deliveries"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="orders_order_total_positive"),
            models.CheckConstraint(
                condition=Q(status=OrderStatus.CREATED)
                | Q(status=OrderStatus.CANCELLED)
                | Q(delivery_user__isnull=False),
                name="orders_order_delivery_user_once_claimed",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[OrderStatus.DELIVERED, OrderStatus.COMPLETED]) | Q(delivered_at__isnull=False),
                name="orders_order_delivered_at_set",
            ),
        ]
        indexes = [
            models.Index(fields=["buyer", "-created_at"], name="orders_order_buyer"),
            models.Index(fields=["status", "created_at"], name="orders_order_status"),
            models.Index(fields=["delivery_user", "status"], name="orders_order_delivery"),
        ]

    def __str__(self) -> str:
        return f"order {self.number}"


class OrderItem(models.Model):
    """A line of an order: ``quantity`` units of a product at ``unit_price`` (the effective price
    at checkout, or the winning bid), sold by ``seller``. ``returned_quantity`` counts units
    refunded by approved returns."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="order_items")
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="store_sales")
    title = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    line_total = models.DecimalField(max_digits=12, decimal_places=2)
    returned_quantity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("id",)
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orders_item_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="orders_item_unit_price_positive"),
            models.CheckConstraint(
                condition=Q(returned_quantity__lte=F("quantity")), name="orders_item_returned_at_most_bought"
            ),
        ]
        indexes = [models.Index(fields=["seller", "order"], name="orders_item_seller")]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.title} in order #{self.order_id}"


#: Wrong PINs accepted before a proof locks (the buyer then asks support).
MAX_PROOF_ATTEMPTS = 5


class DeliveryProof(models.Model):
    """The one-time PIN of a shipped order: shown to its buyer (and as a QR code), confirmed by
    the courier. ``failed_attempts`` counts wrong PINs; at ``MAX_PROOF_ATTEMPTS`` it locks."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="proof")
    pin = models.CharField(max_length=12)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"proof of delivery of order #{self.order_id}"


class WalletTopUp(models.Model):
    """A customer's card top-up of their wallet: an invoice of ``amount`` (``currency``) paid by
    card through the payments app; when the invoice is paid (Stripe's webhook, ``invoice_paid``),
    the wallet is credited once (ledger reference ``wallet-top-up:<id>``) and ``credited_at`` set."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="store_top_ups")
    invoice = models.OneToOneField("payments.Invoice", on_delete=models.PROTECT, related_name="store_top_up")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    credited_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="orders_top_up_amount_positive")]

    def __str__(self) -> str:
        return f"wallet top-up #{self.pk} of user #{self.user_id}"
