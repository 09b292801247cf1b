"""Auctions in the store's admin: every auction with its bids (read-only), and the API's admin
moves through the same services with the signed-in admin as the actor:

* approve a pending auction (``auction_approve``: ``scheduled``; refused once its end passed);
* reject a pending auction with a reason (``auction_reject``);
* close an auction whose end has passed (``auction_close``: an order for the winner paid from the
  winning hold; closing again changes nothing).

Bids are placed by customers only (their wallets hold the amounts): no admin move.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register, service_action
from saas.admin.extras import form_action
from tenant_apps.store.admin_forms import ReasonForm
from tenant_apps.store.auctions import services
from tenant_apps.store.auctions.access import access_auction
from tenant_apps.store.auctions.models import Auction, Bid


class BidInline(admin.TabularInline):  # type: ignore[type-arg]
    """An auction's bids, highest first (read-only)."""

    model = Bid
    fields = ("amount", "bidder", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-amount", "id")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Bid]:
        return super().get_queryset(request).select_related("bidder")


@register(Auction)
class AuctionAdmin(ServiceModelAdmin):
    """Auctions of every seller; approve, reject and close as through the API."""

    list_display = (
        "title",
        "seller",
        "status",
        "starting_price",
        "current_price",
        "currency",
        "bids_count",
        "leader",
        "starts_at",
        "ends_at",
        "order",
    )
    list_filter = ("status", "currency")
    search_fields = ("title", "description", "seller__email")
    list_select_related = ("seller", "leader", "order", "product")
    date_hierarchy = "ends_at"
    ordering = ("ends_at", "id")
    inlines = (BidInline,)
    actions = ("approve_auctions", "reject_auctions", "close_auctions")

    def _found(self, request: HttpRequest, auction: Auction) -> Auction:
        return access_auction(user=request.user, pk=auction.pk)

    @service_action(description="Approve the selected auctions", success="{count} approved.")
    def approve_auctions(self, request: HttpRequest, auction: Auction) -> None:
        services.auction_approve(auction=self._found(request, auction), actor=request.user)

    @form_action(description="Reject the selected auctions", form=ReasonForm, success="{count} rejected.")
    def reject_auctions(self, request: HttpRequest, auction: Auction, **data: Any) -> None:
        services.auction_reject(auction=self._found(request, auction), actor=request.user, reason=data["reason"])

    @service_action(description="Close the selected auctions (ended)", success="{count} closed.")
    def close_auctions(self, request: HttpRequest, auction: Auction) -> None:
        services.auction_close(auction=self._found(request, auction), actor=request.user)
