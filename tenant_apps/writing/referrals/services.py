"""Writes on referrals: codes, claims, the reward when a referred client's first order completes,
and the referral settings, in the current writing schema.

The rules (issue 14, point 3):

* **A code per client**, created on first need (``referral_code_for``): 8 characters of
  ``CODE_ALPHABET`` (no ``0/O``, ``1/I/L``), from ``secrets`` (31^8, about 8.5e11 codes), unique;
  the link is ``<site>/register?ref=<code>`` (``referral_link``, the site's primary domain).
* **A claim** (``referral_claim``) ties a client to the code's owner, until the client's first
  order completes. Refused (409 or 400 ``referral_refused``, ``details.reason``): their own code
  (``own_code``), an owner with the same e-mail once normalised (``same_email``, ``email_key``),
  an account already referred (``already_referred``), one whose owner they referred themselves
  (``mutual``), one that completed an order already (``order_completed``), a card both paid with
  (``same_card``: a Stripe fingerprint on approved payments of both, ``payments.Payment.card_fingerprint``),
  and claims while the site has referrals off (``disabled``). An unknown code, or an inactive
  owner's, answers 400 ``referral_code_invalid``.
* **The reward** (``referral_reward_for_order``, on ``orders.signals.order_completed``): when the
  referred client's FIRST completed order completes and their referral is pending, both sides get
  the site's reward once: wallet credit (``wallet_top_up``, references
  ``referral:<id>:referrer`` and ``referral:<id>:referred``) or loyalty points (the loyalty app's
  ``points_award``, the same references). The card check runs again then (a card used after the
  claim counts): on a shared card, or with referrals off, the referral is ``refused`` and nobody is
  rewarded. The referral row is locked (``locks.referral_lock``) so two first orders completing at
  once reward once.

E-mail normalisation (``email_key``): the accounts app's canonical form (NFKC, case-folded local
part, IDNA domain: ``accounts.addresses.normalize_email``), then a ``+tag`` is dropped from the
local part for every domain, and for ``gmail.com`` / ``googlemail.com`` the dots of the local part
are dropped and the domain read as ``gmail.com`` (Gmail delivers ``a.b+x@googlemail.com`` to
``ab@gmail.com``). Other providers' dots are kept: for them they are different mailboxes.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from saas.errors import ApplicationError, Conflict, ErrorCode, PermissionDenied
from saas.money import check_amount
from tenant_apps.accounts.addresses import normalize_email_or_none
from tenant_apps.audit.services import audit_record
from tenant_apps.emails.services import site_url
from tenant_apps.notifications.services import notify
from tenant_apps.payments.models import Payment, PaymentStatus
from tenant_apps.writing.orders.models import Order, OrderStatus
from tenant_apps.writing.referrals.access import can_manage_referrals, can_refer
from tenant_apps.writing.referrals.locks import referral_lock
from tenant_apps.writing.referrals.models import (
    DEFAULT_REWARD_AMOUNT,
    DEFAULT_REWARD_POINTS,
    Referral,
    ReferralCode,
    ReferralSettings,
    ReferralStatus,
    RewardKind,
)

#: The characters of a code: upper-case letters and digits without the ones read alike.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
#: The length of a code.
CODE_LENGTH = 8
#: Domains whose local part ignores dots (and their canonical domain).
DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}
#: The most loyalty points a reward may give.
MAX_REWARD_POINTS = 1_000_000


def new_code() -> str:
    """A random code: ``CODE_LENGTH`` characters of ``CODE_ALPHABET`` (``secrets``)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(value: str) -> str:
    """``value`` as codes are stored: spaces and dashes removed, upper case."""
    return "".join(ch for ch in (value or "").upper() if ch not in " -\t")


def email_key(email: str) -> str:
    """The address ``email`` is matched by (see the module): canonical form, no ``+tag``, no dots
    in a Gmail local part, ``googlemail.com`` read as ``gmail.com``; ``""`` for no valid address."""
    canonical = normalize_email_or_none(email or "")
    if canonical is None:
        return ""
    local, _, domain = canonical.rpartition("@")
    local = local.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        local, domain = local.replace(".", ""), DOTLESS_DOMAINS[domain]
    return f"{local}@{domain}"


