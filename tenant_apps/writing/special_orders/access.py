"""Who may see and do what with special orders.

| action | who |
| --- | --- |
| ask for a special order | clients |
| see a special order | its client; its assigned writer (without the client or the money); support, |
|  | admins: all (``special_orders_visible_to``); editors and other writers: none |
| accept or decline a quote; pay an installment | its client |
| cancel | its client while requested or quoted; admins until completed |
| quote, start, complete | admins |

One special order is fetched by ``access_special_order``, which answers a hidden one like a
missing one (404); a rule on one the user sees answers 403 (``transitions.py``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from saas.errors import NotFound
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.kinds import ADMIN
from tenant_apps.writing.kind import CLIENT, SUPPORT, WRITER
from tenant_apps.writing.special_orders.models import SpecialOrder

#: Roles that see every special order with its client and money.
STAFF_ROLES: tuple[str, ...] = (ADMIN, SUPPORT)
#: Roles that ask for special orders.
CLIENT_ROLES: tuple[str, ...] = (CLIENT,)
#: Roles that quote, start, complete and cancel special orders.
ADMIN_ROLES: tuple[str, ...] = (ADMIN,)


def _has(user: Any, roles: tuple[str, ...]) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user_has_role(user, *roles))


def can_request(user: Any) -> bool:
    """Whether ``user`` may ask for a special order (clients)."""
    return _has(user, CLIENT_ROLES)


def is_special_admin(user: Any) -> bool:
    """Whether ``user`` is an admin of the site (quotes, starts, completes, cancels)."""
    return _has(user, ADMIN_ROLES)


def is_special_staff(user: Any) -> bool:
    """Whether ``user`` sees every special order with its client and money (admin, support)."""
    return _has(user, STAFF_ROLES)


def special_orders_visible_to(user: Any) -> QuerySet[SpecialOrder]:
    """The special orders ``user`` may see: all for admins and support; their own for a client;
    those assigned to them for a writer (``writer``); none for anyone else (editors, anonymous,
    inactive users)."""
    orders = SpecialOrder.objects.all()
    if user is None or not user.is_authenticated or not user.is_active:
        return orders.none()
    if user_has_role(user, *STAFF_ROLES):
        return orders
    scope = Q(client=user)
    if user_has_role(user, WRITER):
        scope |= Q(writer=user)
    return orders.filter(scope)


def sees_money(user: Any, special_order: SpecialOrder) -> bool:
    """Whether ``user`` sees ``special_order``'s client, total, plan and invoices: its client,
    support and admins; never its writer."""
    return bool(
        user is not None and user.is_authenticated and (user.pk == special_order.client_id or is_special_staff(user))
    )


def access_special_order(*, user: Any, pk: Any) -> SpecialOrder:
    """The special order ``pk`` if ``user`` may see it (``special_orders_visible_to``), with its
    people and installments. Raises ``NotFound`` (404) for a missing and a hidden one alike."""
    from tenant_apps.writing.special_orders import selectors  # selectors import this module

    found = selectors.with_details(special_orders_visible_to(user)).filter(pk=pk).first()
    if found is None:
        raise NotFound("No such special order.")
    return found
