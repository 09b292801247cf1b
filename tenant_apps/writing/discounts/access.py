"""Who may see and do what with discounts.

| action | who |
| --- | --- |
| list, create, change, delete discounts and campaigns; see their uses | admins |
| use a code (quote, placement) | clients, on their own orders (``orders.access``) |
| see the running campaigns (name, value, window: not their limits) | everyone, anonymous too |

One discount is fetched by ``access_discount``, which answers a hidden one like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from saas.errors import NotFound
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.kinds import ADMIN
from tenant_apps.writing.discounts.models import Discount

#: Roles that manage discounts.
DISCOUNT_ADMIN_ROLES: tuple[str, ...] = (ADMIN,)


def can_manage_discounts(user: Any) -> bool:
    """Whether ``user`` lists, creates, changes and deletes discounts (admins)."""
    return bool(
        user is not None and user.is_authenticated and user.is_active and user_has_role(user, *DISCOUNT_ADMIN_ROLES)
    )


def discounts_visible_to(user: Any) -> QuerySet[Discount]:
    """The discounts ``user`` may see in full: all for admins, none for anyone else."""
    if can_manage_discounts(user):
        return Discount.objects.all()
    return Discount.objects.none()


def access_discount(*, user: Any, pk: Any) -> Discount:
    """The discount ``pk`` if ``user`` may see it. Raises ``NotFound`` (404) for a missing and a
    hidden discount alike."""
    found = discounts_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise NotFound("No such discount.")
    return found
