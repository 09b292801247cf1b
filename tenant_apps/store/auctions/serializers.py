"""Request and response shapes of the auctions API.

Money is a string with two decimals (``"120.00"``) in the auction's ``currency`` (ISO 4217, the
site's); times are ISO 8601 in UTC. Who leads is shown by name only to admins and to the leader
themself; everyone else sees a stable alias per auction (``selectors.bidder_alias``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from saas.api.fields import AsciiDecimalField
from saas.api.schema import NamedChoiceField
from tenant_apps.store.auctions.access import can_manage_auctions, sees_leader
from tenant_apps.store.auctions.models import Auction, AuctionStatus
from tenant_apps.store.auctions.selectors import auction_phase, bidder_alias, minimum_bid

_PHASES = (
    ("upcoming", "Upcoming"),
    ("live", "Live"),
    ("ended", "Ended"),
    ("pending", "Pending approval"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
)


def _money(**kwargs: Any) -> AsciiDecimalField:
    return AsciiDecimalField(max_digits=12, decimal_places=2, **kwargs)


class AuctionInputSerializer(serializers.Serializer):
    """A seller's new auction: ``product`` (optional) is the id of one of their products;
    ``starting_price`` and ``min_increment`` are in the site's currency; ``ends_at`` after
    ``starts_at`` and in the future."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")
    product = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, allow_null=True)
    starting_price = _money(min_value=Decimal("0.01"))
    min_increment = _money(min_value=Decimal("0.01"))
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class AuctionRejectionSerializer(serializers.Serializer):
    """``{"reason"}``: why an auction is rejected (shown to its seller)."""

    reason = serializers.CharField(max_length=2000)


class BidInputSerializer(serializers.Serializer):
    """``{"amount"}`` in the auction's currency."""

    amount = _money(min_value=Decimal("0.01"))


class AuctionSellerSerializer(serializers.Serializer):
    """A seller as everyone sees them: no e-mail address."""

    id = serializers.IntegerField(read_only=True)
    full_name = serializers.CharField(read_only=True)


class LeaderSerializer(serializers.Serializer):
    """Who leads: ``id`` and ``name`` for admins and the leader; ``id`` null and an alias for others."""

    id = serializers.IntegerField(allow_null=True, read_only=True)
    name = serializers.CharField(read_only=True)
    is_you = serializers.BooleanField(read_only=True)


class AuctionSerializer(serializers.Serializer):
    """An auction. ``phase`` is ``upcoming``, ``live``, ``ended`` (or the status, before approval);
    ``minimum_bid`` the least the next bid may be; ``time_left_seconds`` until ``ends_at`` (0 once
    passed); ``order`` the winner's order id, shown to the winner, the seller and admins."""

    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    seller = AuctionSellerSerializer(read_only=True)
    product = serializers.IntegerField(source="product_id", allow_null=True, read_only=True)
    currency = serializers.CharField(read_only=True)
    starting_price = _money(read_only=True)
    min_increment = _money(read_only=True)
    current_price = _money(read_only=True, allow_null=True)
    minimum_bid = serializers.SerializerMethodField()
    bids_count = serializers.IntegerField(read_only=True)
    leader = serializers.SerializerMethodField()
    status = NamedChoiceField(component_name="AuctionStatusEnum", choices=AuctionStatus.choices, read_only=True)
    phase = serializers.SerializerMethodField()
    starts_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    time_left_seconds = serializers.SerializerMethodField()
    rejection_reason = serializers.CharField(read_only=True)
    order = serializers.SerializerMethodField()
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)

    def _user(self) -> Any:
        request = self.context.get("request")
        return getattr(request, "user", None)

    @extend_schema_field(_money(read_only=True))
    def get_minimum_bid(self, auction: Auction) -> str:
        return f"{minimum_bid(auction):.2f}"

    @extend_schema_field(LeaderSerializer(allow_null=True))
    def get_leader(self, auction: Auction) -> dict[str, Any] | None:
        if auction.leader_id is None:
            return None
        user = self._user()
        you = bool(user is not None and user.is_authenticated and user.pk == auction.leader_id)
        if sees_leader(user, auction):
            leader = auction.leader
            return {"id": auction.leader_id, "name": leader.get_full_name() if leader else "", "is_you": you}
        return {"id": None, "name": bidder_alias(auction.pk, auction.leader_id), "is_you": False}

    @extend_schema_field(NamedChoiceField(component_name="AuctionPhaseEnum", choices=_PHASES))
    def get_phase(self, auction: Auction) -> str:
        return auction_phase(auction)

    def get_time_left_seconds(self, auction: Auction) -> int:
        return max(int((auction.ends_at - timezone.now()).total_seconds()), 0)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_order(self, auction: Auction) -> int | None:
        user = self._user()
        if auction.order_id is None or user is None or not user.is_authenticated:
            return None
        if can_manage_auctions(user) or user.pk in (auction.seller_id, auction.leader_id):
            return int(auction.order_id)
        return None


class BidSerializer(serializers.Serializer):
    """An accepted bid, with the auction as it stands after it."""

    id = serializers.IntegerField(read_only=True)
    amount = _money(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    auction = AuctionSerializer(read_only=True)
