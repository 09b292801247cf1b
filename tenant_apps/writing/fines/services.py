"""Writers' fines: made by the rules when an order's work is late, or by an admin; deducted from
the writer's wallet; appealed by the writer and decided by an admin (the rules: ``models.py``).

* ``fine_for_lateness`` (``order_delivered``), ``work_submitted`` and ``revision_requested``
  (``order_submitted``, ``order_revision_requested``) and the beat task's
  ``fines_for_missed_revisions`` apply the rules inside the order's transaction (the order locked);
* ``fine_issue``: an admin's fine with a reason (plagiarism, say), about an order of the writer's
  or none;
* ``fines_collect``: deduct what the writer's balance allows of their collectable fines (at an
  order's completion, through ``order_completed``, and at an admin's fine);
* ``fine_appeal``, ``fine_appeal_accept``, ``fine_appeal_reject``.

Locks (``locks.py``): the writer's wallet, then their fines, then an appeal. Every change is
audited; the writer is notified (and e-mailed) of a fine and a decision, the admins of an appeal.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from saas.errors import ApplicationError, Conflict, ErrorCode, NotFound, PermissionDenied
from saas.money import check_amount, round_money
from tenant_apps.audit.diff import apply_changes
from tenant_apps.audit.services import audit_record
from tenant_apps.emails.services import email_send
from tenant_apps.notifications.services import notify
from tenant_apps.wallet.models import Wallet
from tenant_apps.wallet.services import wallet_payment, wallet_refund
from tenant_apps.writing.fines.access import can_be_fined, can_manage_fines
from tenant_apps.writing.fines.locks import appeal_lock, fine_lock, settings_lock, writer_fines_lock
from tenant_apps.writing.fines.models import (
    AppealStatus,
    Fine,
    FineAppeal,
    FineDeduction,
    FineKind,
    FineSettings,
    FineStatus,
    WorkClock,
)
from tenant_apps.writing.orders.models import Order, OrderStatus

#: The longest reason, explanation or note, in characters.
MAX_TEXT = 4000
#: Orders whose fines are collected: the order is closed (its earning given, or none to come).
CLOSED = (OrderStatus.COMPLETED, OrderStatus.CANCELLED)
HOUR = timedelta(hours=1)
ZERO = Decimal("0.00")


# --------------------------------------------------------------------------------------------
# The rules
# --------------------------------------------------------------------------------------------


def fine_settings() -> FineSettings:
    """The site's fine rules (the row ``pk=1``, created with the defaults the first time)."""
    found, _ = FineSettings.objects.get_or_create(pk=1)
    return found


#: The fields of ``FineSettings`` an admin may change.
SETTING_FIELDS = (
    "enabled",
    "late_percent_per_hour",
    "late_cap_percent",
    "grace_minutes",
    "revision_percent",
    "revision_hours",
)


def fine_settings_update(*, actor: Any, **values: Any) -> FineSettings:
    """Change the given fine rules (``SETTING_FIELDS``; validated by the serializer: percentages
    0-100, whole minutes and hours) for admin ``actor``; audited (``writing_fine_settings.updated``,
    the changed fields ``[before, after]``). New rules apply to fines made from then on.
    Raises ``PermissionDenied`` (403: not an admin), ``ApplicationError`` 400 (an unknown field)."""
    if not can_manage_fines(actor):
        raise PermissionDenied("Only admins change the fine rules.")
    unknown = set(values) - set(SETTING_FIELDS)
    if unknown:
        raise ApplicationError("Unknown fine settings.", details={name: ["Unknown field."] for name in sorted(unknown)})
    fine_settings()
    with transaction.atomic():
        row = settings_lock()
        changes = apply_changes(row, values)
        if changes:
            row.save()
            audit_record(actor=actor, verb="writing_fine_settings.updated", target=row, changes=changes)
    return row


def hours_late(*, deadline: datetime, at: datetime, grace_minutes: int) -> int:
    """Started hours between ``deadline`` and ``at`` (``ceil((at - deadline) / 1 h)``), or 0 when
    ``at`` is within ``grace_minutes`` of the deadline (or before it). Past the grace, the hours
    count from the deadline itself."""
    late = at - deadline
    if late <= timedelta(minutes=grace_minutes) or late <= timedelta(0):
        return 0
    return math.ceil(late / HOUR)


