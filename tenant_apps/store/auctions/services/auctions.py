"""An auction's life before bidding: a seller's creation, an admin's approval or rejection."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from saas.errors import ApplicationError, Conflict, ErrorCode, PermissionDenied
from saas.money import check_amount
from tenant_apps.accounts.selectors import users_with_roles
from tenant_apps.audit.services import audit_record
from tenant_apps.notifications.services import notify
from tenant_apps.store.auctions.access import AUCTION_MANAGER_ROLES, can_create_auction, can_manage_auctions
from tenant_apps.store.auctions.locks import auction_lock
from tenant_apps.store.auctions.models import Auction, AuctionStatus
from tenant_apps.store.auctions.services._common import _facts
from tenant_apps.store.catalog.models import Product


def _invalid(field: str, message: str, code: str = ErrorCode.VALIDATION_ERROR) -> ApplicationError:
    return ApplicationError(message, code=code, details={field: [message]})


def auction_create(
    *,
    seller: Any,
    title: str,
    starting_price: Decimal | str | int,
    min_increment: Decimal | str | int,
    starts_at: datetime,
    ends_at: datetime,
    description: str = "",
    product: Product | None = None,
) -> Auction:
    """A seller's new auction, ``pending`` until an admin decides (admins are notified).

    Amounts are in the site's currency (``settings.DEFAULT_CURRENCY``), checked by
    ``saas.money.check_amount``; ``starts_at``/``ends_at`` are aware date-times (UTC stored),
    ``ends_at`` after both ``starts_at`` and now. ``product``, when given, is one of the seller's.

    Raises ``ApplicationError``: ``permission_denied`` (403, not a seller), ``validation_error``
    (400: empty title, naive or inverted times, an end in the past), ``invalid_amount`` (400),
    ``invalid_product`` (400, not the seller's product).
    """
    if not can_create_auction(seller):
        raise PermissionDenied("Only sellers can create auctions.")
    title = (title or "").strip()
    if not title:
        raise _invalid("title", "Give the auction a title.")
    currency = settings.DEFAULT_CURRENCY
    start_amount = check_amount(starting_price, currency, field="starting_price")
    increment = check_amount(min_increment, currency, field="min_increment")
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise _invalid("starts_at", "Times need a time zone.")
    if ends_at <= starts_at:
        raise _invalid("ends_at", "The auction must end after it starts.")
    if ends_at <= timezone.now():
        raise _invalid("ends_at", "The auction must end in the future.")
    if product is not None and product.seller_id != seller.pk:
        raise _invalid("product", "Only your own products can be auctioned.", code=ErrorCode.INVALID_PRODUCT)
    with transaction.atomic():
        auction = Auction.objects.create(
            seller=seller,
            product=product,
            title=title[:200],
            description=(description or "").strip(),
            currency=currency,
            starting_price=start_amount,
            min_increment=increment,
            starts_at=starts_at,
            ends_at=ends_at,
        )
        facts = _facts(auction)
        audit_record(actor=seller, verb="auction.created", target=auction, changes=facts)
        for manager in users_with_roles(*AUCTION_MANAGER_ROLES, exclude=seller.pk):
            notify(recipient=manager, verb="auction_submitted", target=auction, extra_data=facts)
    return auction


def _decidable(auction: Auction, action: str) -> Auction:
    """Lock ``auction``; refuse unless it is ``pending``."""
    locked = auction_lock(auction.pk)
    if locked.status != AuctionStatus.PENDING:
        raise Conflict(
            f"An auction that is {locked.status} cannot be {action}.",
            code=ErrorCode.INVALID_STATUS_TRANSITION,
            details={"status": locked.status, "allowed_from": [AuctionStatus.PENDING]},
        )
    return locked


def auction_approve(*, auction: Auction, actor: Any) -> Auction:
    """An admin approves a ``pending`` auction: ``scheduled`` (live from ``starts_at`` to
    ``ends_at``); the seller is notified (``auction_approved``).

    Raises ``ApplicationError``: ``permission_denied`` (403), ``invalid_status_transition`` (409:
    not pending, or its end has passed already).
    """
    if not can_manage_auctions(actor):
        raise PermissionDenied("Only admins approve auctions.")
    with transaction.atomic():
        auction = _decidable(auction, "approved")
        if auction.ends_at <= timezone.now():
            raise Conflict(
                "This auction's end has passed; it cannot be approved.",
                code=ErrorCode.INVALID_STATUS_TRANSITION,
                details={"ends_at": auction.ends_at.isoformat()},
            )
        auction.status = AuctionStatus.SCHEDULED
        auction.decided_by = actor
        auction.decided_at = timezone.now()
        auction.save(update_fields=["status", "decided_by", "decided_at"])
        facts = _facts(auction)
        audit_record(actor=actor, verb="auction.approved", target=auction, changes=facts)
        notify(recipient=auction.seller, verb="auction_approved", target=auction, extra_data=facts)
    return auction


def auction_reject(*, auction: Auction, actor: Any, reason: str) -> Auction:
    """An admin rejects a ``pending`` auction with ``reason``, which the seller is shown
    (``auction_rejected``).

    Raises ``ApplicationError``: ``validation_error`` (400, no reason), ``permission_denied``
    (403), ``invalid_status_transition`` (409, not pending).
    """
    if not can_manage_auctions(actor):
        raise PermissionDenied("Only admins reject auctions.")
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", "Give the reason for the rejection.")
    with transaction.atomic():
        auction = _decidable(auction, "rejected")
        auction.status = AuctionStatus.REJECTED
        auction.rejection_reason = reason
        auction.decided_by = actor
        auction.decided_at = timezone.now()
        auction.save(update_fields=["status", "rejection_reason", "decided_by", "decided_at"])
        facts = {**_facts(auction), "reason": reason}
        audit_record(actor=actor, verb="auction.rejected", target=auction, changes=facts)
        notify(recipient=auction.seller, verb="auction_rejected", target=auction, extra_data=facts)
    return auction
