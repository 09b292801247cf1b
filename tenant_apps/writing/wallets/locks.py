"""Row locks of the writing wallets app (see ``docs/architecture.md``, "Locks in one order").

* A top-up is created with its invoice (the invoice counter); ``invoice_paid`` reaches
  ``top_up_credit`` with the **invoice** locked by the payment, which then locks the **top-up**
  (``top_up_lock``), then the client's wallet (inside the wallet services, last).
* A payout request is created with its wallet movement (the wallet is locked by the wallet
  services). Every decision on an existing request (approve, reject, mark paid) locks the
  **request** first (``payout_lock``), then its writer's wallet: two admins deciding one request
  at once queue up, and the second sees the first's decision.
"""

from __future__ import annotations

from tenant_apps.writing.wallets.models import PayoutRequest, WalletTopUp


def top_up_lock(pk: int) -> WalletTopUp:
    """The top-up row, locked until the transaction ends (call inside ``transaction.atomic``,
    after its invoice's ``invoice_lock``), with its client; ``WalletTopUp.DoesNotExist`` when missing."""
    return WalletTopUp.objects.select_for_update(no_key=True, of=("self",)).select_related("client").get(pk=pk)


def payout_lock(pk: int) -> PayoutRequest:
    """The payout request row, locked until the transaction ends (call inside
    ``transaction.atomic``, before any wallet lock), with its writer; ``PayoutRequest.DoesNotExist``
    when missing."""
    return PayoutRequest.objects.select_for_update(no_key=True, of=("self",)).select_related("writer").get(pk=pk)