def late_fine_amount(*, total: Decimal, currency: str, hours: int, rules: FineSettings) -> Decimal:
    """The fine for ``hours`` late on an order of ``total``: ``late_percent_per_hour`` percent of
    the total per hour, at most ``late_cap_percent`` percent of it, rounded to ``currency``'s step
    (``saas.money.round_money``)."""
    per_hour = total * rules.late_percent_per_hour / 100
    cap = round_money(total * rules.late_cap_percent / 100, currency)
    return min(round_money(per_hour * hours, currency), cap)


def _clock(order: Order) -> WorkClock:
    clock, _ = WorkClock.objects.get_or_create(order=order)
    return clock


def _rule_fine(*, order: Order, kind: str, rule_key: str, amount: Decimal, reason: str, **fields: Any) -> Fine | None:
    """The rule's fine of ``order``'s writer (once per ``rule_key``; ``None`` when it was made
    before or ``amount`` is nothing), notified to the writer and audited."""
    if amount <= 0 or order.writer is None or Fine.objects.filter(rule_key=rule_key).exists():
        return None
    try:
        with transaction.atomic():
            fine = Fine.objects.create(
                writer=order.writer,
                order=order,
                kind=kind,
                reason=reason,
                amount=amount,
                currency=order.currency,
                rule_key=rule_key,
                **fields,
            )
    except IntegrityError:  # a concurrent run of the same rule made it first
        return None
    audit_record(actor=None, verb="writing_fine.issued", target=fine, changes=fine_facts(fine))
    _tell_writer(fine, verb="writing_fine.issued", headline="You were fined.", body=reason)
    return fine


def fine_for_lateness(*, order: Order) -> Fine | None:
    """On ``order``'s first delivery (its lock held): the late-delivery fine of its writer, when
    the rules are on and the writer's submission (``WorkClock.submitted_at``; the delivery time if
    none was recorded) came past the deadline and its grace. Returns the fine or ``None``."""
    rules = fine_settings()
    if not rules.enabled or order.revision_count > 0 or order.writer_id is None:
        return None
    clock = WorkClock.objects.filter(order=order).first()
    at = (clock.submitted_at if clock else None) or order.delivered_at or timezone.now()
    hours = hours_late(deadline=order.deadline, at=at, grace_minutes=rules.grace_minutes)
    if hours == 0:
        return None
    amount = late_fine_amount(total=order.total, currency=order.currency, hours=hours, rules=rules)
    return _rule_fine(
        order=order,
        kind=FineKind.LATE_DELIVERY,
        rule_key=f"late:{order.pk}",
        amount=amount,
        reason=(
            f"Order {order.number} was submitted {_duration(at - order.deadline)} after its deadline: "
            f"{hours} started hour(s) at {rules.late_percent_per_hour} % of the total."
        ),
        hours_late=hours,
    )


def _duration(late: timedelta) -> str:
    """``late`` as ``"2 h 30 min"``."""
    minutes = int(late.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60} min"


def _missed_revision_fine(order: Order, clock: WorkClock) -> Fine | None:
    rules = fine_settings()
    if not rules.enabled:
        return None
    return _rule_fine(
        order=order,
        kind=FineKind.MISSED_REVISION,
        rule_key=f"revision:{order.pk}:{clock.revision_round}",
        amount=round_money(order.total * rules.revision_percent / 100, order.currency),
        reason=f"Revision {clock.revision_round} of order {order.number} was not submitted by its deadline.",
    )


def revision_requested(*, order: Order) -> WorkClock:
    """The client asked for a revision of ``order`` (its lock held): the round
    (``revision_count``) is due ``revision_hours`` from now."""
    clock = _clock(order)
    clock.revision_round = order.revision_count
    clock.revision_due_at = timezone.now() + timedelta(hours=fine_settings().revision_hours)
    clock.save(update_fields=["revision_round", "revision_due_at"])
    return clock


def work_submitted(*, order: Order) -> Fine | None:
    """The writer submitted ``order`` (its lock held): record the time; a revision submitted past
    its due time is fined (``missed_revision``, once a round). Returns that fine or ``None``."""
    clock = _clock(order)
    now = timezone.now()
    fine = None
    if clock.revision_due_at is not None and now > clock.revision_due_at:
        fine = _missed_revision_fine(order, clock)
    clock.submitted_at, clock.revision_due_at = now, None
    clock.save(update_fields=["submitted_at", "revision_due_at"])
    return fine


