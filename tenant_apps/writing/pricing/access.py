"""Who may see and do what with order options and pricing (writing roles, ``tenant_apps/writing/kind.py``).

| action | who |
| --- | --- |
| list active order options and extra services; ask for a quote | anyone, signed in or not |
| list retired ones too; create, change, retire options and extra services | admin |
| read and change the pricing settings and the page-rate table | admin |

An option or extra service a user may not see (a retired one, for anyone but an admin) answers
404, exactly like a missing one (``access_order_option``, ``access_extra_service``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from saas.errors import NotFound
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.accounts.roles import ADMIN
from tenant_apps.writing.pricing.models import ExtraService, OrderOption, PageRate

#: Manage the options, the rate table, the extra services and the pricing settings.
PRICING_ADMIN_ROLES: tuple[str, ...] = (ADMIN,)


def can_manage_pricing(user: Any) -> bool:
    """Whether ``user`` manages the site's options and pricing (an active admin)."""
    active = bool(user is not None and user.is_authenticated and user.is_active)
    return active and user_has_role(user, *PRICING_ADMIN_ROLES)


def order_options_visible_to(user: Any) -> QuerySet[OrderOption]:
    """Options ``user`` may see: admin every one, anyone else the active ones."""
    options = OrderOption.objects.all()
    return options if can_manage_pricing(user) else options.filter(is_active=True)


def extra_services_visible_to(user: Any) -> QuerySet[ExtraService]:
    """Extra services ``user`` may see: admin every one, anyone else the active ones."""
    extras = ExtraService.objects.all()
    return extras if can_manage_pricing(user) else extras.filter(is_active=True)


def access_order_option(*, user: Any, pk: Any) -> OrderOption:
    """The option ``pk`` if ``user`` may see it; ``NotFound`` (404) otherwise."""
    option = order_options_visible_to(user).filter(pk=pk).first()
    if option is None:
        raise NotFound("No such order option.")
    return option


def access_extra_service(*, user: Any, pk: Any) -> ExtraService:
    """The extra service ``pk`` if ``user`` may see it; ``NotFound`` (404) otherwise."""
    extra = extra_services_visible_to(user).filter(pk=pk).first()
    if extra is None:
        raise NotFound("No such extra service.")
    return extra


def access_page_rate(*, user: Any, pk: Any) -> PageRate:
    """The page rate ``pk`` for an admin; ``NotFound`` (404) for anyone else or a missing one
    (the views refuse non-admins with 403 first)."""
    rate = PageRate.objects.select_related("academic_level").filter(pk=pk).first() if can_manage_pricing(user) else None
    if rate is None:
        raise NotFound("No such page rate.")
    return rate
