"""Writes on loyalty points, in the current writing schema.

**Rules** (issue 14, point 2):

* **Earning**: a client earns points when their order is completed and was paid
  (``order_completed``): ``floor(kept x points_per_unit x (100 + bonus) / 100)``, ``kept`` what the
  client paid and kept (the total less the order's refunds), ``bonus`` the ``bonus_percent`` of the
  client's tier *before* this order counts towards their lifetime spend (a tier is reached by
  spending, and rewards the orders after it). ``kept`` is added to the lifetime spend. Reference
  ``order:<id>:earn``: once per order.
* **Taking back**: a refund of an order that earned points (``order_refunded``) takes back the
  same share of them (``round(earned x refund / total)``, never more than what is left of the
  order's points), and the refund leaves the lifetime spend. The balance never goes below zero:
  what was already spent is recorded as the entry's ``shortfall``.
* **Redeeming**: at least ``minimum_redeem`` points, at most the balance, each worth
  ``point_value`` of the site's pricing currency: for wallet credit (``points_redeem_for_wallet``,
  a ``top_up`` ledger row of the client's wallet, reference ``loyalty:<entry id>:credit``) or at
  checkout (``points_redeem_for_order``, called by ``orders.services.order_place``; given back by
  ``points_restore_for_order`` when the order is cancelled unpaid).
* **Expiry**: credited points expire ``expiry_days`` after they were credited (0: never); spending
  and expiry take the oldest first (``PointsEntry.remaining``), so the balance is always the sum
  of what is left of the credits. ``points_expire_due`` (a beat task) writes the ``expire`` rows.
* **Adjusting**: an admin adds or removes points with a reason (never below zero).

Every change locks the client's account (``locks.account_lock``) inside ``transaction.atomic``;
``reference`` makes each operation idempotent (a repeat returns the first entry; the same
reference for another account or kind is refused, 409 ``duplicate_reference``).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from saas.errors import ApplicationError, Conflict, ErrorCode, PermissionDenied
from saas.money import round_money
from tenant_apps.audit.services import audit_record
from tenant_apps.writing.loyalty.access import can_manage_loyalty, is_member
from tenant_apps.writing.loyalty.locks import account_lock, settings_lock
from tenant_apps.writing.loyalty.models import (
    LoyaltyAccount,
    LoyaltySettings,
    LoyaltyTier,
    PointsEntry,
    PointsKind,
)

HUNDRED = Decimal("100")
#: The most points one operation may move.
MAX_POINTS = 10_000_000
#: The longest reason, in characters.
MAX_REASON = 255
#: The fields ``loyalty_settings_update`` accepts.
SETTINGS_FIELDS = ("points_per_unit", "point_value", "expiry_days", "minimum_redeem", "is_active")


def field_error(field: str, message: str) -> ApplicationError:
    """A 400 ``validation_error`` naming ``field``."""
    return ApplicationError(message, code=ErrorCode.VALIDATION_ERROR, details={field: [message]})


def _points(value: Any, *, field: str = "points", allow_negative: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value == 0 or abs(value) > MAX_POINTS:
        raise field_error(field, f"A whole number of points, not zero, at most {MAX_POINTS}.")
    if value < 0 and not allow_negative:
        raise field_error(field, "A positive number of points.")
    return value


# --- Settings and accounts --------------------------------------------------------------------------


def loyalty_settings() -> LoyaltySettings:
    """The site's ``LoyaltySettings`` (created with the model's defaults when missing; safe under
    concurrency: a losing ``INSERT`` reads the winner's row)."""
    found = LoyaltySettings.objects.filter(pk=1).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return LoyaltySettings.objects.create(pk=1)
    except IntegrityError:
        return LoyaltySettings.objects.get(pk=1)


