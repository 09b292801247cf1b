"""Enrolment: requests, approval with capacity and an invoice, the waitlist, withdrawal and cancellation."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from saas.errors import Conflict, ErrorCode, PermissionDenied
from tenant_apps.accounts.selectors import users_with_roles
from tenant_apps.audit.services import audit_record
from tenant_apps.notifications.services import notify
from tenant_apps.payments.models import Invoice
from tenant_apps.payments.services import invoice_call_off, invoice_create
from tenant_apps.school.programs import selectors
from tenant_apps.school.programs.access import (
    ENROLMENT_MANAGER_ROLES,
    can_manage_enrolments,
    can_request_enrolment,
)
from tenant_apps.school.programs.locks import (
    enrolment_lock,
    program_enrolments_lock,
    program_lock,
    waitlist_head_lock,
)
from tenant_apps.school.programs.models import (
    FINAL,
    LIVE,
    RUNNING,
    Enrolment,
    EnrolmentStatus,
    Program,
    ProgramStatus,
    ProgramType,
    program_type_of,
)
from tenant_apps.school.programs.services._common import _denied, _facts, _invalid

#: Days from approval to the invoice's due date (earlier if the program starts sooner).
INVOICE_DUE_DAYS = 14


def _seats_taken(program: Program) -> int:
    """Approved enrolments of the locked ``program`` (a seam the race tests slow down)."""
    return selectors.seats_taken(program)


def _close_enrolments(program: Program, *, actor: Any, statuses: Iterable[str], reason: str) -> None:
    for enrolment in program_enrolments_lock(program, statuses=statuses):
        _set_status(
            enrolment, program, status=EnrolmentStatus.CANCELLED, actor=actor, reason=reason, verb="enrolment.cancelled"
        )


def _enrolment_facts(enrolment: Enrolment, program: Program) -> dict[str, Any]:
    facts = {**_facts(program), "enrolment": enrolment.pk, "status": enrolment.status}
    invoice = enrolment.invoice if enrolment.invoice_id is not None else None
    if invoice is not None:
        facts.update(
            invoice=invoice.pk, invoice_number=invoice.number, amount=str(invoice.total), currency=invoice.currency
        )
    return facts


def _set_status(
    enrolment: Enrolment,
    program: Program,
    *,
    status: str,
    actor: Any,
    verb: str,
    reason: str = "",
    extra: dict[str, Any] | None = None,
) -> None:
    """Record ``status`` on the locked ``enrolment``, audit it as ``verb``, notify the student.

    An enrolment that ends (withdrawn, cancelled) calls off its invoice: cancelled while nothing is
    paid, else left for the finance team to refund (they are notified).
    """
    before = enrolment.status
    now = timezone.now()
    enrolment.status = status
    fields = ["status", "updated_at"]
    if status == EnrolmentStatus.WAITLISTED:
        enrolment.waitlisted_at = now
        fields.append("waitlisted_at")
    else:
        enrolment.decided_at = now
        enrolment.decided_by = actor if getattr(actor, "pk", None) else None
        fields += ["decided_at", "decided_by"]
    if reason:
        enrolment.reason = reason
        fields.append("reason")
    enrolment.save(update_fields=fields)
    if status in {EnrolmentStatus.WITHDRAWN, EnrolmentStatus.CANCELLED} and enrolment.invoice is not None:
        invoice_call_off(invoice=enrolment.invoice, actor=actor, reason=f"Enrolment in {program.title} {status}.")
    facts = {**_enrolment_facts(enrolment, program), **(extra or {})}
    audit_record(
        actor=actor,
        verb=verb,
        target=enrolment,
        changes={**facts, "status": [before, status], "reason": reason or None},
    )
    if actor is None or getattr(actor, "pk", None) != enrolment.student_id:
        notify(recipient=enrolment.student, verb=verb, target=enrolment, extra_data={**facts, "reason": reason or None})


def _invoice_for(enrolment: Enrolment, program: Program, *, actor: Any, send_email: bool) -> Invoice | None:
    """The enrolment's invoice: the program's price in its currency, due by the start date or in
    ``INVOICE_DUE_DAYS`` days, whichever is sooner, never before today. ``None`` when free."""
    if program.is_free:
        return None
    today = timezone.localdate()
    due = max(today, min(program.start_date, today + timedelta(days=INVOICE_DUE_DAYS)))
    label = program_type_of(program).label
    return invoice_create(
        customer=enrolment.student,
        due_date=due,
        currency=program.currency,
        lines=[
            {"description": f"{label.capitalize()}: {program.title}"[:300], "quantity": 1, "unit_price": program.price}
        ],
        note=f"Enrolment #{enrolment.pk} in the {label} {program.title!r} "
        f"({program.start_date.isoformat()} to {program.end_date.isoformat()}).",
        created_by=actor,
        send_email=send_email,
    )


def _approve(
    enrolment: Enrolment, program: Program, *, actor: Any, automatic: bool, send_email: bool = True, trigger: str = ""
) -> None:
    """Give the locked ``enrolment`` a seat of the locked ``program`` and bill it."""
    invoice = _invoice_for(enrolment, program, actor=actor, send_email=send_email)
    if invoice is not None:
        enrolment.invoice = invoice
        enrolment.save(update_fields=["invoice"])
    _set_status(
        enrolment,
        program,
        status=EnrolmentStatus.APPROVED,
        actor=actor,
        verb="enrolment.approved_from_waitlist" if automatic else "enrolment.approved",
        extra={"automatic": True, "trigger": trigger} if automatic else None,
    )


def _advance_waitlist(program: Program, *, trigger: str, send_email: bool = True) -> list[Enrolment]:
    """Approve waitlisted enrolments of the locked ``program``, first in first, while seats are
    free and the program is running. A waitlisted student whose account was deactivated is
    cancelled instead (an invoice cannot be issued to them). Returns the approved enrolments."""
    if program.status not in RUNNING:
        return []
    approved: list[Enrolment] = []
    free = program.capacity - _seats_taken(program)
    while free > 0:
        head = waitlist_head_lock(program)
        if head is None:
            break
        if not head.student.is_active:
            _set_status(
                head,
                program,
                status=EnrolmentStatus.CANCELLED,
                actor=None,
                verb="enrolment.cancelled",
                reason="The student's account is deactivated.",
            )
            continue
        _approve(head, program, actor=None, automatic=True, send_email=send_email, trigger=trigger)
        approved.append(head)
        free -= 1
    return approved


def enrolment_request(*, program: Program, student: Any) -> Any:
    """``student`` asks for a seat in ``program``: a ``requested`` enrolment, to be decided by
    support or admin (they are notified).

    Raises ``ApplicationError``: ``permission_denied`` (403, not a student),
    ``registration_closed`` (409, the program's registration is not open), ``already_enrolled``
    (409, a requested, waitlisted or approved enrolment exists).
    """
    if not can_request_enrolment(student):
        raise PermissionDenied("Only students can ask for a seat.")
    program_type = program_type_of(program)
    with transaction.atomic():
        program = program_lock(program_type, program.pk)
        if program.status != ProgramStatus.REGISTRATION_OPEN:
            raise Conflict(
                f"Registration for this {program_type.label} is not open ({program.status}).",
                code=ErrorCode.REGISTRATION_CLOSED,
            )
        enrolments = program_type.enrolments()
        # Under the program's lock, requests for it queue up: this check cannot be raced (the
        # database's one-live-enrolment constraint backs it up).
        live = enrolments.filter(program_id=program.pk, student_id=student.pk, status__in=list(LIVE)).first()
        if live is not None:
            raise Conflict(
                f"You already have a {live.status} enrolment in this {program_type.label}.",
                code=ErrorCode.ALREADY_ENROLLED,
                details={"enrolment": live.pk},
            )
        enrolment = enrolments.create(program=program, student=student)
        facts = _enrolment_facts(enrolment, program)
        audit_record(
            actor=student,
            verb="enrolment.requested",
            target=enrolment,
            changes={**facts, "status": [None, enrolment.status]},
        )
        for manager in users_with_roles(*ENROLMENT_MANAGER_ROLES, exclude=student.pk):
            notify(
                recipient=manager,
                verb="enrolment.requested",
                target=enrolment,
                extra_data={**facts, "student": student.pk, "student_name": student.get_full_name()},
            )
    return enrolment


def _decidable(program_type: ProgramType, enrolment: Enrolment, allowed: Iterable[str], action: str) -> Any:
    """Lock the program then the enrolment; refuse unless its status is in ``allowed``."""
    program = program_lock(program_type, enrolment.program_id)
    locked = enrolment_lock(program_type, enrolment.pk)
    allowed = set(allowed)
    if locked.status not in allowed:
        raise Conflict(
            f"An enrolment that is {locked.status} cannot be {action}.",
            code=ErrorCode.INVALID_STATUS_TRANSITION,
            details={"status": locked.status, "allowed_from": sorted(allowed)},
        )
    return program, locked


def enrolment_approve(*, enrolment: Enrolment, actor: Any, send_invoice_email: bool = True) -> Any:
    """Decide a ``requested`` enrolment (support, admin): approved with an invoice when a seat is
    free, else ``waitlisted`` (the student learns their place in the queue).

    Holds the program's row lock from counting the seats to recording the decision.
    ``send_invoice_email=False`` skips the invoice e-mail (demo data).

    Raises ``ApplicationError``: ``permission_denied`` (403), ``invalid_status_transition`` (409,
    not requested), ``program_not_running`` (409, the program is not open or in progress), and
    the 400 errors of ``invoice_create`` (e.g. ``invalid_customer``: the student is deactivated).
    """
    if not can_manage_enrolments(actor):
        raise _denied()
    program_type = program_type_of(enrolment)
    with transaction.atomic():
        program, enrolment = _decidable(program_type, enrolment, {EnrolmentStatus.REQUESTED}, "approved")
        if program.status not in RUNNING:
            raise Conflict(
                f"This {program_type.label} is {program.status}; nothing can be approved.",
                code=ErrorCode.PROGRAM_NOT_RUNNING,
            )
        # Seats freed earlier always go to the waitlist first (first in, first out).
        _advance_waitlist(program, trigger="enrolment.approved", send_email=send_invoice_email)
        if _seats_taken(program) < program.capacity:
            _approve(enrolment, program, actor=actor, automatic=False, send_email=send_invoice_email)
        else:
            position = selectors.waitlist(program).count() + 1  # the newest entry is last in line
            _set_status(
                enrolment,
                program,
                status=EnrolmentStatus.WAITLISTED,
                actor=actor,
                verb="enrolment.waitlisted",
                extra={"capacity": program.capacity, "waitlist_position": position},
            )
    return enrolment


def enrolment_reject(*, enrolment: Enrolment, actor: Any, reason: str) -> Any:
    """Reject a ``requested`` or ``waitlisted`` enrolment (support, admin) with ``reason``, which
    the student is shown.

    Raises ``ApplicationError``: ``validation_error`` (400, no reason), ``permission_denied``
    (403), ``invalid_status_transition`` (409).
    """
    if not can_manage_enrolments(actor):
        raise _denied()
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", "Give the reason for the rejection.")
    program_type = program_type_of(enrolment)
    with transaction.atomic():
        program, enrolment = _decidable(
            program_type, enrolment, {EnrolmentStatus.REQUESTED, EnrolmentStatus.WAITLISTED}, "rejected"
        )
        _set_status(
            enrolment, program, status=EnrolmentStatus.REJECTED, actor=actor, verb="enrolment.rejected", reason=reason
        )
    return enrolment


def enrolment_withdraw(*, enrolment: Enrolment, student: Any) -> Any:
    """The student withdraws their live enrolment; a seat it held goes to the waitlist at once.

    The invoice, if any, is not changed (paid money is refunded, and unpaid invoices cancelled,
    by the finance team in the payments app).

    Raises ``ApplicationError``: ``permission_denied`` (403, not the student's),
    ``invalid_status_transition`` (409, not live), ``program_closed`` (409, completed or cancelled).
    """
    if getattr(student, "pk", None) != enrolment.student_id:
        raise PermissionDenied("Only the student can withdraw their enrolment.")
    program_type = program_type_of(enrolment)
    with transaction.atomic():
        program, enrolment = _decidable(program_type, enrolment, LIVE, "withdrawn")
        if program.status in FINAL:
            raise Conflict(f"This {program_type.label} is {program.status}.", code=ErrorCode.PROGRAM_CLOSED)
        held_seat = enrolment.status == EnrolmentStatus.APPROVED
        _set_status(enrolment, program, status=EnrolmentStatus.WITHDRAWN, actor=student, verb="enrolment.withdrawn")
        if held_seat:
            _advance_waitlist(program, trigger="enrolment.withdrawn")
    return enrolment


def enrolment_cancel(*, enrolment: Enrolment, actor: Any, reason: str) -> Any:
    """Cancel a live enrolment (support, admin) with ``reason``; a seat it held goes to the
    waitlist at once. The invoice is not changed (see ``enrolment_withdraw``).

    Raises ``ApplicationError``: ``validation_error`` (400, no reason), ``permission_denied``
    (403), ``invalid_status_transition`` (409, not live).
    """
    if not can_manage_enrolments(actor):
        raise _denied()
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", "Give the reason for the cancellation.")
    program_type = program_type_of(enrolment)
    with transaction.atomic():
        program, enrolment = _decidable(program_type, enrolment, LIVE, "cancelled")
        held_seat = enrolment.status == EnrolmentStatus.APPROVED
        _set_status(
            enrolment, program, status=EnrolmentStatus.CANCELLED, actor=actor, verb="enrolment.cancelled", reason=reason
        )
        if held_seat:
            _advance_waitlist(program, trigger="enrolment.cancelled")
    return enrolment
