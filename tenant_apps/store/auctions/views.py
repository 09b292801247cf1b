"""The auctions API: thin views over ``services`` and ``selectors``.

| method and path | who | does |
| --- | --- | --- |
| ``GET /auctions/`` | anyone | scheduled and closed auctions (sellers: + their own; admins: all); filters |
| ``POST /auctions/`` | seller | a new auction -> 201 ``pending`` |
| ``GET /auctions/{id}/`` | who may see it | price, minimum bid, leader (others: an alias), bids, time left |
| ``POST /auctions/{id}/approve/`` | admin | ``pending`` -> ``scheduled`` |
| ``POST /auctions/{id}/reject/`` | admin | ``{"reason"}``: ``pending`` -> ``rejected`` |
| ``POST /auctions/{id}/bids/`` | customer (not the seller) | ``{"amount"}`` while live -> 201, held in the wallet |
| ``POST /auctions/{id}/close/`` | admin | after the end: closed, with an order for the winner (idempotent) |

Errors (one shape): 400 ``validation_error``, ``invalid_amount``, ``invalid_product``,
``location_required``; 401; 403 ``permission_denied``; 404 ``not_found``; 409
``invalid_status_transition``, ``auction_not_live``, ``auction_not_ended``, ``bid_too_low``,
``insufficient_funds``, ``currency_mismatch``, ``conflict``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from saas.api.views import VisibleQuerysetMixin
from tenant_apps.accounts.permissions import HasRole
from tenant_apps.store.auctions import selectors, services
from tenant_apps.store.auctions.access import AUCTION_SELLER_ROLES, access_auction, auctionable_product
from tenant_apps.store.auctions.filters import AuctionFilter
from tenant_apps.store.auctions.models import Auction
from tenant_apps.store.auctions.serializers import (
    AuctionInputSerializer,
    AuctionRejectionSerializer,
    AuctionSerializer,
    BidInputSerializer,
    BidSerializer,
)


class AuctionViewSet(VisibleQuerysetMixin, viewsets.GenericViewSet):
    """Auctions. Lists are paginated (``page``, ``page_size``); ``search`` looks in title and
    description; ``ordering`` by ``ends_at`` (default), ``starts_at``, ``current_price``,
    ``bids_count``, ``created_at`` (``-`` for descending)."""

    serializer_class = AuctionSerializer
    parser_classes = [JSONParser]
    filterset_class = AuctionFilter
    search_fields = ("title", "description")
    ordering_fields = ("ends_at", "starts_at", "current_price", "bids_count", "created_at")
    ordering = ("ends_at", "id")
    lookup_value_converter = "int"

    def get_permissions(self) -> list[Any]:
        # Actions on one auction check no role here: the auction is looked up first (404 when
        # the user may not see it), then the service refuses what the role does not allow (403).
        if self.action in {"list", "retrieve"}:
            return [AllowAny()]
        if self.action == "create":
            return [IsAuthenticated(), HasRole(*AUCTION_SELLER_ROLES)]
        return [IsAuthenticated()]

    def visible_queryset(self) -> Any:
        """Only ever the auctions the user may see (``access.auctions_visible_to``)."""
        return selectors.auction_list(user=self.request.user)

    def _auction(self, pk: Any) -> Auction:
        return access_auction(user=self.request.user, pk=pk)

    def _show(self, auction: Auction, status_code: int = status.HTTP_200_OK) -> Response:
        data = AuctionSerializer(selectors.auction_get(auction), context={"request": self.request}).data
        return Response(data, status=status_code)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(AuctionSerializer(page, many=True, context={"request": request}).data)

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(AuctionSerializer(self._auction(pk), context={"request": request}).data)

    @extend_schema(request=AuctionInputSerializer, responses={201: AuctionSerializer})
    def create(self, request: Request) -> Response:
        """Put an item up for auction (sellers): ``pending`` until an admin decides."""
        serializer = AuctionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["product"] = auctionable_product(seller=request.user, pk=data.get("product"))
        auction = services.auction_create(seller=request.user, **data)
        return self._show(auction, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=AuctionSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: int) -> Response:
        """Admin: a pending auction is scheduled (live from its start to its end)."""
        auction = services.auction_approve(auction=self._auction(pk), actor=request.user)
        return self._show(auction)

    @extend_schema(request=AuctionRejectionSerializer, responses=AuctionSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: int) -> Response:
        """Admin: reject a pending auction, with a reason."""
        auction = self._auction(pk)  # before the body: an unseen id answers 404, not 400
        serializer = AuctionRejectionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reason = serializer.validated_data["reason"]
        auction = services.auction_reject(auction=auction, actor=request.user, reason=reason)
        return self._show(auction)

    @extend_schema(request=BidInputSerializer, responses={201: BidSerializer})
    @action(detail=True, methods=["post"])
    def bids(self, request: Request, pk: int) -> Response:
        """Customers: bid while the auction is live; the amount is held in your wallet until you
        are outbid (then released) or win (then it pays the order)."""
        auction = self._auction(pk)
        serializer = BidInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        bid = services.bid_place(auction=auction, bidder=request.user, amount=serializer.validated_data["amount"])
        bid.auction = selectors.auction_get(auction)
        return Response(BidSerializer(bid, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=AuctionSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: int) -> Response:
        """Admin: close an auction whose end has passed (the beat task does it every minute):
        an order for the winner, paid from the winning hold. Closing again changes nothing."""
        auction = services.auction_close(auction=self._auction(pk), actor=request.user)
        return self._show(auction)