def loyalty_settings_update(*, actor: Any, changes: dict[str, Any]) -> LoyaltySettings:
    """Change the loyalty settings (admin ``actor``): any of ``SETTINGS_FIELDS``, already typed
    (the serializer checks them: ``points_per_unit`` ``Decimal`` >= 0, ``point_value`` > 0,
    ``expiry_days`` >= 0, ``minimum_redeem`` >= 1, ``is_active``). Under the row's lock, audited
    (``writing.loyalty_settings_updated``). A new rate or value applies from now on: points
    already earned keep their count. Raises ``PermissionDenied`` (403)."""
    from tenant_apps.audit.diff import apply_changes

    if not can_manage_loyalty(actor):
        raise PermissionDenied("Only admins change the loyalty settings.")
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"unknown loyalty settings fields: {sorted(unknown)}")
    loyalty_settings()
    with transaction.atomic():
        row = settings_lock()
        changed = apply_changes(row, changes)
        if changed:
            row.save(update_fields=[*changed, "updated_at"])
            audit_record(actor=actor, verb="writing.loyalty_settings_updated", target=row, changes=changed)
    return row


def account_open(*, user: Any) -> LoyaltyAccount:
    """The loyalty account of ``user``, created empty when missing (safe under concurrency)."""
    found = LoyaltyAccount.objects.filter(user_id=user.pk).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return LoyaltyAccount.objects.create(user=user)
    except IntegrityError:
        return LoyaltyAccount.objects.get(user_id=user.pk)


def tier_for(spend: Decimal) -> LoyaltyTier | None:
    """The tier a lifetime spend of ``spend`` reaches: the one with the highest ``minimum_spend``
    at most ``spend``; ``None`` below every tier."""
    return LoyaltyTier.objects.filter(minimum_spend__lte=spend).order_by("-minimum_spend").first()


def point_value_of(points: int, *, currency: str) -> Decimal:
    """What ``points`` are worth in ``currency`` (the site's pricing currency):
    ``points x point_value``, rounded half up to the currency's step."""
    return round_money(Decimal(points) * loyalty_settings().point_value, currency)


# --- The ledger -------------------------------------------------------------------------------------


def _earlier(reference: str, *, account: LoyaltyAccount, kind: str) -> PointsEntry | None:
    found = PointsEntry.objects.filter(reference=reference).first()
    if found is None:
        return None
    if found.account_id != account.pk or found.kind != kind:
        raise Conflict(
            "This reference was used for a different operation.",
            code=ErrorCode.DUPLICATE_REFERENCE,
            details={"reference": reference},
        )
    return found


def _credit(
    account: LoyaltyAccount,
    *,
    kind: str,
    points: int,
    reference: str,
    reason: str = "",
    order: Any = None,
    actor: Any = None,
    now: datetime | None = None,
) -> PointsEntry:
    """Add ``points`` (> 0) to the locked ``account`` as a lot expiring after ``expiry_days``."""
    days = loyalty_settings().expiry_days
    expires_at = (now or timezone.now()) + timedelta(days=days) if days else None
    account.balance += points
    account.save(update_fields=["balance", "lifetime_points", "lifetime_spend", "updated_at"])
    return PointsEntry.objects.create(
        account=account,
        kind=kind,
        points=points,
        balance_after=account.balance,
        remaining=points,
        expires_at=expires_at,
        reference=reference,
        reason=reason[:MAX_REASON],
        order=order,
        actor=actor if getattr(actor, "pk", None) else None,
    )


def _take_from_lots(account: LoyaltyAccount, points: int) -> None:
    """Take ``points`` from the account's lots, the ones expiring first first (never-expiring last)."""
    lots = PointsEntry.objects.filter(account=account, remaining__gt=0).order_by(
        F("expires_at").asc(nulls_last=True), "id"
    )
    left = points
    for lot in lots:
        if left == 0:
            break
        taken = min(lot.remaining, left)
        lot.remaining -= taken
        lot.save(update_fields=["remaining"])
        left -= taken


