"""Writes of the writing wallets app, in the current writing site's schema: ``top_ups`` (a client
buys wallet credit by card) and ``payouts`` (a writer asks for their balance, admins decide),
sharing ``_common``. Every function is keyword-only and atomic, and audits each change."""

from tenant_apps.writing.wallets.services._common import payout_minimum, top_up_limits
from tenant_apps.writing.wallets.services.payouts import (
    payout_approve,
    payout_mark_paid,
    payout_reject,
    payout_request,
)
from tenant_apps.writing.wallets.services.top_ups import TopUpCheckout, top_up_credit, top_up_start

__all__ = [
    "TopUpCheckout",
    "payout_approve",
    "payout_mark_paid",
    "payout_minimum",
    "payout_reject",
    "payout_request",
    "top_up_credit",
    "top_up_limits",
    "top_up_start",
]
