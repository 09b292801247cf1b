"""Store settings, seller points and ranks, buyer profiles: the services other store apps call.

* ``store_settings()`` reads the site's settings row (``pk=1``), creating it with the defaults of
  ``models`` on first use.
* ``seller_points_change`` is the only way points move: under the account's row lock, one
  ``PointsEntry`` per change, idempotent by ``reference``, never below zero (deductions are
  capped at what the seller has: a penalty cannot take more points than they hold).
* ``seller_rank(points)`` is the highest rank whose threshold the points reach (settings' ``ranks``).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from tenant_apps.audit.services import audit_record
from tenant_apps.store.shop.locks import seller_account_lock
from tenant_apps.store.shop.models import PointsEntry, PointsEntryKind, SellerAccount, StoreProfile, StoreSettings


def store_settings() -> StoreSettings:
    """The site's ``StoreSettings`` (created with the defaults when missing; safe under concurrency)."""
    found = StoreSettings.objects.filter(pk=1).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return StoreSettings.objects.create(pk=1)
    except IntegrityError:
        return StoreSettings.objects.get(pk=1)


def store_profile_of(user: Any) -> StoreProfile | None:
    """``user``'s store profile, or ``None`` (reads never create one)."""
    return StoreProfile.objects.filter(user_id=user.pk).first()


def seller_rank(points: int, *, settings_row: StoreSettings | None = None) -> str | None:
    """The rank ``points`` reach (the highest threshold at most ``points``), ``None`` below all."""
    ranks = (settings_row or store_settings()).ranks or {}
    reached = [(int(minimum), name) for name, minimum in ranks.items() if int(minimum) <= points]
    return max(reached)[1] if reached else None


def rank_allows(rank: str | None, required: str, *, settings_row: StoreSettings | None = None) -> bool:
    """Whether ``rank`` is ``required`` or higher (by threshold) in the settings' ranks."""
    ranks = (settings_row or store_settings()).ranks or {}
    if rank is None or rank not in ranks:
        return False
    return int(ranks[rank]) >= int(ranks.get(required, 0))


def seller_account_open(*, seller: Any) -> SellerAccount:
    """The seller's points account, created at zero points when missing (safe under concurrency)."""
    found = SellerAccount.objects.filter(seller_id=seller.pk).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return SellerAccount.objects.create(seller_id=seller.pk)
    except IntegrityError:
        return SellerAccount.objects.get(seller_id=seller.pk)


def seller_points_change(
    *, seller: Any, delta: int, kind: str, reference: str = "", memo: str = "", actor: Any = None
) -> PointsEntry | None:
    """Add ``delta`` points (negative: deduct) to ``seller``'s account, atomically.

    ``kind`` is a ``PointsEntryKind``. A deduction larger than the seller's points takes what
    they have (the entry records the actual change); a change that would move nothing returns
    ``None``. Repeated with the same ``reference``, returns the first entry and changes nothing.
    """
    if kind not in PointsEntryKind.values:
        raise ValueError(f"unknown points entry kind {kind!r}")
    seller_account_open(seller=seller)
    with transaction.atomic():
        account = seller_account_lock(seller.pk)
        if reference:
            earlier = PointsEntry.objects.filter(account=account, reference=reference).first()
            if earlier is not None:
                return earlier
        applied = max(delta, -account.points)
        if applied == 0:
            return None
        account.points += applied
        account.save(update_fields=["points", "updated_at"])
        entry = PointsEntry.objects.create(
            account=account, kind=kind, delta=applied, points_after=account.points, reference=reference, memo=memo
        )
        audit_record(
            actor=actor, verb="seller.points_changed", target=account, changes={"delta": applied, "kind": kind}
        )
        return entry