def _debit(
    account: LoyaltyAccount,
    *,
    kind: str,
    points: int,
    reference: str,
    partial: bool = False,
    reason: str = "",
    order: Any = None,
    actor: Any = None,
) -> PointsEntry:
    """Take ``points`` (> 0) from the locked ``account``, oldest lots first. ``partial``: take what
    the balance holds and record the rest as the entry's ``shortfall`` (an entry of 0 points when
    the balance is empty); otherwise ``insufficient_points`` (409) when the balance is short."""
    taken = min(points, account.balance) if partial else points
    if taken > account.balance:
        raise Conflict(
            f"Only {account.balance} points are available.",
            code=ErrorCode.INSUFFICIENT_POINTS,
            details={"balance": account.balance, "points": points},
        )
    _take_from_lots(account, taken)
    account.balance -= taken
    account.save(update_fields=["balance", "lifetime_spend", "updated_at"])
    return PointsEntry.objects.create(
        account=account,
        kind=kind,
        points=-taken,
        balance_after=account.balance,
        shortfall=points - taken,
        reference=reference,
        reason=reason[:MAX_REASON],
        order=order,
        actor=actor if getattr(actor, "pk", None) else None,
    )


# --- Credits ----------------------------------------------------------------------------------------


def points_award(*, user: Any, points: int, reason: str, reference: str, actor: Any = None) -> PointsEntry:
    """Give ``user`` ``points`` (> 0) for ``reason`` (a referral reward, a goodwill gesture), as an
    ``award`` entry that expires like earned points. Idempotent by ``reference`` (at most 100
    characters, e.g. ``referral:12:reward``): a repeat returns the first entry and adds nothing.
    ``actor``: who gave them (``None``: the system). The user need not be a client; their account
    is opened if needed. Audited (``writing.loyalty_points_awarded``).

    Raises ``ApplicationError`` 400 ``validation_error`` (``points`` not a positive whole number,
    a blank or over-long ``reference``), ``Conflict`` 409 ``duplicate_reference`` (the reference
    names another operation).
    """
    points = _points(points)
    reference = (reference or "").strip()
    if not reference or len(reference) > 100:
        raise field_error("reference", "1 to 100 characters.")
    account = account_open(user=user)
    with transaction.atomic():
        locked = account_lock(account.pk)
        earlier = _earlier(reference, account=locked, kind=PointsKind.AWARD)
        if earlier is not None:
            return earlier
        entry = _credit(locked, kind=PointsKind.AWARD, points=points, reference=reference, reason=reason, actor=actor)
        audit_record(
            actor=actor,
            verb="writing.loyalty_points_awarded",
            target=locked,
            changes={"points": points, "reference": reference, "reason": reason[:MAX_REASON]},
        )
    return entry


def points_earn_for_order(*, order: Any, actor: Any = None) -> PointsEntry | None:
    """``order_completed``: credit the order's client for the completed, paid ``order`` (the rule
    in the module docstring; reference ``order:<id>:earn``) and add what they kept to their
    lifetime spend. Runs inside the completion's transaction, the order locked; the account is
    locked after it. ``None`` when the programme is off, the order was not paid, or it earns no
    points (the lifetime spend still counts). Idempotent."""
    from tenant_apps.writing.orders.services.refunds import refunded_total

    settings = loyalty_settings()
    if not settings.is_active or order.paid_at is None:
        return None
    kept = max(order.total - refunded_total(order), Decimal("0.00"))
    reference = f"order:{order.pk}:earn"
    account = account_open(user=order.client)
    with transaction.atomic():
        locked = account_lock(account.pk)
        if PointsEntry.objects.filter(reference=reference).exists():
            return _earlier(reference, account=locked, kind=PointsKind.EARN)
        tier = tier_for(locked.lifetime_spend)
        bonus = tier.bonus_percent if tier is not None else Decimal("0")
        raw = kept * settings.points_per_unit * (HUNDRED + bonus) / HUNDRED
        points = min(int(raw.to_integral_value(rounding=ROUND_FLOOR)), MAX_POINTS)
        locked.lifetime_spend += kept
        if points <= 0:
            locked.save(update_fields=["lifetime_spend", "updated_at"])
            return None
        locked.lifetime_points += points
        tier_text = f", tier {tier.name} (+{bonus.normalize():f} %)" if tier is not None else ""
        entry = _credit(
            locked,
            kind=PointsKind.EARN,
            points=points,
            reference=reference,
            reason=f"Order {order.number}: {kept} {order.currency}{tier_text}",
            order=order,
            actor=actor,
        )
        audit_record(
            actor=actor,
            verb="writing.loyalty_points_earned",
            target=locked,
            changes={"points": points, "order": order.pk, "kept": str(kept), "tier": tier.slug if tier else ""},
        )
    return entry


