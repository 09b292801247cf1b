"""What a tenant app may ask the platform's billing: the one named interface to ``shared_apps/billing``.

Tenant apps never import ``shared_apps.billing``; they call these, which read the current
tenant's billing account (public schema) through the connection's ``search_path``:

* ``plan_slot(limit, adding=1)``: inside the caller's ``transaction.atomic()``, before creating
  what ``limit`` counts (a user, a file, a product...), take the tenant's lock on that limit
  and refuse with 403 ``plan_limit_reached`` when the plan would be exceeded; two creations
  racing for the last slot: one wins.
* ``stripe_connection()``: the Stripe account the current site's card payments are charged
  for (its Connect account) and the platform's application fee, or ``None`` when they go to the
  platform's own account; raises when they may not be taken at all.

Both are implemented in ``shared_apps/billing`` (``limits.py``, ``connect.py``) and imported here
lazily, so loading a tenant app never loads the platform's apps.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


def plan_slot(limit: str, *, adding: int = 1) -> None:
    """Hold the current tenant's ``limit`` for the caller's transaction and check there is room
    for ``adding`` more (in the limit's unit: accounts, bytes for ``storage_mb``, rows...).

    Call it inside ``transaction.atomic()``, before the insert it guards: it takes a
    transaction-scoped advisory lock on (tenant, limit), so a second creation waits until the
    first commits and then counts it. A tenant without a plan, or whose plan does not set
    ``limit``, is not limited (the lock is still taken).

    Raises ``saas.errors.PermissionDenied`` with code ``plan_limit_reached`` (403) and
    ``details={"limit": name, "allowed": n, "usage": n}`` when usage + ``adding`` would exceed it.
    """
    from shared_apps.billing.limits import plan_slot as _plan_slot

    _plan_slot(limit, adding=adding)


@dataclass(frozen=True)
class StripeConnection:
    """Where a site's card payment goes: the connected account ``account_id`` (``acct_...``) and
    the platform's cut, ``application_fee_percent`` (a ``Decimal`` from 0 to 100) of each amount."""

    account_id: str
    application_fee_percent: Decimal


def stripe_connection() -> StripeConnection | None:
    """The current site's Stripe Connect account, or ``None`` when its card payments are charged
    on the platform's own account (the site has not connected one and
    ``STRIPE_CONNECT_PLATFORM_FALLBACK`` allows it).

    Raises ``saas.errors.Conflict`` with code ``stripe_account_not_connected`` (409) when the site
    has no connected account able to take charges and the fallback is off.
    """
    from shared_apps.billing.connect import stripe_connection as _stripe_connection

    return _stripe_connection()