def points_available() -> bool:
    """Whether the loyalty app's ``points_award`` is there to give points rewards."""
    try:
        from tenant_apps.writing.loyalty import services as loyalty
    except ImportError:
        return False
    return hasattr(loyalty, "points_award")


# --------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------


def referral_settings() -> ReferralSettings:
    """The site's referral settings (the row ``pk=1``, created the first time with
    ``settings.WRITING_REFERRAL_REWARD_AMOUNT`` / ``WRITING_REFERRAL_REWARD_POINTS``)."""
    found = ReferralSettings.objects.filter(pk=1).first()
    if found is not None:
        return found
    amount = Decimal(str(getattr(settings, "WRITING_REFERRAL_REWARD_AMOUNT", DEFAULT_REWARD_AMOUNT)))
    points = int(getattr(settings, "WRITING_REFERRAL_REWARD_POINTS", DEFAULT_REWARD_POINTS))
    row, _ = ReferralSettings.objects.get_or_create(pk=1, defaults={"reward_amount": amount, "reward_points": points})
    return row


def referral_settings_update(
    *,
    actor: Any,
    enabled: bool | None = None,
    reward_kind: str | None = None,
    reward_amount: Decimal | str | None = None,
    reward_points: int | None = None,
) -> ReferralSettings:
    """Change the given referral settings (``None``: unchanged) for admin ``actor``, by one
    ``UPDATE`` of those fields (no lock: two admins changing different fields both keep theirs);
    audited (``writing_referral_settings.updated``, the fields given).

    ``reward_amount``: positive, exact in the wallet currency's step (``settings.DEFAULT_CURRENCY``);
    ``reward_points``: 1..``MAX_REWARD_POINTS``; ``reward_kind`` ``points`` only when the loyalty
    app is installed. A new reward applies to referrals rewarded from then on. Raises
    ``PermissionDenied`` (403), ``ApplicationError`` 400 ``validation_error``, ``invalid_amount``.
    """
    if not can_manage_referrals(actor):
        raise PermissionDenied("Only admins change the referral settings.")
    wanted: dict[str, Any] = {}
    if enabled is not None:
        wanted["enabled"] = bool(enabled)
    if reward_kind is not None:
        if reward_kind not in RewardKind.values:
            raise ApplicationError("Unknown reward kind.", details={"reward_kind": ["wallet or points."]})
        if reward_kind == RewardKind.POINTS and not points_available():
            raise ApplicationError(
                "Points rewards need the loyalty app.", details={"reward_kind": ["Loyalty points are not available."]}
            )
        wanted["reward_kind"] = reward_kind
    if reward_amount is not None:
        amount = check_amount(reward_amount, settings.DEFAULT_CURRENCY)
        if amount <= 0:
            raise ApplicationError("The reward must be positive.", details={"reward_amount": ["Above zero."]})
        wanted["reward_amount"] = amount
    if reward_points is not None:
        if isinstance(reward_points, bool) or not 1 <= int(reward_points) <= MAX_REWARD_POINTS:
            raise ApplicationError("Points from 1.", details={"reward_points": [f"From 1 to {MAX_REWARD_POINTS}."]})
        wanted["reward_points"] = int(reward_points)
    row = referral_settings()
    if wanted:
        with transaction.atomic():
            ReferralSettings.objects.filter(pk=1).update(**wanted, updated_at=timezone.now())
            audit_record(
                actor=actor,
                verb="writing_referral_settings.updated",
                target=row,
                changes={name: str(value) for name, value in wanted.items()},
            )
        row.refresh_from_db()
    return row


# --------------------------------------------------------------------------------------------
# Codes and claims
# --------------------------------------------------------------------------------------------


def referral_code_for(*, user: Any) -> ReferralCode:
    """``user``'s referral code, created on first need (``new_code``; a clash of codes draws
    again). Safe under concurrency: two first calls get the one row. Raises ``PermissionDenied``
    (403: not a client)."""
    found = ReferralCode.objects.filter(user_id=user.pk).first()
    if found is not None:
        return found
    if not can_refer(user):
        raise PermissionDenied("Only clients have a referral code.")
    for _ in range(5):
        try:
            with transaction.atomic():
                return ReferralCode.objects.create(user=user, code=new_code())
        except IntegrityError:
            found = ReferralCode.objects.filter(user_id=user.pk).first()
            if found is not None:  # a concurrent first call created it
                return found
    raise Conflict("Could not draw a free referral code; try again.")  # pragma: no cover: 31^8 codes