def points_take_back_for_refund(*, order: Any, refund: Any, actor: Any = None) -> PointsEntry | None:
    """``order_refunded``: take back from the order's client the share of the order's earned
    points that ``refund`` (an ``OrderRefund``) is of the order's total
    (``round(earned x refund.amount / total)``, half up), never more than the order's points not
    yet taken back; the refund leaves the lifetime spend (not below zero). What the balance no
    longer holds is recorded as the entry's ``shortfall`` (the balance stays >= 0). Reference
    ``order:<id>:refund:<refund id>:revoke``. ``None`` when the order earned nothing yet (it
    earns on what the client kept when completed). Runs in the refund's transaction: the order
    and the client's wallet are locked, then the account."""
    earned = PointsEntry.objects.filter(order_id=order.pk, kind=PointsKind.EARN).first()
    account = LoyaltyAccount.objects.filter(user_id=order.client_id).first()
    if earned is None or account is None:
        return None
    reference = f"order:{order.pk}:refund:{refund.pk}:revoke"
    with transaction.atomic():
        locked = account_lock(account.pk)
        if PointsEntry.objects.filter(reference=reference).exists():
            return _earlier(reference, account=locked, kind=PointsKind.REVOKE)
        already = sum(
            -(e.points) + e.shortfall
            for e in PointsEntry.objects.filter(order_id=order.pk, kind=PointsKind.REVOKE).only("points", "shortfall")
        )
        share = (Decimal(earned.points) * refund.amount / order.total) if order.total > 0 else Decimal(earned.points)
        wanted = min(int(share.to_integral_value(rounding=ROUND_HALF_UP)), earned.points - already)
        locked.lifetime_spend = max(locked.lifetime_spend - refund.amount, Decimal("0.00"))
        if wanted <= 0:
            locked.save(update_fields=["lifetime_spend", "updated_at"])
            return None
        entry = _debit(
            locked,
            kind=PointsKind.REVOKE,
            points=wanted,
            reference=reference,
            partial=True,
            reason=f"Order {order.number}: refund of {refund.amount} {order.currency}",
            order=order,
            actor=actor,
        )
        audit_record(
            actor=actor,
            verb="writing.loyalty_points_taken_back",
            target=locked,
            changes={"points": entry.points, "shortfall": entry.shortfall, "order": order.pk, "refund": refund.pk},
        )
    return entry


# --- Debits -----------------------------------------------------------------------------------------


def _check_redeemable(account: LoyaltyAccount, points: int, settings: LoyaltySettings) -> None:
    if not settings.is_active:
        raise Conflict("The loyalty programme is paused: points cannot be redeemed now.", code=ErrorCode.CONFLICT)
    if points < settings.minimum_redeem:
        raise field_error("redeem_points", f"Redeem at least {settings.minimum_redeem} points.")
    if points > account.balance:
        raise Conflict(
            f"Only {account.balance} points are available.",
            code=ErrorCode.INSUFFICIENT_POINTS,
            details={"balance": account.balance, "points": points},
        )


