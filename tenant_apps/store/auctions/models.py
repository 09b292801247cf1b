"""Auctions and bids (seed 001, the store).

* A seller creates an auction (an item, optionally one of their products, a starting price, a
  minimum increment, a start and an end); it is ``pending`` until an admin approves
  (``scheduled``) or rejects it with a reason. A scheduled auction is *live* between
  ``starts_at`` and ``ends_at``.
* A bid must reach ``starting_price`` (first bid) or beat ``current_price`` by ``min_increment``;
  its amount is held in the bidder's wallet, and the previous leader's hold is released in the
  same transaction. A bid in the last ``anti_sniping_seconds`` (site settings) moves ``ends_at``
  to that long after the bid. One bid per amount per auction (a unique constraint): of two equal
  bids racing, one is accepted.
* Closing (beat task after ``ends_at``, or an admin) creates an order for the winner paid from the
  winning hold, or closes without a winner when nobody bid.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from tenant_apps.store.catalog.models import Product
from tenant_apps.store.orders.models import Order


class AuctionStatus(models.TextChoices):
    """Where an auction is; a ``scheduled`` one is live between its start and its end."""

    PENDING = "pending", "Pending approval"
    SCHEDULED = "scheduled", "Approved"
    REJECTED = "rejected", "Rejected"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class Auction(models.Model):
    """An auction of one item; amounts are 2-place ``Decimal`` in ``currency``."""

    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="store_auctions")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="auctions")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    currency = models.CharField(max_length=3)
    starting_price = models.DecimalField(max_digits=12, decimal_places=2)
    min_increment = models.DecimalField(max_digits=12, decimal_places=2)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=AuctionStatus.choices, default=AuctionStatus.PENDING)
    rejection_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    current_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    bids_count = models.PositiveIntegerField(default=0)
    order = models.OneToOneField(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="auction")
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("ends_at", "id")
        constraints = [
            models.CheckConstraint(condition=Q(starting_price__gt=0), name="auctions_starting_price_positive"),
            models.CheckConstraint(condition=Q(min_increment__gt=0), name="auctions_min_increment_positive"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="auctions_ends_after_start"),
            models.CheckConstraint(
                condition=Q(current_price__isnull=True) | Q(current_price__gte=F("starting_price")),
                name="auctions_current_price_at_least_start",
            ),
        ]
        indexes = [models.Index(fields=["status", "ends_at"], name="auctions_status_end")]

    def __str__(self) -> str:
        return self.title


class Bid(models.Model):
    """One accepted bid; its amount is held in the bidder's wallet while it leads.

    The bidder's delivery location when they bid is kept with it (a bid needs one): the order of a
    won auction goes to the winner's location at closing, or this one if they have none by then.
    """

    auction = models.ForeignKey(Auction, on_delete=models.CASCADE, related_name="bids")
    bidder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="store_bids")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    location_lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    location_lng = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    location_address = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-amount", "id")
        constraints = [
            models.UniqueConstraint(fields=["auction", "amount"], name="auctions_bid_amount_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="auctions_bid_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"bid {self.amount} on auction #{self.auction_id}"