def referral_link(code: ReferralCode | str) -> str:
    """The sign-up link of ``code``: ``<site>/register?ref=<code>`` (the site's primary domain)."""
    return f"{site_url()}/register?ref={code}"


def _refuse(reason: str, message: str, *, conflict: bool = False) -> ApplicationError:
    error = Conflict if conflict else ApplicationError
    return error(message, code=ErrorCode.REFERRAL_REFUSED, details={"reason": reason})


def shares_card(one_id: int, other_id: int) -> bool:
    """Whether users ``one_id`` and ``other_id`` both paid with one card: a Stripe fingerprint on
    approved payments of both (``payments.Payment.card_fingerprint``). One query."""
    theirs = (
        Payment.objects.filter(payer_id=other_id, status=PaymentStatus.APPROVED)
        .exclude(card_fingerprint="")
        .values("card_fingerprint")
    )
    return (
        Payment.objects.filter(payer_id=one_id, status=PaymentStatus.APPROVED, card_fingerprint__in=theirs)
        .exclude(card_fingerprint="")
        .exists()
    )


def referral_claim(*, user: Any, code: str) -> Referral:
    """Client ``user`` was referred by the owner of ``code``: a pending referral, rewarded when
    their first order completes (``referral_reward_for_order``). The owner is notified
    (``writing_referral.claimed``, the referred client's first name); audited
    (``writing_referral.claimed``).

    Raises ``PermissionDenied`` (403: not a client); 400 ``referral_code_invalid`` (no such code,
    or its owner is inactive or no client); ``referral_refused`` with ``details.reason``: 400
    ``own_code``, ``same_email``, ``mutual``, ``same_card``; 409 ``already_referred``,
    ``order_completed``, ``disabled`` (see the module).
    """
    if not can_refer(user):
        raise PermissionDenied("Only clients claim a referral code.")
    wanted = normalize_code(code)
    found = ReferralCode.objects.select_related("user").filter(code=wanted).first() if wanted else None
    if found is None or not can_refer(found.user):
        raise ApplicationError(
            "No such referral code.", code=ErrorCode.REFERRAL_CODE_INVALID, details={"code": ["No such code."]}
        )
    owner = found.user
    if not referral_settings().enabled:
        raise _refuse("disabled", "Referrals are off on this site.", conflict=True)
    if owner.pk == user.pk:
        raise _refuse("own_code", "You cannot use your own referral code.")
    if Referral.objects.filter(referred_id=user.pk).exists():
        raise _refuse("already_referred", "Your account was referred already.", conflict=True)
    if email_key(owner.email) == email_key(user.email):
        raise _refuse("same_email", "This code belongs to an account with your e-mail address.")
    if Referral.objects.filter(referrer_id=user.pk, referred_id=owner.pk).exists():
        raise _refuse("mutual", "You referred the owner of this code.")
    if Order.objects.filter(client_id=user.pk, status=OrderStatus.COMPLETED).exists():
        raise _refuse("order_completed", "A code is claimed before your first order completes.", conflict=True)
    if shares_card(owner.pk, user.pk):
        raise _refuse("same_card", "This code belongs to an account that paid with your card.")
    try:
        with transaction.atomic():
            referral = Referral.objects.create(referrer=owner, referred=user, code=found.code)
            audit_record(actor=user, verb="writing_referral.claimed", target=referral, changes={"referrer": owner.pk})
            notify(
                recipient=owner,
                verb="writing_referral.claimed",
                target=referral,
                extra_data={"referral": referral.pk, "referred": first_name(user)},
            )
    except IntegrityError:  # a concurrent claim of this user committed first
        raise _refuse("already_referred", "Your account was referred already.", conflict=True) from None
    return referral


def first_name(user: Any) -> str:
    """What a referrer is shown of the client they referred: the first word of their name, or
    ``"A client"``; never their e-mail address."""
    words = (getattr(user, "full_name", "") or "").split()
    return words[0] if words else "A client"


# --------------------------------------------------------------------------------------------
# The reward
# --------------------------------------------------------------------------------------------