def points_redeem_for_wallet(*, user: Any, points: int) -> PointsEntry:
    """Client ``user`` turns ``points`` into wallet credit: a ``redeem`` entry of ``-points`` and a
    ``top_up`` row of their wallet worth ``points x point_value`` (rounded half up, the site's
    pricing currency; reference ``loyalty:<entry id>:credit``), in one transaction: the wallet is
    locked first, then the account (``locks``). Returns the entry (``wallet_entry`` set).
    Audited (``writing.loyalty_points_redeemed``).

    Raises ``PermissionDenied`` (403: not a client), ``ApplicationError`` 400 ``validation_error``
    (``details.points``: not a positive whole number; fewer than ``minimum_redeem``; worth less
    than the currency's smallest step), ``Conflict`` 409 ``insufficient_points`` (more than the
    balance), ``conflict`` (the programme is paused), ``currency_mismatch`` (the wallet holds
    another currency than the site's prices).
    """
    from tenant_apps.wallet.locks import wallets_lock
    from tenant_apps.wallet.services import wallet_open, wallet_top_up
    from tenant_apps.writing.pricing.services import pricing_currency

    if not is_member(user):
        raise PermissionDenied("Only clients redeem loyalty points.")
    points = _points(points, field="points")
    currency = pricing_currency()
    value = point_value_of(points, currency=currency)
    if value <= 0:
        raise field_error("points", "These points are worth nothing yet: redeem more.")
    account = account_open(user=user)
    wallet = wallet_open(user=user)
    if wallet.currency != currency:
        raise Conflict(
            f"Your wallet holds {wallet.currency}; points are worth {currency}.", code=ErrorCode.CURRENCY_MISMATCH
        )
    settings = loyalty_settings()
    with transaction.atomic():
        wallets_lock(wallet_ids=[wallet.pk])
        locked = account_lock(account.pk)
        try:
            _check_redeemable(locked, points, settings)
        except ApplicationError as error:
            if "redeem_points" in error.details:
                raise field_error("points", error.message) from None
            raise
        entry = _debit(
            locked,
            kind=PointsKind.REDEEM,
            points=points,
            reference=f"loyalty:{locked.pk}:redeem:{uuid.uuid4().hex}",
            reason=f"Wallet credit of {value} {currency}",
            actor=user,
        )
        entry.wallet_entry = wallet_top_up(
            wallet=wallet,
            amount=value,
            actor=user,
            reference=f"loyalty:{entry.pk}:credit",
            memo=f"Loyalty points: {points} redeemed",
        )
        entry.save(update_fields=["wallet_entry"])
        audit_record(
            actor=user,
            verb="writing.loyalty_points_redeemed",
            target=locked,
            changes={"points": points, "value": str(value), "currency": currency, "for": "wallet"},
        )
    return entry


def loyalty_redemption_value(*, user: Any, points: int, currency: str) -> Decimal:
    """For the quote: what redeeming ``points`` at checkout is worth (``point_value_of``), after
    checking the rules a client can fix (``minimum_redeem``, the balance, the programme is on).

    Raises ``ApplicationError`` 400 ``validation_error`` (``details.redeem_points``: not a whole
    number, fewer than the minimum, no client), ``Conflict`` 409 ``insufficient_points`` and
    ``conflict`` (the programme is paused). Reads only; ``points_redeem_for_order`` re-checks under
    the account's lock."""
    if user is None or not is_member(user):
        raise field_error("redeem_points", "Sign in as a client to redeem points.")
    if isinstance(points, bool) or not isinstance(points, int) or not 0 < points <= MAX_POINTS:
        raise field_error("redeem_points", "A positive whole number of points.")
    account = LoyaltyAccount.objects.filter(user_id=user.pk).first() or LoyaltyAccount(user=user)
    _check_redeemable(account, points, loyalty_settings())
    return point_value_of(points, currency=currency)


def points_redeem_for_order(*, order: Any, points: int) -> PointsEntry:
    """Placement: take ``points`` the order's quote used from its client's account (a ``redeem``
    entry, reference ``order:<id>:redeem``), under the account's lock; call inside the placement's
    transaction after ``account_lock_for`` (so the balance the quote checked is the one spent).

    Raises ``Conflict`` 409 ``insufficient_points`` (the balance was spent meanwhile: the placement
    rolls back) and the checks of ``loyalty_redemption_value``."""
    account = account_open(user=order.client)
    locked = account_lock(account.pk)
    _check_redeemable(locked, points, loyalty_settings())
    return _debit(
        locked,
        kind=PointsKind.REDEEM,
        points=points,
        reference=f"order:{order.pk}:redeem",
        reason=f"Order {order.number}: {order.loyalty_total} {order.currency} off",
        order=order,
        actor=order.client,
    )


