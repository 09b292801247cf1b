"""Row locks of the writing loyalty app (see ``docs/architecture.md``, "Locks in one order").

* Every change of a client's points locks their **account** (``account_lock``): the balance and
  the lots' ``remaining`` are read and written under it, so two redemptions of one balance queue
  up and the second sees what the first left (the balance's check constraint is the backstop).
* The account is locked **after** the order (earning on ``order_completed``, taking back on
  ``order_refunded``: the orders services hold the invoice, the order and, for a refund, the
  client's wallet) and **after** a discount (placement: ``discounts.locks.discount_lock`` first).
* Redeeming for wallet credit locks the client's **wallet first** (``wallet.locks.wallets_lock``),
  then the account, so it queues up behind a refund that holds that wallet while it takes points
  back (the refund's order: wallet, then account), never the other way round.
* The settings row (``settings_lock``) is taken alone.
"""

from __future__ import annotations

from tenant_apps.writing.loyalty.models import LoyaltyAccount, LoyaltySettings


def account_lock(pk: int) -> LoyaltyAccount:
    """The loyalty account ``pk``, locked until the transaction ends (call inside
    ``transaction.atomic``); ``LoyaltyAccount.DoesNotExist`` when missing."""
    return LoyaltyAccount.objects.select_for_update(no_key=True, of=("self",)).select_related("user").get(pk=pk)


def settings_lock() -> LoyaltySettings:
    """The settings row (``pk=1``), locked until the transaction ends; ``services`` creates it first."""
    return LoyaltySettings.objects.select_for_update(no_key=True).get(pk=1)
