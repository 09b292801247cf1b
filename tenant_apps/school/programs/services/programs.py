"""Programs (bootcamps, advanced courses): create, edit, move through their statuses, delete."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from saas.api.errors import ApplicationError
from saas.billing import plan_slot
from saas.db.slugs import unique_slug
from saas.errors import Conflict, ErrorCode
from saas.money import MAX_AMOUNT, normalize_currency, round_money
from tenant_apps.accounts.models import User
from tenant_apps.audit.diff import apply_changes, audit_value
from tenant_apps.audit.services import audit_record
from tenant_apps.school.programs.access import (
    TEACHER,
    can_manage_programs,
)
from tenant_apps.school.programs.locks import program_lock
from tenant_apps.school.programs.models import (
    FINAL,
    LIVE,
    TRANSITIONS,
    EnrolmentStatus,
    Program,
    ProgramStatus,
    ProgramType,
    program_type_of,
)
from tenant_apps.school.programs.services._common import _denied, _facts, _invalid
from tenant_apps.school.programs.services.enrolments import _advance_waitlist, _close_enrolments, _seats_taken

#: Slugs that name endpoints under ``/api/v1/<type>/`` and so cannot name a program.
RESERVED_SLUGS = frozenset({"mine"})


#: Fields ``program_update`` changes; ``status`` only moves through ``program_transition``.
EDITABLE_FIELDS = frozenset(
    {"title", "slug", "description", "teachers", "start_date", "end_date", "capacity", "price", "currency"}
)


def _teachers(ids: Iterable[Any]) -> list[User]:
    wanted = {int(pk) for pk in ids}
    found = list(User.objects.filter(pk__in=wanted, is_active=True, groups__name=TEACHER).distinct())
    if len(found) != len(wanted):
        missing = sorted(wanted - {user.pk for user in found})
        raise ApplicationError(
            "Teachers must be active users with the teacher role.",
            code=ErrorCode.INVALID_TEACHER,
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
    return unique_slug(
        program_type.programs().exclude(pk=exclude_pk), title, fallback=program_type.key, reserved=RESERVED_SLUGS
    )


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

    Takes one of the plan's ``programs`` (``saas.billing.plan_slot``: bootcamps and advanced
    courses together, held until the commit).

    Raises ``ApplicationError``: ``permission_denied`` (403), ``validation_error``,
    ``invalid_currency``, ``invalid_teacher`` (400), ``slug_taken`` (409); ``PermissionDenied``
    403 ``plan_limit_reached`` (nothing written).
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
        plan_slot("programs")
        chosen = _check_slug(slug) if slug else _free_slug(program_type, values["title"])
        program = program_type.model(slug=chosen, description=(description or "").strip(), **values)
        try:
            with transaction.atomic():
                program.save()
        except IntegrityError:
            raise Conflict(
                f"Another {program_type.label} uses the slug {chosen!r}.",
                code=ErrorCode.SLUG_TAKEN,
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
                **{key: audit_value(value) for key, value in values.items()},
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
        program = program_lock(program_type, program.pk)
        if program.status in FINAL:
            raise Conflict(
                f"This {program_type.label} is {program.status}; it can no longer change.",
                code=ErrorCode.PROGRAM_CLOSED,
            )
        fields = ("title", "start_date", "end_date", "capacity", "price", "currency")
        values = _check_values({name: changes.get(name, getattr(program, name)) for name in fields})
        before = {name: getattr(program, name) for name in fields}
        taken = _seats_taken(program)
        if values["capacity"] < taken:
            raise Conflict(
                f"{taken} seats are taken; the capacity cannot be lower.",
                code=ErrorCode.CAPACITY_BELOW_ENROLLED,
                details={"capacity": [f"At least {taken}."], "seats_taken": taken},
            )
        diff: dict[str, Any] = apply_changes(program, values)
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
            raise Conflict(
                f"Another {program_type.label} uses the slug {program.slug!r}.",
                code=ErrorCode.SLUG_TAKEN,
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
        program = program_lock(program_type, program.pk)
        before = program.status
        allowed = TRANSITIONS[before]
        if status not in allowed:
            raise Conflict(
                f"A {program_type.label} cannot go from {before} to {status}.",
                code=ErrorCode.INVALID_STATUS_TRANSITION,
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
        program = program_lock(program_type, program.pk)
        if program.status != ProgramStatus.DRAFT:
            raise Conflict(
                f"Only a draft {program_type.label} can be deleted; cancel this one instead.",
                code=ErrorCode.PROGRAM_NOT_DELETABLE,
            )
        audit_record(actor=actor, verb="program.deleted", target=program, changes=_facts(program))
        program.delete()