def account_lock_for(*, user: Any) -> LoyaltyAccount:
    """Open (if needed) and lock ``user``'s account: placement takes it before it prices an order
    that redeems points (after the discount's lock). Call inside ``transaction.atomic``."""
    return account_lock(account_open(user=user).pk)


def points_restore_for_order(*, order: Any, actor: Any = None) -> PointsEntry | None:
    """The order's checkout redemption given back (it was cancelled unpaid): a ``restore`` entry
    crediting what ``order:<id>:redeem`` took, as a new lot (reference ``order:<id>:restore``).
    ``None`` when the order redeemed nothing. Idempotent; call in the cancellation's transaction
    (the order locked, then the account)."""
    redeemed = PointsEntry.objects.filter(reference=f"order:{order.pk}:redeem").first()
    if redeemed is None:
        return None
    reference = f"order:{order.pk}:restore"
    with transaction.atomic():
        locked = account_lock(redeemed.account_id)
        earlier = _earlier(reference, account=locked, kind=PointsKind.RESTORE)
        if earlier is not None:
            return earlier
        return _credit(
            locked,
            kind=PointsKind.RESTORE,
            points=-redeemed.points,
            reference=reference,
            reason=f"Order {order.number} cancelled",
            order=order,
            actor=actor,
        )


def points_adjust(*, account: LoyaltyAccount, points: int, reason: str, actor: Any) -> PointsEntry:
    """Admin ``actor`` corrects ``account`` by ``points`` (positive: a new lot; negative: taken
    from the oldest lots, never below zero) saying why (``reason``, required). Reference
    ``adjust:<account>:<n>`` (a fresh one each time). Audited (``writing.loyalty_points_adjusted``).

    Raises ``PermissionDenied`` (403), ``ApplicationError`` 400 ``validation_error`` (``points``
    zero or not a whole number, ``reason`` blank), ``Conflict`` 409 ``insufficient_points`` (the
    balance would go below zero)."""
    if not can_manage_loyalty(actor):
        raise PermissionDenied("Only admins adjust loyalty points.")
    points = _points(points, allow_negative=True)
    text = (reason or "").strip()
    if not text or len(text) > MAX_REASON:
        raise field_error("reason", f"Say why, in 1 to {MAX_REASON} characters.")
    with transaction.atomic():
        locked = account_lock(account.pk)
        reference = f"adjust:{locked.pk}:{PointsEntry.objects.filter(account=locked).count() + 1}"
        if points > 0:
            entry = _credit(
                locked, kind=PointsKind.ADJUST, points=points, reference=reference, reason=text, actor=actor
            )
        else:
            entry = _debit(
                locked, kind=PointsKind.ADJUST, points=-points, reference=reference, reason=text, actor=actor
            )
        audit_record(
            actor=actor,
            verb="writing.loyalty_points_adjusted",
            target=locked,
            changes={"points": points, "reason": text, "balance": locked.balance},
        )
    return entry


def points_expire_account(*, account_id: int, now: datetime | None = None) -> list[PointsEntry]:
    """Expire what is left of ``account_id``'s lots whose ``expires_at`` is past: one ``expire``
    entry per lot (reference ``expire:<lot id>``), under the account's lock. Returns the entries."""
    now = now or timezone.now()
    made: list[PointsEntry] = []
    with transaction.atomic():
        locked = account_lock(account_id)
        due = list(
            PointsEntry.objects.filter(account=locked, remaining__gt=0, expires_at__lte=now).order_by(
                "expires_at", "id"
            )
        )
        for lot in due:
            left = lot.remaining
            lot.remaining = 0
            lot.save(update_fields=["remaining"])
            locked.balance -= left
            locked.save(update_fields=["balance", "updated_at"])
            made.append(
                PointsEntry.objects.create(
                    account=locked,
                    kind=PointsKind.EXPIRE,
                    points=-left,
                    balance_after=locked.balance,
                    reference=f"expire:{lot.pk}",
                    reason=f"Points of {lot.created_at:%Y-%m-%d} expired",
                )
            )
    return made