def fines_for_missed_revisions() -> list[int]:
    """The beat task's sweep: fine every revision round past due and still not submitted (its
    order locked: the invoice, then the order), once a round. Returns the new fines' ids."""
    from tenant_apps.writing.orders.locks import order_with_invoice_lock

    made: list[int] = []
    due = WorkClock.objects.filter(revision_due_at__lt=timezone.now()).values_list("order_id", flat=True)
    for order_id in list(due):
        with transaction.atomic():
            order = order_with_invoice_lock(order_id)
            clock = WorkClock.objects.get(order_id=order_id)
            waiting = order.status in (OrderStatus.REVISION_REQUESTED, OrderStatus.IN_PROGRESS)
            if clock.revision_due_at is None or clock.revision_due_at >= timezone.now() or not waiting:
                continue
            fine = _missed_revision_fine(order, clock)
            if fine is not None:
                made.append(fine.pk)
    return made


# --------------------------------------------------------------------------------------------
# An admin's fine
# --------------------------------------------------------------------------------------------


def fine_issue(
    *, writer: Any, amount: Decimal | int | str, reason: str, actor: Any, order: Order | None = None
) -> Fine:
    """Admin ``actor`` fines ``writer`` ``amount`` (the order's currency, or the site's
    ``DEFAULT_CURRENCY`` without one) for ``reason`` (required), about ``order`` (one of the
    writer's; optional). The writer is notified and e-mailed; what their balance allows is
    deducted at once when the fine is collectable (no order, or the order closed), the rest from
    later earnings (``fines_collect``).

    Raises ``PermissionDenied`` (403: not an admin), ``ApplicationError`` 400 ``validation_error``
    (no reason; ``writer`` not a writer; ``order`` not theirs), 400 ``invalid_amount``.
    """
    if not can_manage_fines(actor):
        raise PermissionDenied("Only admins fine writers.")
    text = (reason or "").strip()[:MAX_TEXT]
    if not text:
        raise ApplicationError("Say why the writer is fined.", details={"reason": ["This field is required."]})
    if not can_be_fined(writer):
        raise ApplicationError("Only writers are fined.", details={"writer": ["Not a writer of this site."]})
    if order is not None and order.writer_id != writer.pk:
        raise ApplicationError("This order is not the writer's.", details={"order": ["Not an order of this writer."]})
    currency = order.currency if order is not None else settings.DEFAULT_CURRENCY
    value = check_amount(amount, currency)
    with transaction.atomic():
        fine = Fine.objects.create(
            writer=writer,
            order=order,
            kind=FineKind.MANUAL,
            reason=text,
            amount=value,
            currency=currency,
            issued_by=actor,
        )
        audit_record(actor=actor, verb="writing_fine.issued", target=fine, changes=fine_facts(fine))
        _tell_writer(fine, verb="writing_fine.issued", headline="You were fined.", body=text)
        fines_collect(writer=writer, actor=actor)
    return fine


# --------------------------------------------------------------------------------------------
# Deduction
# --------------------------------------------------------------------------------------------


def _collectable(fine: Fine) -> bool:
    return fine.order_id is None or (fine.order is not None and fine.order.status in CLOSED)


def fines_collect(*, writer: Any, actor: Any = None) -> Decimal:
    """Deduct from ``writer``'s wallet balance what it allows of their outstanding collectable
    fines (``_collectable``: no order, or the order closed), oldest first: one ``FineDeduction``
    and one ``payment`` ledger row (reference ``fine:<fine>:deduction:<id>``) per fine touched; a
    fine deducted in full becomes ``settled``. The balance never goes below zero: the rest stays
    outstanding for the next call. A fine in another currency than the wallet's waits (nothing
    converts). Returns the total deducted. Locks the wallet, then the fines (``writer_fines_lock``);
    safe to call inside the completion's transaction (the ``order_completed`` receiver)."""
    total = ZERO
    with transaction.atomic():
        wallet, fines = writer_fines_lock(writer)
        available = wallet.balance
        for fine in fines:
            if available <= 0:
                break
            if not _collectable(fine) or fine.currency != wallet.currency:
                continue
            take = min(fine.amount - fine.deducted, available)
            if take <= 0:
                continue
            _deduct(fine, wallet=wallet, amount=take, actor=actor)
            available -= take
            total += take
    return total


