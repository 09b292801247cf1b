"""Row locks of the accounts app (docs/architecture.md, "Locks in one order").

* Users: one user, and the site's active admins (so two requests cannot demote the last two admins
  at once). Taken before any other app's rows.
* One-time codes: the address a code is requested for (an advisory lock: the rate limit counts rows
  that may not exist yet), and the latest unconsumed code of an address (a guess and the code it
  is checked against). The transactions that take these take no other lock.
* The site's sign-in settings row (``auth_settings_lock``), taken alone.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet

from tenant_apps.accounts.models import AuthSettings, OneTimeCode, User
from tenant_apps.kinds import ADMIN


def user_lock(pk: int) -> User:
    """The user row, locked until the transaction ends (call inside ``transaction.atomic``).

    Raises ``User.DoesNotExist`` when there is no such user.
    """
    return User.objects.select_for_update(no_key=True).get(pk=pk)


def active_admins_lock() -> QuerySet[User]:
    """The site's active admins, locked when evaluated (inside a transaction)."""
    return User.objects.select_for_update(no_key=True).filter(groups__name=ADMIN, is_active=True)


def otp_address_lock(address: str) -> None:
    """Hold the transaction-scoped advisory lock of one-time-code ``address`` (canonical form) until
    the transaction ends, so that requests for one address count its recent codes one after the
    other (call inside ``transaction.atomic``). The key is a hash of the address: two addresses
    may, rarely, share one and wait for each other, which is slower, never wrong."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"otp:{address}"])


def otp_latest_lock(address: str) -> OneTimeCode | None:
    """The newest unconsumed code of ``address``, locked until the transaction ends (call inside
    ``transaction.atomic``); ``None`` when it has none.

    A concurrent guess at the same code waits here and then reads the committed attempt count and
    consumption (a code consumed meanwhile no longer matches and the next older one is read).
    """
    return (
        OneTimeCode.objects.select_for_update(no_key=True)
        .filter(address=address, consumed_at__isnull=True)
        .order_by("-created_at", "-id")
        .first()
    )


def auth_settings_lock() -> AuthSettings:
    """The site's sign-in settings row (``pk=1``, created with the defaults if missing), locked
    until the transaction ends (call inside ``transaction.atomic``; it takes no other lock).

    Two first changes racing to create the row meet at its primary key: the loser's
    ``IntegrityError`` is a 409 ``conflict`` (``saas/api/errors.py``); retrying succeeds.
    """
    AuthSettings.objects.get_or_create(pk=1)
    return AuthSettings.objects.select_for_update(no_key=True).get(pk=1)
