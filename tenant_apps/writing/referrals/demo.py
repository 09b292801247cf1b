"""Demo data of the writing referrals app (``tenant_apps/writing/demo.py`` calls ``seed``).

Referral codes for the demo clients (``client@``, ``client2@``), and ``client2@`` referred by
``client@`` through the claim service. Call it after the writer levels and BEFORE the demo's
orders: then ``client2@``'s order completing (``completed2``) lands the reward on both wallets
through the ``order_completed`` receiver, as on a real site. Called once ``client2@`` has a
completed order, the claim is refused by the rules (``order_completed``) and she stays
unreferred. Idempotent: a second call adds nothing.
"""

from __future__ import annotations

from typing import Any


def seed(people: dict[str, Any]) -> None:
    """Codes for ``people["client"]`` and ``people["client2"]``; ``client2`` claims ``client``'s
    code when the rules allow it (not referred yet, no completed order). Through the services."""
    from tenant_apps.writing.orders.models import Order, OrderStatus
    from tenant_apps.writing.referrals.models import Referral
    from tenant_apps.writing.referrals.services import referral_claim, referral_code_for

    referrer, referred = people["client"], people["client2"]
    code = referral_code_for(user=referrer)
    referral_code_for(user=referred)
    if Referral.objects.filter(referred=referred).exists():
        return
    if Order.objects.filter(client=referred, status=OrderStatus.COMPLETED).exists():
        return
    referral_claim(user=referred, code=code.code)
