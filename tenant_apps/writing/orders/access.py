"""Who may see and do what with writing orders.

| action | who |
| --- | --- |
| place an order, pay it, approve it or ask for a revision | clients (their own orders) |
| see an order | its client; writers: the ``available`` pool and their own; editors: in review and |
|  | reviewed by them; support, admins: all (``orders_visible_to``) |
| see the client's identity | the client, support and admins (``sees_client``); never writers or editors |
| request an order | writers, on an available order |
| assign an order | admins |
| start and submit the work | the assigned writer |
| return or deliver an order in review | editors and admins |
| cancel | the client while unpaid; admins until submitted |
| dispute a delivered order | its client |
| resolve a dispute; refund a cancelled or disputed paid order | admins |
| see an order's refunds | its client, support and admins (``can_view_refunds``) |
| change the order settings | admins |

One order is fetched by ``access_order``, which answers a hidden order like a missing one (404).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from saas.errors import NotFound
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.kinds import ADMIN
from tenant_apps.writing.kind import CLIENT, EDITOR, SUPPORT, WRITER
from tenant_apps.writing.orders.models import Order, OrderStatus

#: The object permission the client, the writer and the editor of an order hold on it (guardian).
VIEW_ORDER = "writing_orders.view_order"

#: Roles that see every order with its client.
STAFF_ROLES: tuple[str, ...] = (ADMIN, SUPPORT)
#: Roles that place orders.
CLIENT_ROLES: tuple[str, ...] = (CLIENT,)
#: Roles that request and write orders.
WRITER_ROLES: tuple[str, ...] = (WRITER,)
#: Roles that review orders.
EDITOR_ROLES: tuple[str, ...] = (EDITOR,)
#: Roles that assign writers, cancel paid orders and change the order settings.
ADMIN_ROLES: tuple[str, ...] = (ADMIN,)


def _has(user: Any, roles: tuple[str, ...]) -> bool:
    return bool(user is not None and user.is_authenticated and user_has_role(user, *roles))


def can_place_order(user: Any) -> bool:
    """Whether ``user`` may place orders (clients)."""
    return _has(user, CLIENT_ROLES)


def is_writer(user: Any) -> bool:
    """Whether ``user`` holds the writer role."""
    return _has(user, WRITER_ROLES)


def is_editor(user: Any) -> bool:
    """Whether ``user`` holds the editor role (or is an admin, who may review too)."""
    return _has(user, (*EDITOR_ROLES, ADMIN))


def is_order_admin(user: Any) -> bool:
    """Whether ``user`` is an admin of the site."""
    return _has(user, ADMIN_ROLES)


def is_order_staff(user: Any) -> bool:
    """Whether ``user`` sees every order with its client (admin, support)."""
    return _has(user, STAFF_ROLES)


def grant_party(user: Any, order: Order) -> None:
    """Give ``user`` (the order's client, writer or editor) guardian ``view_order`` on ``order``
    (idempotent). Call inside the service's transaction."""
    assign_perm(VIEW_ORDER, user, order)


def revoke_party(user: Any, order: Order) -> None:
    """Take ``view_order`` on ``order`` away from ``user`` (a writer it was taken from)."""
    remove_perm(VIEW_ORDER, user, order)


def orders_visible_to(user: Any) -> QuerySet[Order]:
    """The orders ``user`` may see: all for admins and support; else those guardian grants them
    ``view_order`` on (their own as client, their assignments as writer, those they reviewed as
    editor), plus the ``available`` pool for writers and the review queue for editors.
    Anonymous and inactive users: none."""
    orders = Order.objects.all()
    if user is None or not user.is_authenticated or not user.is_active:
        return orders.none()
    if user_has_role(user, *STAFF_ROLES):
        return orders
    granted = get_objects_for_user(
        user, VIEW_ORDER, klass=Order.objects.all(), use_groups=False, with_superuser=False, accept_global_perms=False
    )
    scope = Q(pk__in=granted.values("pk"))
    if user_has_role(user, *WRITER_ROLES):
        scope |= Q(status=OrderStatus.AVAILABLE)
    if user_has_role(user, *EDITOR_ROLES):
        scope |= Q(status=OrderStatus.IN_REVIEW)
    return orders.filter(scope)


def sees_client(user: Any, order: Order) -> bool:
    """Whether ``user`` sees who ``order``'s client is: the client, support and admins. Writers
    and editors never do (the marketplace keeps the client anonymous to them)."""
    return bool(user is not None and user.is_authenticated and (user.pk == order.client_id or is_order_staff(user)))


def can_view_refunds(user: Any, order: Order) -> bool:
    """Whether ``user`` sees ``order``'s refunds (amounts and reasons): whoever sees its client
    (``sees_client``: the client, support and admins); not its writer or editor."""
    return sees_client(user, order)


def can_link_ticket(user: Any, order: Order) -> bool:
    """Whether ``user`` may open a ticket about ``order``: whoever sees it."""
    return orders_visible_to(user).filter(pk=order.pk).exists()


def access_order(*, user: Any, pk: Any) -> Order:
    """The order ``pk`` if ``user`` may see it (``orders_visible_to``), with its options, people
    and invoice. Raises ``NotFound`` (404) for a missing and a hidden order alike."""
    from tenant_apps.writing.orders import selectors  # the order's shape; selectors import this module

    order = selectors.with_details(orders_visible_to(user)).filter(pk=pk).first()
    if order is None:
        raise NotFound("No such order.")
    return order