def points_expire_due(*, now: datetime | None = None) -> int:
    """The beat task's work: expire every account's lots past their ``expires_at`` (each account
    in its own transaction, ``points_expire_account``). Returns how many points expired."""
    now = now or timezone.now()
    accounts = (
        PointsEntry.objects.filter(remaining__gt=0, expires_at__lte=now).values_list("account_id", flat=True).distinct()
    )
    total = 0
    for account_id in sorted(set(accounts)):
        total += sum(-entry.points for entry in points_expire_account(account_id=account_id, now=now))
    return total


# --- Tiers --------------------------------------------------------------------------------------------


def tier_create(
    *, actor: Any, name: str, slug: str, minimum_spend: Decimal, bonus_percent: Decimal = Decimal("0.00")
) -> LoyaltyTier:
    """Add a tier (admin ``actor``): values already checked by the serializer (``minimum_spend``
    >= 0 in the site currency, ``bonus_percent`` 0-1000). Raises ``PermissionDenied`` (403),
    ``ApplicationError`` 400 ``validation_error`` (the slug or the minimum spend is taken)."""
    if not can_manage_loyalty(actor):
        raise PermissionDenied("Only admins manage loyalty tiers.")
    tier = LoyaltyTier(name=name, slug=slug, minimum_spend=minimum_spend, bonus_percent=bonus_percent)
    _save_tier(tier)
    audit_record(actor=actor, verb="writing.loyalty_tier_created", target=tier, changes={"slug": slug})
    return tier


def tier_update(*, actor: Any, tier: LoyaltyTier, changes: dict[str, Any]) -> LoyaltyTier:
    """Change ``tier`` (admin): any of ``name``, ``slug``, ``minimum_spend``, ``bonus_percent``.
    Raises as ``tier_create``."""
    from tenant_apps.audit.diff import apply_changes

    if not can_manage_loyalty(actor):
        raise PermissionDenied("Only admins manage loyalty tiers.")
    changed = apply_changes(
        tier, {k: v for k, v in changes.items() if k in ("name", "slug", "minimum_spend", "bonus_percent")}
    )
    if changed:
        _save_tier(tier)
        audit_record(actor=actor, verb="writing.loyalty_tier_updated", target=tier, changes=changed)
    return tier


def tier_delete(*, actor: Any, tier: LoyaltyTier) -> None:
    """Remove ``tier`` (admin): its clients fall to the tier below. Raises ``PermissionDenied``."""
    if not can_manage_loyalty(actor):
        raise PermissionDenied("Only admins manage loyalty tiers.")
    audit_record(actor=actor, verb="writing.loyalty_tier_deleted", target=tier, changes={"slug": tier.slug})
    tier.delete()


def _save_tier(tier: LoyaltyTier) -> None:
    if LoyaltyTier.objects.exclude(pk=tier.pk).filter(slug=tier.slug).exists():
        raise field_error("slug", "A tier with this slug exists.")
    if LoyaltyTier.objects.exclude(pk=tier.pk).filter(minimum_spend=tier.minimum_spend).exists():
        raise field_error("minimum_spend", "A tier with this minimum spend exists.")
    try:
        with transaction.atomic():
            tier.save()
    except IntegrityError:
        raise field_error("slug", "A tier with this slug or minimum spend exists.") from None


__all__ = [
    "account_lock_for",
    "account_open",
    "loyalty_redemption_value",
    "loyalty_settings",
    "loyalty_settings_update",
    "point_value_of",
    "points_adjust",
    "points_award",
    "points_earn_for_order",
    "points_expire_account",
    "points_expire_due",
    "points_redeem_for_order",
    "points_redeem_for_wallet",
    "points_restore_for_order",
    "points_take_back_for_refund",
    "tier_create",
    "tier_delete",
    "tier_for",
    "tier_update",
]
