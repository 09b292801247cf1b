"""Row locks of the writing referrals app (see ``docs/architecture.md``, "Locks in one order").

* ``referral_lock``: one referral row, taken by the ``order_completed`` receiver inside the
  completion's transaction, after the order's invoice and the order
  (``orders.locks.order_with_invoice_lock``) and before the two wallets it credits
  (``wallet.locks.wallets_lock``, primary-key order) or, for a points reward, the two loyalty
  accounts it awards (``loyalty.locks.account_lock``, primary-key order). Two first orders of the referred client
  completing at once queue up on it: the second reads the first's ``rewarded`` and does nothing
  (``tests/tenant_apps/writing/referrals/test_reward_race.py``).
* A claim locks nothing: the referral's unique ``referred`` decides between two claims at once
  (the loser answers 409 ``referral_refused``), and a code is created once per user by its unique
  ``user`` (a losing ``INSERT`` reads the winner's row).
* The settings row is changed by one conditional ``UPDATE`` of the fields given, so two admins
  changing different fields at once both keep theirs; no lock.
"""

from __future__ import annotations

from tenant_apps.writing.referrals.models import Referral


def referral_lock(pk: int) -> Referral:
    """The referral ``pk`` with its two users, locked until the transaction ends (call inside
    ``transaction.atomic``). Raises ``Referral.DoesNotExist``."""
    return (
        Referral.objects.select_related("referrer", "referred").select_for_update(no_key=True, of=("self",)).get(pk=pk)
    )