def _deduct(fine: Fine, *, wallet: Wallet, amount: Decimal, actor: Any) -> FineDeduction:
    """Take ``amount`` of the locked ``fine`` from the locked ``wallet``."""
    deduction = FineDeduction.objects.create(fine=fine, amount=amount)
    deduction.ledger_entry = wallet_payment(
        wallet=wallet,
        amount=amount,
        actor=actor,
        reference=f"fine:{fine.pk}:deduction:{deduction.pk}",
        memo=f"Fine #{fine.pk}",
    )
    deduction.save(update_fields=["ledger_entry"])
    fine.deducted += amount
    if fine.deducted == fine.amount:
        fine.status = FineStatus.SETTLED
    fine.save(update_fields=["deducted", "status", "updated_at"])
    audit_record(
        actor=actor,
        verb="writing_fine.deducted",
        target=fine,
        changes={"amount": str(amount), "deducted": str(fine.deducted), "status": fine.status},
    )
    return deduction


# --------------------------------------------------------------------------------------------
# Appeals
# --------------------------------------------------------------------------------------------


def fine_appeal(*, fine: Fine, writer: Any, explanation: str) -> FineAppeal:
    """The fined ``writer`` appeals ``fine`` once, with ``explanation`` (required): a ``pending``
    appeal; the admins are notified and e-mailed (``writing_fine.appealed``). Deductions go on
    while it waits; an accepted appeal gives them back.

    Raises ``PermissionDenied`` (403: not the fine's writer), ``ApplicationError`` 400
    ``validation_error`` (no explanation), ``Conflict`` 409 ``conflict`` (appealed before; ``details.appeal``),
    409 ``invalid_status_transition`` (the fine was reversed).
    """
    text = (explanation or "").strip()[:MAX_TEXT]
    if fine.writer_id != getattr(writer, "pk", None):
        raise PermissionDenied("Only the fined writer appeals a fine.")
    if not text:
        raise ApplicationError("Explain why the fine is wrong.", details={"explanation": ["This field is required."]})
    with transaction.atomic():
        _, locked = fine_lock(fine.pk)
        if appeal_lock(locked.pk) is not None:
            raise Conflict("This fine was appealed already.", details={"appeal": "exists"})
        if locked.status == FineStatus.REVERSED:
            raise Conflict(
                "This fine was reversed.", code=ErrorCode.INVALID_STATUS_TRANSITION, details={"status": locked.status}
            )
        appeal = FineAppeal.objects.create(fine=locked, explanation=text)
        audit_record(actor=writer, verb="writing_fine.appealed", target=locked, changes={"explanation": text})
        _tell_admins(locked, verb="writing_fine.appealed", headline="A writer appealed a fine.", body=text)
    return appeal


def _decide(*, fine: Fine, actor: Any, to: str, note: str) -> Fine:
    if not can_manage_fines(actor):
        raise PermissionDenied("Only admins decide appeals.")
    if fine.writer_id == getattr(actor, "pk", None):
        raise PermissionDenied("You cannot decide an appeal of your own.", code=ErrorCode.SELF_APPROVAL_FORBIDDEN)
    with transaction.atomic():
        wallet, locked = fine_lock(fine.pk)
        appeal = appeal_lock(locked.pk)
        if appeal is None:
            raise NotFound("This fine has no appeal.")
        if appeal.status != AppealStatus.PENDING:
            raise Conflict(
                f"This appeal was {appeal.status} already.",
                code=ErrorCode.INVALID_STATUS_TRANSITION,
                details={"status": appeal.status},
            )
        appeal.status, appeal.note, appeal.decided_by, appeal.decided_at = to, note, actor, timezone.now()
        appeal.save(update_fields=["status", "note", "decided_by", "decided_at"])
        changes: dict[str, Any] = {"appeal": [AppealStatus.PENDING, to], "note": note}
        if to == AppealStatus.ACCEPTED:
            changes.update(_reverse(locked, wallet=wallet, actor=actor))
        audit_record(actor=actor, verb=f"writing_fine.appeal_{to}", target=locked, changes=changes)
        verb = f"writing_fine.appeal_{to}"
        headline = (
            "Your appeal was accepted: the fine is reversed."
            if to == AppealStatus.ACCEPTED
            else "Your appeal was rejected: the fine stands."
        )
        _tell_writer(locked, verb=verb, headline=headline, body=note)
        _tell_admins(locked, verb=verb, headline=f"An appeal was {to}.", body=note, exclude=actor.pk)
    return locked


