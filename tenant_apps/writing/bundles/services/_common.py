"""What the bundles services share: the logger, what they say of a purchase, and notifying."""

from __future__ import annotations

import logging
from typing import Any

from saas.errors import ApplicationError, ErrorCode
from tenant_apps.notifications.services import notify
from tenant_apps.writing.bundles.models import BundlePurchase

logger = logging.getLogger("tenant_apps.writing.bundles")


def field_error(field: str, message: str) -> ApplicationError:
    """A 400 ``validation_error`` naming ``field``."""
    return ApplicationError(message, code=ErrorCode.VALIDATION_ERROR, details={field: [message]})


def purchase_facts(purchase: BundlePurchase) -> dict[str, Any]:
    """What a notification or audit row says about ``purchase`` (safe for its client)."""
    return {
        "purchase": purchase.pk,
        "bundle": purchase.bundle_id,
        "unit": purchase.unit,
        "quantity": purchase.quantity,
        "remaining": purchase.remaining,
        "price": str(purchase.price),
        "currency": purchase.currency,
        "status": purchase.status,
        "expires_at": purchase.expires_at.isoformat() if purchase.expires_at else None,
    }


def notify_client(purchase: BundlePurchase, *, verb: str, **extra: Any) -> None:
    """Notify the purchase's client of ``verb`` (its facts plus ``extra``)."""
    notify(recipient=purchase.client, verb=verb, target=purchase, extra_data={**purchase_facts(purchase), **extra})
