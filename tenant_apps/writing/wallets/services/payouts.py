"""Writers' payout requests and the admins' decisions on them.

``payout_request`` holds the amount in the writer's wallet at once (``escrow_hold``), so it can be
neither spent nor asked for twice; ``payout_reject`` gives it back (``escrow_release``) and
``payout_mark_paid`` takes it out of the held balance as a ``payout`` ledger row
(``wallet_payout(from_held=True)``). Moves (``TRANSITIONS``)::

    requested -> approved | rejected        approved -> paid | rejected

Every decision locks the request first (``locks.payout_lock``), then the writer's wallet (inside
the wallet services): of two admins deciding one request at once, the second waits and sees the
first's decision (409 ``invalid_status_transition``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from saas.errors import ApplicationError, Conflict, ErrorCode, PermissionDenied
from saas.money import check_amount
from tenant_apps.audit.services import audit_record
from tenant_apps.wallet.models import Wallet
from tenant_apps.wallet.services import escrow_hold, escrow_release, wallet_open, wallet_payout
from tenant_apps.writing.wallets.access import can_decide_payouts, can_request_payout
from tenant_apps.writing.wallets.locks import payout_lock
from tenant_apps.writing.wallets.models import PayoutRequest, PayoutStatus
from tenant_apps.writing.wallets.services._common import notify_admins, notify_of, payout_minimum

#: The moves of a payout request: status -> the statuses it may go to.
TRANSITIONS: dict[str, frozenset[str]] = {
    PayoutStatus.REQUESTED: frozenset({PayoutStatus.APPROVED, PayoutStatus.REJECTED}),
    PayoutStatus.APPROVED: frozenset({PayoutStatus.PAID, PayoutStatus.REJECTED}),
    PayoutStatus.PAID: frozenset(),
    PayoutStatus.REJECTED: frozenset(),
}
#: The longest note, in characters.
MAX_NOTE = 2000
#: The longest external reference, in characters.
MAX_REFERENCE = 100


def payout_facts(payout: PayoutRequest) -> dict[str, Any]:
    """What a notification or audit row says about ``payout``."""
    return {
        "payout": payout.pk,
        "amount": str(payout.amount),
        "currency": payout.currency,
        "status": payout.status,
    }


def _require_admin(actor: Any) -> None:
    if not can_decide_payouts(actor):
        raise PermissionDenied("Only admins decide payout requests.")


def _refuse_own_request(payout: PayoutRequest, actor: Any) -> None:
    """Four eyes: an admin who is also a writer never decides their own payout request."""
    if payout.writer_id == getattr(actor, "pk", None):
        raise PermissionDenied(
            "You cannot decide a payout request of your own.", code=ErrorCode.SELF_APPROVAL_FORBIDDEN
        )


def _move(payout: PayoutRequest, *, to: str) -> str:
    """Check that the locked ``payout`` may move to ``to``; returns its status. 409
    ``invalid_status_transition`` otherwise."""
    before = payout.status
    if to not in TRANSITIONS[before]:
        raise Conflict(
            f"This payout request is {before}: it cannot become {to}.",
            code=ErrorCode.INVALID_STATUS_TRANSITION,
            details={"status": before},
        )
    payout.status = to
    return before


def payout_request(*, writer: Any, amount: Decimal | int | str) -> PayoutRequest:
    """``writer`` asks to be paid ``amount`` (their wallet's currency) of their balance: a
    ``requested`` payout request, and the amount held in their wallet at once (``escrow_hold``,
    ledger reference ``payout:<id>:hold``). The admins are notified (``writing_payout.requested``).

    Raises ``PermissionDenied`` (403: not a writer); ``ApplicationError`` 400 ``invalid_amount``
    (not exact in the currency, or below ``payout_minimum()``: ``details.amount``); ``Conflict``
    409 ``insufficient_funds`` (more than the balance; ``details``: ``requested``, ``available``,
    ``currency``).
    """
    if not can_request_payout(writer):
        raise PermissionDenied("Only writers ask for payouts.")
    with transaction.atomic():
        wallet = wallet_open(user=writer)
        value = check_amount(amount, wallet.currency)
        minimum = payout_minimum()
        if value < minimum:
            raise ApplicationError(
                f"A payout is at least {minimum} {wallet.currency}.",
                code=ErrorCode.INVALID_AMOUNT,
                details={"amount": [f"At least {minimum}."]},
            )
        payout = PayoutRequest.objects.create(writer=writer, amount=value, currency=wallet.currency)
        try:
            escrow_hold(
                wallet=wallet,
                amount=value,
                actor=writer,
                reference=f"payout:{payout.pk}:hold",
                memo=f"Payout #{payout.pk}",
            )
        except ApplicationError as exc:
            if exc.code != ErrorCode.INSUFFICIENT_FUNDS:
                raise
            available = Wallet.objects.filter(pk=wallet.pk).values_list("balance", flat=True).first()
            raise Conflict(
                "Your balance holds less than this payout.",
                code=ErrorCode.INSUFFICIENT_FUNDS,
                details={"requested": str(value), "available": str(available), "currency": wallet.currency},
            ) from None
        facts = payout_facts(payout)
        audit_record(actor=writer, verb="writing_payout.requested", target=payout, changes=facts)
        notify_admins(payout, verb="writing_payout.requested", facts={**facts, "writer": writer.pk})
    return payout


def payout_approve(*, payout: PayoutRequest, actor: Any, note: str = "") -> PayoutRequest:
    """An admin approves ``payout`` (``requested`` -> ``approved``; the money stays held until it
    is marked paid). The writer is notified (``writing_payout.approved``).

    Raises ``PermissionDenied`` (403: not an admin; ``self_approval_forbidden``: their own),
    ``Conflict`` 409 ``invalid_status_transition``.
    """
    _require_admin(actor)
    with transaction.atomic():
        locked = payout_lock(payout.pk)
        _refuse_own_request(locked, actor)
        before = _move(locked, to=PayoutStatus.APPROVED)
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.note = note.strip()[:MAX_NOTE]
        locked.save(update_fields=["status", "decided_by", "decided_at", "note", "updated_at"])
        facts = payout_facts(locked)
        audit_record(
            actor=actor,
            verb="writing_payout.approved",
            target=locked,
            changes={**facts, "status": [before, locked.status]},
        )
        notify_of(locked, recipient=locked.writer, verb="writing_payout.approved", facts=facts)
    return locked


def payout_reject(*, payout: PayoutRequest, actor: Any, note: str) -> PayoutRequest:
    """An admin rejects ``payout`` (``requested`` or ``approved`` -> ``rejected``) saying why
    (``note``, required): the held money goes back to the writer's balance (``escrow_release``,
    ledger reference ``payout:<id>:release``). The writer is notified (``writing_payout.rejected``,
    with the note).

    Raises ``PermissionDenied`` (403; ``self_approval_forbidden``: their own), ``ApplicationError``
    400 ``validation_error`` (no note), ``Conflict`` 409 ``invalid_status_transition``.
    """
    _require_admin(actor)
    text = (note or "").strip()[:MAX_NOTE]
    if not text:
        raise ApplicationError("Say why the payout is rejected.", details={"note": ["This field is required."]})
    with transaction.atomic():
        locked = payout_lock(payout.pk)
        _refuse_own_request(locked, actor)
        before = _move(locked, to=PayoutStatus.REJECTED)
        escrow_release(
            wallet=wallet_open(user=locked.writer),
            amount=locked.amount,
            actor=actor,
            reference=f"payout:{locked.pk}:release",
            memo=f"Payout #{locked.pk} rejected",
        )
        locked.decided_by, locked.decided_at, locked.note = actor, timezone.now(), text
        locked.save(update_fields=["status", "decided_by", "decided_at", "note", "updated_at"])
        facts = payout_facts(locked)
        audit_record(
            actor=actor,
            verb="writing_payout.rejected",
            target=locked,
            changes={**facts, "status": [before, locked.status], "note": text},
        )
        notify_of(locked, recipient=locked.writer, verb="writing_payout.rejected", facts={**facts, "note": text})
    return locked


def payout_mark_paid(*, payout: PayoutRequest, actor: Any, reference: str) -> PayoutRequest:
    """An admin records that the approved ``payout`` was paid outside the site (a bank transfer),
    with its external ``reference`` (required, at most 100 characters): ``approved`` -> ``paid``,
    the held money leaves the writer's wallet as a ``payout`` ledger row
    (``wallet_payout(from_held=True)``, ledger reference ``payout:<id>:paid``). The writer is
    notified (``writing_payout.paid``, with the reference).

    Raises ``PermissionDenied`` (403; ``self_approval_forbidden``: their own), ``ApplicationError``
    400 ``validation_error`` (no or too long a reference), ``Conflict`` 409
    ``invalid_status_transition``.
    """
    _require_admin(actor)
    text = (reference or "").strip()
    if not text or len(text) > MAX_REFERENCE:
        raise ApplicationError(
            f"Give the payment's reference (at most {MAX_REFERENCE} characters).",
            details={"reference": [f"Required, at most {MAX_REFERENCE} characters."]},
        )
    with transaction.atomic():
        locked = payout_lock(payout.pk)
        _refuse_own_request(locked, actor)
        before = _move(locked, to=PayoutStatus.PAID)
        wallet_payout(
            wallet=wallet_open(user=locked.writer),
            amount=locked.amount,
            actor=actor,
            reference=f"payout:{locked.pk}:paid",
            memo=f"Payout #{locked.pk}: {text}",
            from_held=True,
        )
        locked.reference, locked.paid_by, locked.paid_at = text, actor, timezone.now()
        locked.save(update_fields=["status", "reference", "paid_by", "paid_at", "updated_at"])
        facts = {**payout_facts(locked), "reference": text}
        audit_record(
            actor=actor, verb="writing_payout.paid", target=locked, changes={**facts, "status": [before, locked.status]}
        )
        notify_of(locked, recipient=locked.writer, verb="writing_payout.paid", facts=facts)
    return locked