def _reverse(fine: Fine, *, wallet: Wallet, actor: Any) -> dict[str, Any]:
    """Reverse the locked ``fine``: what was deducted goes back to the writer's balance (one
    ``refund`` row from the site, reference ``fine:<id>:reversal``); nothing more is deducted."""
    before = fine.status
    if fine.deducted > 0:
        entry, _ = wallet_refund(
            payer=wallet,
            amount=fine.deducted,
            actor=actor,
            reference=f"fine:{fine.pk}:reversal",
            memo=f"Fine #{fine.pk} reversed",
        )
        fine.reversal_entry = entry
    fine.status, fine.reversed_at = FineStatus.REVERSED, timezone.now()
    fine.save(update_fields=["status", "reversed_at", "reversal_entry", "updated_at"])
    return {"status": [before, fine.status], "given_back": str(fine.deducted)}


def fine_appeal_accept(*, fine: Fine, actor: Any, note: str = "") -> Fine:
    """Admin ``actor`` accepts the pending appeal of ``fine``: the fine is ``reversed`` and what
    was deducted of it is credited back (``refund`` ledger row ``fine:<id>:reversal``). The writer
    and the other admins are notified (``writing_fine.appeal_accepted``; the writer e-mailed).

    Raises ``PermissionDenied`` (403: not an admin; ``self_approval_forbidden``: their own fine),
    ``NotFound`` (404: no appeal), ``Conflict`` 409 ``invalid_status_transition`` (decided before).
    """
    return _decide(fine=fine, actor=actor, to=AppealStatus.ACCEPTED, note=(note or "").strip()[:MAX_TEXT])


def fine_appeal_reject(*, fine: Fine, actor: Any, note: str) -> Fine:
    """Admin ``actor`` rejects the pending appeal of ``fine`` saying why (``note``, required): the
    fine stands. The writer and the other admins are notified (``writing_fine.appeal_rejected``).

    Raises what ``fine_appeal_accept`` raises, and 400 ``validation_error`` (no note).
    """
    text = (note or "").strip()[:MAX_TEXT]
    if not text:
        raise ApplicationError("Say why the appeal is rejected.", details={"note": ["This field is required."]})
    return _decide(fine=fine, actor=actor, to=AppealStatus.REJECTED, note=text)


# --------------------------------------------------------------------------------------------
# Telling people
# --------------------------------------------------------------------------------------------


def fine_facts(fine: Fine) -> dict[str, Any]:
    """What a notification or audit row says about ``fine`` (safe for its writer)."""
    return {
        "fine": fine.pk,
        "kind": fine.kind,
        "amount": str(fine.amount),
        "currency": fine.currency,
        "status": fine.status,
        "order": fine.order_id,
        "order_number": fine.order.number if fine.order is not None else "",
    }


def _tell(fine: Fine, *, recipient: Any, verb: str, headline: str, body: str) -> None:
    """Notify ``recipient`` of ``verb`` about ``fine`` and e-mail them after commit (template
    ``emails/writing_fine_update``)."""
    notify(recipient=recipient, verb=verb, target=fine, extra_data={**fine_facts(fine), "body": body[:2000]})
    if getattr(recipient, "email", ""):
        email_send(
            to=[recipient.email],
            subject=f"Fine #{fine.pk}: {headline}"[:200],
            template="writing_fine_update",
            context={
                "fine": fine.pk,
                "kind": fine.get_kind_display(),
                "amount": f"{fine.amount} {fine.currency}",
                "status": fine.get_status_display(),
                "order": fine.order.number if fine.order is not None else "",
                "headline": headline,
                "body": body[:2000],
            },
        )


def _tell_writer(fine: Fine, *, verb: str, headline: str, body: str) -> None:
    _tell(fine, recipient=fine.writer, verb=verb, headline=headline, body=body)


def _tell_admins(fine: Fine, *, verb: str, headline: str, body: str, exclude: int | None = None) -> None:
    """Tell every active admin (but ``exclude``)."""
    from tenant_apps.accounts.selectors import users_with_roles
    from tenant_apps.kinds import ADMIN

    for admin in users_with_roles(ADMIN, exclude=exclude):
        _tell(fine, recipient=admin, verb=verb, headline=headline, body=body)
