"""What the writing wallets services share: the logger, the amount limits, and notifying."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models

from tenant_apps.notifications.services import notify
from tenant_apps.writing.wallets.models import DEFAULT_PAYOUT_MIN, DEFAULT_TOP_UP_MAX, DEFAULT_TOP_UP_MIN

logger = logging.getLogger("tenant_apps.writing.wallets")


def _setting(name: str, default: Decimal) -> Decimal:
    return Decimal(str(getattr(settings, name, default)))


def top_up_limits() -> tuple[Decimal, Decimal]:
    """The smallest and largest card top-up ``(minimum, maximum)``, in the pricing currency:
    ``settings.WRITING_TOP_UP_MIN`` / ``WRITING_TOP_UP_MAX`` (default 5.00 and 5000.00)."""
    return _setting("WRITING_TOP_UP_MIN", DEFAULT_TOP_UP_MIN), _setting("WRITING_TOP_UP_MAX", DEFAULT_TOP_UP_MAX)


def payout_minimum() -> Decimal:
    """The smallest payout a writer may ask for, in the wallet's currency:
    ``settings.WRITING_PAYOUT_MIN`` (default 10.00)."""
    return _setting("WRITING_PAYOUT_MIN", DEFAULT_PAYOUT_MIN)


def notify_of(target: models.Model, *, recipient: Any, verb: str, facts: dict[str, Any]) -> None:
    """Notify ``recipient`` of ``verb`` about ``target`` (``facts``: safe for them to see)."""
    notify(recipient=recipient, verb=verb, target=target, extra_data=facts)


def notify_admins(target: models.Model, *, verb: str, facts: dict[str, Any], exclude: int | None = None) -> None:
    """Notify every active admin of the site (but ``exclude``) of ``verb`` about ``target``."""
    from tenant_apps.accounts.selectors import users_with_roles
    from tenant_apps.kinds import ADMIN

    for admin in users_with_roles(ADMIN, exclude=exclude):
        notify(recipient=admin, verb=verb, target=target, extra_data=facts)
