"""Writes on programs and enrolments, in the current school tenant's schema.

Rules (issue 4, points 1 and 2; seed 000 — bootcamps and advanced courses, registration requests
approved by staff, capacity and statuses):

* Programs move only along ``models.TRANSITIONS`` (``draft`` -> ``registration_open`` ->
  ``in_progress`` -> ``completed``; anything not final -> ``cancelled``); any other move is
  ``invalid_status_transition`` (409). Cancelling a program cancels its live enrolments;
  completing it cancels the requests and waitlist entries that never got a seat.
* A student asks for a seat only while registration is open, and has at most one live
  (requested, waitlisted or approved) enrolment per program (``already_enrolled``, 409).
* Support or admin approve or reject (with a reason) a request. An approval takes a seat if one
  is free, else puts the request on the waitlist. Seats are approved enrolments, at most
  ``capacity``; the count is read under the program's row lock, so two approvals racing for the
  last seat are served one after the other: one wins, the other is waitlisted.
* The waitlist is first in, first out. When a seat frees up (an approved enrolment is withdrawn
  or cancelled, or the capacity is raised), the first waitlisted enrolments are approved
  automatically in the same transaction, each with its invoice and a notification.
* An approval issues an invoice through ``payments.services.invoice_create``: one line at the
  program's price in its currency, due ``min(start date, today + INVOICE_DUE_DAYS)`` but never
  before today; a free program issues none. The payment state is the invoice's (payments app).
* Every state change is audited inside its transaction; the student is notified of every
  decision about their enrolment, support and admin of every new request.

Locking: a write that reads or changes seats locks the **program row first**
(``_lock_program``, ``SELECT ... FOR UPDATE``), then the enrolment rows it changes, in primary-key
order. Invoices are locked by the payments app after that (invoice creation locks the invoice
counter). Every function is atomic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from saas.api.errors import ApplicationError
from tenant_apps.accounts.models import User
from tenant_apps.audit.services import audit_record
from tenant_apps.notifications.services import notify
from tenant_apps.payments.models import Invoice
from tenant_apps.payments.money import MAX_AMOUNT, normalize_currency, round_money
from tenant_apps.payments.services import invoice_create, invoice_withdraw
from tenant_apps.school.programs import selectors
from tenant_apps.school.programs.access import (
    ENROLMENT_MANAGER_ROLES,
    TEACHER,
    can_manage_enrolments,
    can_manage_programs,
    can_request_enrolment,
)
from tenant_apps.school.programs.models import (
    FINAL,
    LIVE,
    RUNNING,
    TRANSITIONS,
    Enrolment,
    EnrolmentStatus,
    Program,
    ProgramStatus,
    ProgramType,
    program_type_of,
)

#: Days from approval to the invoice's due date (earlier if the program starts sooner).
INVOICE_DUE_DAYS = 14
#: Slugs that name endpoints under ``/api/v1/<type>/`` and so cannot name a program.
RESERVED_SLUGS = frozenset({"mine"})
#: Fields ``program_update`` changes; ``status`` only moves through ``program_transition``.
EDITABLE_FIELDS = frozenset(
    {"title", "slug", "description", "teachers", "start_date", "end_date", "capacity", "price", "currency"}
)


# ---------------------------------------------------------------------------------------------
# Helpers: errors, locks, validation
# ---------------------------------------------------------------------------------------------


def _denied() -> ApplicationError:
    return ApplicationError("Your role does not allow this action.", code="permission_denied", status_code=403)


def _invalid(field: str, message: str, code: str = "validation_error") -> ApplicationError:
    return ApplicationError(message, code=code, details={field: [message]})


def _lock_program(program_type: ProgramType, pk: int) -> Any:
    """The program row, locked until the transaction ends (call inside ``transaction.atomic``)."""
    return program_type.programs().select_for_update(of=("self",)).get(pk=pk)


def _lock_enrolment(program_type: ProgramType, pk: int) -> Any:
    """The enrolment row, locked; lock its program first (``_lock_program``)."""
    return program_type.enrolments().select_for_update(of=("self",)).select_related("student").get(pk=pk)


def _seats_taken(program: Program) -> int:
    """Approved enrolments of the locked ``program`` (a seam the race tests slow down)."""
    return selectors.seats_taken(program)


def _teachers(ids: Iterable[Any]) -> list[User]:
    wanted = {int(pk) for pk in ids}
    found = list(User.objects.filter(pk__in=wanted, is_active=True, groups__name=TEACHER).distinct())
    if len(found) != len(wanted):
        missing = sorted(wanted - {user.pk for user in found})
        raise ApplicationError(
            "Teachers must be active users with the teacher role.",
            code="invalid_teacher",
            details={"teachers": [f"Not a teacher of this site: {missing}."]},
        )
    return found


def _check_slug(slug: str) -> str:
    if not slug or slug != slugify(slug) or len(slug) > 200:
        raise _invalid("slug", "Use lower-case letters, digits and hyphens (at most 200).")
    if slug.isdigit() or slug in RESERVED_SLUGS:
        raise _invalid("slug", "This slug is reserved: a slug cannot be only digits, nor 'mine'.")
    return slug


def _free_slug(program_type: ProgramType, title: str, *, exclude_pk: int | None = None) -> str:
    """A slug made from ``title`` that no other program of the type uses: ``title``, ``title-2``, ..."""
    base = slugify(title)[:190].strip("-") or program_type.key
    if base.isdigit() or base in RESERVED_SLUGS:
        base = f"{program_type.key}-{base}"
    taken = set(
        program_type.programs().filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True)
    )
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _check_values(values: dict[str, Any]) -> dict[str, Any]:
    """Cross-field rules of a program's values (all fields present); returns them normalised.

    Raises ``ApplicationError`` (400): ``validation_error`` (title, dates, capacity, price),
    ``invalid_currency``.
    """
    title = " ".join(str(values["title"] or "").split())
    if not title or len(title) > 200:
        raise _invalid("title", "A title of 1 to 200 characters is required.")
    values["title"] = title
    if values["end_date"] < values["start_date"]:
        raise _invalid("end_date", "The end date must be on or after the start date.")
    if not isinstance(values["capacity"], int) or values["capacity"] < 1:
        raise _invalid("capacity", "The capacity is a whole number of seats, 1 or more.")
    currency = normalize_currency(values["currency"])
    values["currency"] = currency
    try:
        price = Decimal(values["price"])
    except (InvalidOperation, TypeError, ValueError):
        raise _invalid("price", "The price must be a number.") from None
    if not price.is_finite() or price < 0 or price > MAX_AMOUNT or price != round_money(price, currency):
        raise _invalid(
            "price",
            f"The price must be 0 or more, at most {MAX_AMOUNT}, "
            f"in whole steps of {currency} (cents, or units for JPY and the like).",
        )
    values["price"] = round_money(price, currency)
    return values


def _audit_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return [_audit_value(item) for item in value]
    return value


def _facts(program: Program) -> dict[str, Any]:
    program_type = program_type_of(program)
    return {
        "program_type": program_type.key,
        "program": program.pk,
        "program_title": program.title,
        "program_slug": program.slug,
    }


# ---------------------------------------------------------------------------------------------
# Programs
# ---------------------------------------------------------------------------------------------


def program_create(
    *,
    program_type: ProgramType,
    actor: Any,
    title: str,
    start_date: date,
    end_date: date,
    capacity: int,
    price: Decimal | str | int,
    currency: str,
    description: str = "",
    slug: str = "",
    teachers: Iterable[int] = (),
) -> Any:
    """Create a ``draft`` program of ``program_type`` (admin).

    ``slug``: given (lower case, digits and hyphens, not only digits) or made from the title
    (``title-2`` when taken). ``teachers``: ids of active users with the ``teacher`` role.
    ``price`` in ``currency`` (ISO 4217), 0 or more, in the currency's step.

    Raises ``ApplicationError``: ``permission_denied`` (403), ``validation_error``,
    ``invalid_currency``, ``invalid_teacher`` (400), ``slug_taken`` (409).
    """
    if not can_manage_programs(actor):
        raise _denied()
    values = _check_values(
        {
            "title": title,
            "start_date": start_date,
            "end_date": end_date,
            "capacity": capacity,
            "price": price,
            "currency": currency,
        }
    )
    teacher_users = _teachers(teachers)
    with transaction.atomic():
        chosen = _check_slug(slug) if slug else _free_slug(program_type, values["title"])
        program = program_type.model(slug=chosen, description=(description or "").strip(), **values)
        try:
            with transaction.atomic():
                program.save()
        except IntegrityError:
            raise ApplicationError(
                f"Another {program_type.label} uses the slug {chosen!r}.",
                code="slug_taken",
                status_code=409,
                details={"slug": ["Already in use."]},
            ) from None
        program.teachers.set(teacher_users)
        audit_record(
            actor=actor,
            verb="program.created",
            target=program,
            changes={
                **_facts(program),
                "status": [None, program.status],
                **{key: _audit_value(value) for key, value in values.items()},
                "teachers": sorted(user.pk for user in teacher_users),
            },
        )
    return program


def program_update(*, program: Program, actor: Any, changes: Mapping[str, Any]) -> Any:
    """Change some of ``EDITABLE_FIELDS`` of ``program`` (admin); ``teachers`` replaces the list.

    The rules of ``program_create`` apply to the result. The capacity cannot go below the seats
    taken; raising it approves waitlisted enrolments into the new seats (with invoices). Existing
    invoices keep their amounts when the price changes.

    Raises ``ApplicationError``: ``permission_denied`` (403); ``validation_error``,
    ``invalid_currency``, ``invalid_teacher`` (400); ``program_closed`` (409, completed or
    cancelled), ``capacity_below_enrolled`` (409), ``slug_taken`` (409).
    """
    if not can_manage_programs(actor):
        raise _denied()
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise _invalid(sorted(unknown)[0], "This field cannot be changed here.")
    program_type = program_type_of(program)
    with transaction.atomic():
        program = _lock_program(program_type, program.pk)
        if program.status in FINAL:
            raise ApplicationError(
                f"This {program_type.label} is {program.status}; it can no longer change.",
                code="program_closed",
                status_code=409,
            )
        fields = ("title", "start_date", "end_date", "capacity", "price", "currency")
        values = _check_values({name: changes.get(name, getattr(program, name)) for name in fields})
        before = {name: getattr(program, name) for name in fields}
        taken = _seats_taken(program)
        if values["capacity"] < taken:
            raise ApplicationError(
                f"{taken} seats are taken; the capacity cannot be lower.",
                code="capacity_below_enrolled",
                status_code=409,
                details={"capacity": [f"At least {taken}."], "seats_taken": taken},
            )
        diff: dict[str, Any] = {
            name: [_audit_value(before[name]), _audit_value(values[name])]
            for name in fields
            if before[name] != values[name]
        }
        for name in fields:
            setattr(program, name, values[name])
        if "slug" in changes and changes["slug"] != program.slug:
            diff["slug"] = [program.slug, _check_slug(str(changes["slug"]))]
            program.slug = diff["slug"][1]
        if "description" in changes and (changes["description"] or "").strip() != program.description:
            program.description = (changes["description"] or "").strip()
            diff["description"] = "changed"
        try:
            with transaction.atomic():
                program.save()
        except IntegrityError:
            raise ApplicationError(
                f"Another {program_type.label} uses the slug {program.slug!r}.",
                code="slug_taken",
                status_code=409,
                details={"slug": ["Already in use."]},
            ) from None
        if "teachers" in changes:
            old = sorted(program.teachers.values_list("pk", flat=True))
            new_teachers = _teachers(changes["teachers"])
            if old != sorted(user.pk for user in new_teachers):
                program.teachers.set(new_teachers)
                diff["teachers"] = [old, sorted(user.pk for user in new_teachers)]
        if diff:
            audit_record(actor=actor, verb="program.updated", target=program, changes={**_facts(program), **diff})
        if values["capacity"] > before["capacity"]:
            _advance_waitlist(program, trigger="program.capacity_raised")
    return program


def program_transition(*, program: Program, actor: Any, status: str) -> Any:
    """Move ``program`` to ``status`` along ``models.TRANSITIONS`` (admin).

    To ``cancelled``: every live enrolment is cancelled (students notified). To ``completed``:
    requests and waitlist entries still without a seat are cancelled. Invoices already issued
    are left to the finance team (payments app).

    Raises ``ApplicationError``: ``permission_denied`` (403), ``validation_error`` (400, unknown
    status), ``invalid_status_transition`` (409, with ``details.allowed``).
    """
    if not can_manage_programs(actor):
        raise _denied()
    if status not in ProgramStatus.values:
        raise _invalid("status", f"Choose from: {', '.join(ProgramStatus.values)}.")
    program_type = program_type_of(program)
    with transaction.atomic():
        program = _lock_program(program_type, program.pk)
        before = program.status
        allowed = TRANSITIONS[before]
        if status not in allowed:
            raise ApplicationError(
                f"A {program_type.label} cannot go from {before} to {status}.",
                code="invalid_status_transition",
                status_code=409,
                details={"status": [before, status], "allowed": sorted(allowed)},
            )
        program.status = status
        program.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            verb="program.status_changed",
            target=program,
            changes={**_facts(program), "status": [before, status]},
        )
        if status == ProgramStatus.CANCELLED:
            _close_enrolments(program, actor=actor, statuses=LIVE, reason=f"The {program_type.label} was cancelled.")
        elif status == ProgramStatus.COMPLETED:
            _close_enrolments(
                program,
                actor=actor,
                statuses={EnrolmentStatus.REQUESTED, EnrolmentStatus.WAITLISTED},
                reason=f"The {program_type.label} has ended without a seat for this request.",
            )
    return program


def program_delete(*, program: Program, actor: Any) -> None:
    """Delete a ``draft`` program (admin); a program that was ever open is cancelled instead.

    Raises ``ApplicationError``: ``permission_denied`` (403), ``program_not_deletable`` (409).
    """
    if not can_manage_programs(actor):
        raise _denied()
    program_type = program_type_of(program)
    with transaction.atomic():
        program = _lock_program(program_type, program.pk)
        if program.status != ProgramStatus.DRAFT:
            raise ApplicationError(
                f"Only a draft {program_type.label} can be deleted; cancel this one instead.",
                code="program_not_deletable",
                status_code=409,
            )
        audit_record(actor=actor, verb="program.deleted", target=program, changes=_facts(program))
        program.delete()


def _close_enrolments(program: Program, *, actor: Any, statuses: Iterable[str], reason: str) -> None:
    program_type = program_type_of(program)
    enrolments = (
        program_type.enrolments()
        .select_for_update(of=("self",))
        .select_related("student")
        .filter(program_id=program.pk, status__in=list(statuses))
        .order_by("pk")
    )
    for enrolment in enrolments:
        _set_status(
            enrolment, program, status=EnrolmentStatus.CANCELLED, actor=actor, reason=reason, verb="enrolment.cancelled"
        )


# ---------------------------------------------------------------------------------------------
# Enrolments
# ---------------------------------------------------------------------------------------------


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
        invoice_withdraw(invoice=enrolment.invoice, actor=actor, reason=f"Enrolment in {program.title} {status}.")
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
    program_type = program_type_of(program)
    approved: list[Enrolment] = []
    free = program.capacity - _seats_taken(program)
    while free > 0:
        head = (
            program_type.enrolments()
            .select_for_update(of=("self",))
            .select_related("student")
            .filter(program_id=program.pk, status=EnrolmentStatus.WAITLISTED)
            .order_by("waitlisted_at", "id")
            .first()
        )
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
        raise ApplicationError("Only students can ask for a seat.", code="permission_denied", status_code=403)
    program_type = program_type_of(program)
    with transaction.atomic():
        program = _lock_program(program_type, program.pk)
        if program.status != ProgramStatus.REGISTRATION_OPEN:
            raise ApplicationError(
                f"Registration for this {program_type.label} is not open ({program.status}).",
                code="registration_closed",
                status_code=409,
            )
        enrolments = program_type.enrolments()
        # Under the program's lock, requests for it queue up: this check cannot be raced (the
        # database's one-live-enrolment constraint backs it up).
        live = enrolments.filter(program_id=program.pk, student_id=student.pk, status__in=list(LIVE)).first()
        if live is not None:
            raise ApplicationError(
                f"You already have a {live.status} enrolment in this {program_type.label}.",
                code="already_enrolled",
                status_code=409,
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
        managers = (
            User.objects.filter(groups__name__in=ENROLMENT_MANAGER_ROLES, is_active=True)
            .exclude(pk=student.pk)
            .distinct()
        )
        for manager in managers:
            notify(
                recipient=manager,
                verb="enrolment.requested",
                target=enrolment,
                extra_data={**facts, "student": student.pk, "student_name": student.get_full_name()},
            )
    return enrolment


def _decidable(program_type: ProgramType, enrolment: Enrolment, allowed: Iterable[str], action: str) -> Any:
    """Lock the program then the enrolment; refuse unless its status is in ``allowed``."""
    program = _lock_program(program_type, enrolment.program_id)
    locked = _lock_enrolment(program_type, enrolment.pk)
    allowed = set(allowed)
    if locked.status not in allowed:
        raise ApplicationError(
            f"An enrolment that is {locked.status} cannot be {action}.",
            code="invalid_status_transition",
            status_code=409,
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
            raise ApplicationError(
                f"This {program_type.label} is {program.status}; nothing can be approved.",
                code="program_not_running",
                status_code=409,
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
        raise ApplicationError(
            "Only the student can withdraw their enrolment.", code="permission_denied", status_code=403
        )
    program_type = program_type_of(enrolment)
    with transaction.atomic():
        program, enrolment = _decidable(program_type, enrolment, LIVE, "withdrawn")
        if program.status in FINAL:
            raise ApplicationError(
                f"This {program_type.label} is {program.status}.", code="program_closed", status_code=409
            )
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