def _credit(referral: Referral, row: ReferralSettings) -> dict[str, Any]:
    """Give both sides of the locked ``referral`` the reward of ``row``; returns what each got."""
    if row.reward_kind == RewardKind.POINTS:
        from tenant_apps.writing.loyalty.locks import account_lock
        from tenant_apps.writing.loyalty.services import account_open, points_award

        accounts = sorted(account_open(user=user).pk for user in (referral.referrer, referral.referred))
        for pk in accounts:  # both points accounts, in primary-key order, before awarding
            account_lock(pk)
        for side, user in (("referrer", referral.referrer), ("referred", referral.referred)):
            points_award(
                user=user,
                points=row.reward_points,
                reason="Referral reward",
                reference=f"referral:{referral.pk}:{side}",
                actor=None,
            )
        return {"reward_kind": RewardKind.POINTS, "reward_points": row.reward_points}
    from tenant_apps.wallet.locks import wallets_lock
    from tenant_apps.wallet.services import wallet_open, wallet_top_up

    sides = (("referrer", referral.referrer), ("referred", referral.referred))
    wallets = {side: wallet_open(user=user) for side, user in sides}
    wallets_lock(wallet_ids=[wallet.pk for wallet in wallets.values()])  # both, in primary-key order
    amount = check_amount(row.reward_amount, wallets["referred"].currency)
    for side, wallet in wallets.items():
        wallet_top_up(
            wallet=wallet,
            amount=amount,
            actor=None,
            reference=f"referral:{referral.pk}:{side}",
            memo=f"Referral reward (code {referral.code})",
        )
    return {"reward_kind": RewardKind.WALLET, "reward_amount": amount, "reward_currency": wallets["referred"].currency}


def completed_before(order: Order) -> bool:
    """Whether another order of ``order``'s client is ``completed`` (committed, or in this
    transaction): then ``order`` is not their first completed order."""
    return Order.objects.filter(client_id=order.client_id, status=OrderStatus.COMPLETED).exclude(pk=order.pk).exists()


def referral_reward_for_order(*, order: Order) -> Referral | None:
    """``orders.signals.order_completed``: if ``order`` is its client's first completed order and
    their referral is pending, reward both sides once (see the module) and mark it ``rewarded``
    (``order``, ``rewarded_at``, what each got); or mark it ``refused`` (``refused_reason``:
    ``same_card``, ``disabled``, ``not_first_order``: an order of theirs completed before, possible
    only when a claim raced that completion). Both sides are notified of a reward
    (``writing_referral.rewarded``); audited (``writing_referral.rewarded`` / ``.refused``).

    Runs inside the completion's transaction, the order locked; locks the referral
    (``locks.referral_lock``), then the two wallets. Returns the referral it decided, or ``None``.
    """
    pending = (
        Referral.objects.filter(referred_id=order.client_id, status=ReferralStatus.PENDING)
        .values_list("pk", flat=True)
        .first()
    )
    if pending is None:
        return None
    with transaction.atomic():
        referral = referral_lock(pending)
        if referral.status != ReferralStatus.PENDING:  # a concurrent completion decided it
            return None
        row = referral_settings()
        reason = ""
        if not row.enabled:
            reason = "disabled"
        elif completed_before(order):
            reason = "not_first_order"
        elif shares_card(referral.referrer_id, referral.referred_id):
            reason = "same_card"
        if reason:
            referral.status, referral.refused_reason = ReferralStatus.REFUSED, reason
            referral.save(update_fields=["status", "refused_reason", "updated_at"])
            audit_record(actor=None, verb="writing_referral.refused", target=referral, changes={"reason": reason})
            return referral
        reward = _credit(referral, row)
        for name, value in reward.items():
            setattr(referral, name, value)
        referral.status, referral.order, referral.rewarded_at = ReferralStatus.REWARDED, order, timezone.now()
        referral.save()
        facts = {"referral": referral.pk, **{k: str(v) for k, v in reward.items()}}
        changes = {**facts, "order": order.pk}
        audit_record(actor=None, verb="writing_referral.rewarded", target=referral, changes=changes)
        for user in (referral.referrer, referral.referred):
            notify(recipient=user, verb="writing_referral.rewarded", target=referral, extra_data=facts)
    return referral
