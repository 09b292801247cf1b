"""Row locks of the writing fines app (see ``docs/architecture.md``, "Locks in one order").

A writer's fines are changed under **their wallet's lock first, then the fines' rows**:

* the deduction at an order's completion runs in the ``order_completed`` receiver, inside the
  completion's transaction, which has already locked the writer's wallet to credit the earning
  (the order's invoice, the order, the wallet); so whatever else changes a fine takes the wallet
  first as well (``writer_fines_lock``, ``fine_lock``), and no two transactions wait for each
  other the other way round. This is the one place fines sit after wallets in the lock order:
  the signal is sent after the earning is credited.
* an appeal's decision locks the fine (``fine_lock``: wallet, fine), then its appeal row:
  of two decisions at once the second waits and sees the first (409), and a decision and a
  deduction never both act on what they read before the other committed.
* the settings row (``settings_lock``) is taken alone.
"""

from __future__ import annotations

from typing import Any

from tenant_apps.wallet.locks import wallets_lock
from tenant_apps.wallet.models import Wallet
from tenant_apps.writing.fines.models import Fine, FineAppeal, FineSettings, FineStatus


def _writer_wallet_lock(writer: Any) -> Wallet:
    from tenant_apps.wallet.services import wallet_open

    wallet = wallet_open(user=writer)
    return wallets_lock(wallet_ids=[wallet.pk])[wallet.pk]


def writer_fines_lock(writer: Any) -> tuple[Wallet, list[Fine]]:
    """Lock ``writer``'s wallet (opened if need be), then their outstanding fines (primary-key
    order, with their orders); returns ``(wallet, fines)``, freshly read. Call inside
    ``transaction.atomic``."""
    wallet = _writer_wallet_lock(writer)
    fines = list(
        Fine.objects.select_for_update(no_key=True, of=("self",))
        .select_related("order")
        .filter(writer_id=writer.pk, status=FineStatus.OUTSTANDING)
        .order_by("pk")
    )
    return wallet, fines


def fine_lock(pk: int) -> tuple[Wallet, Fine]:
    """Lock fine ``pk``'s writer's wallet, then the fine; returns ``(wallet, fine)`` (the fine
    with its writer and order, freshly read). ``Fine.DoesNotExist`` when missing. Call inside
    ``transaction.atomic``."""
    writer = Fine.objects.select_related("writer").get(pk=pk).writer
    wallet = _writer_wallet_lock(writer)
    fine = Fine.objects.select_for_update(no_key=True, of=("self",)).select_related("writer", "order").get(pk=pk)
    return wallet, fine


def appeal_lock(fine_id: int) -> FineAppeal | None:
    """The appeal of fine ``fine_id`` locked (after ``fine_lock``), or ``None`` when it has none."""
    return FineAppeal.objects.select_for_update(no_key=True).filter(fine_id=fine_id).first()


def settings_lock() -> FineSettings:
    """The settings row (``pk=1``), locked until the transaction ends; ``services`` creates it first."""
    return FineSettings.objects.select_for_update(no_key=True).get(pk=1)
