"""Store settings, seller points and ranks, buyer profiles: the services other store apps call.

* ``store_settings()`` reads the site's settings row (``pk=1``), creating it with the defaults of
  ``models`` on first use.
* ``seller_points_change`` is the only way points move: under the account's row lock, one
  ``PointsEntry`` per change, idempotent by ``reference``, never below zero (deductions are
  capped at what the seller has: a penalty cannot take more points than they hold).
* ``seller_rank(points)`` is the highest rank whose threshold the points reach (settings' ``ranks``);
  ``brands_unlocked(seller)`` whether it reaches the settings' ``brand_rank``.
* ``store_settings_update`` is the admin's edit of the settings, ranks validated by ``validate_ranks``.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from saas.errors import ApplicationError, ErrorCode, PermissionDenied
from tenant_apps.audit.diff import apply_changes
from tenant_apps.audit.services import audit_record
from tenant_apps.store.shop.access import can_manage_store_settings
from tenant_apps.store.shop.locks import seller_account_lock, store_settings_lock
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


def seller_points(seller: Any) -> int:
    """``seller``'s points (0 without an account; reads never open one)."""
    return int(SellerAccount.objects.filter(seller_id=seller.pk).values_list("points", flat=True).first() or 0)


def brands_unlocked(seller: Any, *, settings_row: StoreSettings | None = None) -> bool:
    """Whether ``seller``'s rank unlocks brands: ``rank_allows(seller_rank(points), brand_rank)``."""
    row = settings_row or store_settings()
    return rank_allows(seller_rank(seller_points(seller), settings_row=row), row.brand_rank, settings_row=row)


def next_rank(points: int, *, settings_row: StoreSettings | None = None) -> tuple[str, int] | None:
    """The lowest rank above what ``points`` reach, with its threshold; ``None`` at the top."""
    ranks = (settings_row or store_settings()).ranks or {}
    above = sorted((int(minimum), name) for name, minimum in ranks.items() if int(minimum) > points)
    return (above[0][1], above[0][0]) if above else None


def validate_ranks(ranks: Any, brand_rank: str) -> dict[str, int]:
    """``ranks`` checked as ``{name: minimum points}`` (names 1-32 characters, non-negative whole
    numbers, at least one rank, thresholds distinct) with ``brand_rank`` among the names.

    Raises ``ApplicationError`` ``validation_error`` (400) naming ``ranks`` or ``brand_rank``.
    """
    if not isinstance(ranks, dict) or not ranks:
        raise _settings_error("ranks", 'An object of rank names to minimum points, e.g. {"bronze": 50}.')
    clean: dict[str, int] = {}
    for name, minimum in ranks.items():
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > 32:
            raise _settings_error("ranks", "Rank names have 1 to 32 characters.")
        if isinstance(minimum, bool) or not isinstance(minimum, int) or not 0 <= minimum <= 2**31 - 1:
            raise _settings_error("ranks", f"The minimum points of {name.strip()!r} must be a whole number >= 0.")
        clean[name.strip()] = minimum
    if len(clean) != len(ranks) or len(set(clean.values())) != len(clean):
        raise _settings_error("ranks", "Rank names and thresholds must be distinct.")
    if brand_rank not in clean:
        raise _settings_error("brand_rank", f"Must be one of the ranks: {', '.join(sorted(clean))}.")
    return dict(sorted(clean.items(), key=lambda item: item[1]))


def _settings_error(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, code=ErrorCode.VALIDATION_ERROR, details={field: [message]})


#: The settings an admin may change through ``store_settings_update``.
SETTINGS_FIELDS = (
    "commission_percent",
    "completion_wait_days",
    "return_window_days",
    "anti_sniping_seconds",
    "points_per_order",
    "ranks",
    "brand_rank",
)


def store_settings_update(*, actor: Any, **fields: Any) -> StoreSettings:
    """Change the store's settings (admin): any of ``SETTINGS_FIELDS``; ``commission_percent`` a
    ``Decimal`` 0-100, the day, second and point counts whole numbers >= 0 (the serializer bounds
    them), ``ranks``/``brand_rank`` checked together by ``validate_ranks`` against the values they
    will have (under the settings' row lock, so two edits cannot leave ``brand_rank`` naming a rank
    the other removed).

    Raises ``permission_denied`` (403), ``validation_error`` (400).
    """
    if not can_manage_store_settings(actor):
        raise PermissionDenied("Your role does not allow this action.")
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"unknown settings fields: {sorted(unknown)}")
    store_settings()  # the row exists before it is locked
    with transaction.atomic():
        row = store_settings_lock()
        if "ranks" in fields or "brand_rank" in fields:
            fields["ranks"] = validate_ranks(fields.get("ranks", row.ranks), fields.get("brand_rank", row.brand_rank))
        changed = apply_changes(row, fields)
        if changed:
            row.save(update_fields=[*changed, "updated_at"])
            audit_record(actor=actor, verb="store.settings_updated", target=row, changes=changed)
    return row
