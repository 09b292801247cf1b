"""Who may see and do what with auctions and bids (store roles, ``tenant_apps/store/kind.py``).

| who | auctions | bids |
| --- | --- | --- |
| anyone, anonymous included | list and read ``scheduled`` and ``closed`` ones | — |
| ``seller`` | as anyone, plus every one of their own (pending, rejected...); create | never on their own |
| ``customer`` | as anyone | bid on live auctions of others (with a delivery location) |
| ``delivery`` | as anyone | — |
| ``admin`` | every auction; approve, reject, close | — |

Objects a user may not see answer 404 (``access_auction``); actions their role does not allow
on objects they may see answer 403.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from saas.errors import ApplicationError, ErrorCode, NotFound
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.accounts.roles import ADMIN
from tenant_apps.store.auctions.models import Auction, AuctionStatus
from tenant_apps.store.kind import CUSTOMER, SELLER

#: Approve, reject and close auctions; see every auction.
AUCTION_MANAGER_ROLES: tuple[str, ...] = (ADMIN,)
#: Create auctions (of their own items).
AUCTION_SELLER_ROLES: tuple[str, ...] = (SELLER,)
#: Bid.
BIDDER_ROLES: tuple[str, ...] = (CUSTOMER,)
#: The statuses everyone sees.
PUBLIC_STATUSES = (AuctionStatus.SCHEDULED, AuctionStatus.CLOSED)


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_manage_auctions(user: Any) -> bool:
    """Approve, reject, close, and see every auction: ``admin``."""
    return _active(user) and user_has_role(user, *AUCTION_MANAGER_ROLES)


def can_create_auction(user: Any) -> bool:
    """Put an item up for auction: ``seller``."""
    return _active(user) and user_has_role(user, *AUCTION_SELLER_ROLES)


def can_bid(user: Any, auction: Auction) -> bool:
    """Bid on ``auction``: a ``customer`` who is not its seller."""
    return _active(user) and user_has_role(user, *BIDDER_ROLES) and user.pk != auction.seller_id


def auctions_visible_to(user: Any) -> QuerySet[Auction]:
    """The auctions ``user`` (anonymous allowed) may see: every one for admins; ``scheduled`` and
    ``closed`` ones for anyone, plus, for a seller, all of their own."""
    auctions = Auction.objects.all()
    if can_manage_auctions(user):
        return auctions
    visible = Q(status__in=PUBLIC_STATUSES)
    if _active(user):
        visible |= Q(seller_id=user.pk)
    return auctions.filter(visible)


def sees_leader(user: Any, auction: Auction) -> bool:
    """Whether ``user`` sees who leads ``auction`` (by id and name): admins and the leader
    themself; everyone else sees an alias."""
    return can_manage_auctions(user) or (_active(user) and user.pk == auction.leader_id)


def access_auction(*, user: Any, pk: Any) -> Auction:
    """The auction ``pk`` if ``user`` may see it (``auctions_visible_to``), with its shape for
    the API (``selectors.auction_list``).

    Raises ``NotFound`` (404 ``not_found``) for an unknown id, one that is no number, and an
    auction ``user`` may not see alike. No lock: services lock it (``locks.auction_lock``).
    """
    from tenant_apps.store.auctions import selectors  # the answer's shape; selectors import this module

    try:
        key = int(pk)
    except (TypeError, ValueError):
        key = None
    auction = selectors.auction_list(user=user).filter(pk=key).first() if key is not None else None
    if auction is None:
        raise NotFound("No such auction.")
    return auction


def auctionable_product(*, seller: Any, pk: int | None) -> Any:
    """The product ``pk`` of ``seller`` to auction, ``None`` when ``pk`` is ``None``.

    Raises ``ApplicationError`` ``invalid_product`` (400) for a product that does not exist or
    is someone else's (alike: a seller cannot probe others' product ids).
    """
    from tenant_apps.store.catalog.models import Product

    if pk is None:
        return None
    product = Product.objects.filter(pk=pk, seller_id=getattr(seller, "pk", None)).first()
    if product is None:
        raise ApplicationError(
            "No such product of yours.", code=ErrorCode.INVALID_PRODUCT, details={"product": ["Not one of yours."]}
        )
    return product
