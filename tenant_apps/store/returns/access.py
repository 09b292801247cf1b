"""Who may see and do what with returns (store roles, ``tenant_apps/store/kind.py``).

| action | who |
| --- | --- |
| request a return | the buyer of a ``delivered`` or ``completed`` order (their own) |
| see a return | its buyer; a seller of one of its items (only their items); the order's courier; admin |
| record receipt, inspection | the delivery user holding the order; admin |
| approve, reject | admin |

Reads start from ``returns_visible_to``; one return is fetched by ``access_return`` (checked against
it), which raises ``NotFound`` (404 ``not_found``) alike for a missing and a hidden return. Someone
who sees a return but may not act on it gets ``PermissionDenied`` (403) from the ``ensure_*`` rules.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from saas.errors import NotFound, PermissionDenied
from tenant_apps.store.orders.access import can_see_all_orders
from tenant_apps.store.orders.models import Order
from tenant_apps.store.returns.models import ReturnItem, ReturnRequest


def _signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_decide_returns(user: Any) -> bool:
    """Whether ``user`` may approve or reject returns (admin)."""
    return _signed_in(user) and can_see_all_orders(user)


def can_handle_return(user: Any, return_request: ReturnRequest) -> bool:
    """Whether ``user`` may record receipt and inspection of ``return_request``: the delivery user
    holding its order, or admin."""
    if not _signed_in(user):
        return False
    return user.pk == return_request.order.delivery_user_id or can_decide_returns(user)


def sees_whole_return(user: Any, return_request: ReturnRequest) -> bool:
    """Whether ``user`` sees every item of ``return_request``: its buyer, the delivery user holding
    the order, admin. A seller who is none of these sees only their own items."""
    if not _signed_in(user):
        return False
    return user.pk in (return_request.buyer_id, return_request.order.delivery_user_id) or can_decide_returns(user)


def returns_visible_to(user: Any) -> QuerySet[ReturnRequest]:
    """Returns ``user`` may see: admin all; anyone else those they asked for, those of orders they
    hold as delivery user, and those with an item they sell (one queryset, no duplicates)."""
    if not _signed_in(user):
        return ReturnRequest.objects.none()
    if can_decide_returns(user):
        return ReturnRequest.objects.all()
    selling = ReturnItem.objects.filter(order_item__seller_id=user.pk).values("return_request_id")
    return ReturnRequest.objects.filter(Q(buyer_id=user.pk) | Q(order__delivery_user_id=user.pk) | Q(pk__in=selling))


def access_return(*, user: Any, pk: Any) -> ReturnRequest:
    """The return ``pk`` if ``user`` may see it (``returns_visible_to``), with its order and items.

    Raises ``NotFound`` (404 ``not_found``) for an unknown and a hidden return alike. No ``lock``:
    services lock the order and the return themselves (``locks.py``) and check again under them.
    """
    from tenant_apps.store.returns import selectors  # the return's shape; selectors import this module

    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound("No such return.") from None
    found = selectors.with_details(returns_visible_to(user)).filter(pk=key).first()
    if found is None:
        raise NotFound("No such return.")
    return found


def ensure_can_handle_return(user: Any, return_request: ReturnRequest) -> None:
    """``PermissionDenied`` (403) unless ``user`` may record receipt and inspection (``can_handle_return``)."""
    if not can_handle_return(user, return_request):
        raise PermissionDenied("Only the delivery user holding the order, or an admin, handles this return.")


def ensure_can_decide_returns(user: Any) -> None:
    """``PermissionDenied`` (403) unless ``user`` is an admin (``can_decide_returns``)."""
    if not can_decide_returns(user):
        raise PermissionDenied("Only an admin approves or rejects returns.")


def returnable_order(*, user: Any, pk: Any) -> Order:
    """The order ``pk`` if ``user`` bought it; ``NotFound`` (404) otherwise (someone else's order
    answers like a missing one). Whether it may be returned now is the service's check."""
    order = Order.objects.filter(pk=pk, buyer_id=getattr(user, "pk", None)).first() if _signed_in(user) else None
    if order is None:
        raise NotFound("No such order of yours.")
    return order
