"""Bootcamps and advanced courses, and the enrolments of students in them (school kind).

Two program types, one design (seed 000: "an abstract base model to avoid code duplication"):

* ``Program`` is the abstract base of ``Bootcamp`` and ``AdvancedCourse``: every field, rule and
  constraint is declared once; each concrete model is its own table (a slug is unique per type).
* ``Enrolment`` is the abstract base of ``BootcampEnrolment`` and ``AdvancedCourseEnrolment``;
  each concrete enrolment adds only its ``program`` foreign key (a real FK with ``PROTECT``, so
  the database keeps every enrolment attached to an existing program of the right type).
  A generic foreign key or a single table with two nullable FKs would lose that guarantee.
* ``ProgramType`` ties a program model to its enrolment model and its URL names; services,
  selectors and views take a ``ProgramType`` (or an instance, whose type they look up) and are
  written once for both.

Money: ``price`` is a ``Decimal`` with two decimal places in ``currency`` (ISO 4217, upper case);
whole units for currencies without a minor unit (JPY), as in the payments app. ``0`` is free.
Dates are calendar dates in the site's time zone (``TIME_ZONE``, UTC).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q, QuerySet


class ProgramStatus(models.TextChoices):
    """Life cycle of a program; the allowed moves are ``TRANSITIONS``."""

    DRAFT = "draft", "Draft"
    REGISTRATION_OPEN = "registration_open", "Registration open"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


#: The only status changes ``program_transition`` makes: forward one step, or cancel a program
#: that has not ended. ``completed`` and ``cancelled`` are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    ProgramStatus.DRAFT: frozenset({ProgramStatus.REGISTRATION_OPEN, ProgramStatus.CANCELLED}),
    ProgramStatus.REGISTRATION_OPEN: frozenset({ProgramStatus.IN_PROGRESS, ProgramStatus.CANCELLED}),
    ProgramStatus.IN_PROGRESS: frozenset({ProgramStatus.COMPLETED, ProgramStatus.CANCELLED}),
    ProgramStatus.COMPLETED: frozenset(),
    ProgramStatus.CANCELLED: frozenset(),
}
#: Statuses in which approvals happen and the waitlist advances (students may still join late).
RUNNING = frozenset({ProgramStatus.REGISTRATION_OPEN, ProgramStatus.IN_PROGRESS})
FINAL = frozenset({ProgramStatus.COMPLETED, ProgramStatus.CANCELLED})


class Program(models.Model):
    """A bootcamp or an advanced course (abstract: see the module docstring).

    ``capacity`` is the number of approved enrolments (seats), at least 1. ``teachers`` are users
    of the site with the ``teacher`` role. ``status`` changes only through
    ``services.program_transition``.
    """

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, help_text="Unique per program type; never only digits.")
    description = models.TextField(blank=True)
    teachers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="taught_%(class)ss")
    start_date = models.DateField()
    end_date = models.DateField()
    capacity = models.PositiveIntegerField(help_text="Seats: approved enrolments at most; 1 or more.")
    price = models.DecimalField(max_digits=12, decimal_places=2, help_text="In `currency`; 0 is free.")
    currency = models.CharField(max_length=3, help_text="ISO 4217, upper case.")
    status = models.CharField(max_length=20, choices=ProgramStatus.choices, default=ProgramStatus.DRAFT, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ("start_date", "id")
        # the list's order (index names: at most 30 characters)
        indexes = [models.Index(fields=["start_date", "id"], name="%(app_label)s_%(class)s_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="%(app_label)s_%(class)s_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="%(app_label)s_%(class)s_capacity_min_1"),
            models.CheckConstraint(condition=Q(price__gte=0), name="%(app_label)s_%(class)s_price_not_negative"),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="%(app_label)s_%(class)s_currency_iso"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_free(self) -> bool:
        return self.price == Decimal("0")


class Bootcamp(Program):
    """An intensive program (``/api/v1/bootcamps/``)."""

    class Meta(Program.Meta):
        verbose_name = "bootcamp"


class AdvancedCourse(Program):
    """An advanced course (``/api/v1/courses/``)."""

    class Meta(Program.Meta):
        verbose_name = "advanced course"


class EnrolmentStatus(models.TextChoices):
    """``requested`` -> ``approved`` | ``waitlisted`` (program full) | ``rejected``;
    ``waitlisted`` -> ``approved`` (a seat freed, automatically, first come first served) |
    ``rejected``; any live status -> ``withdrawn`` (the student) | ``cancelled`` (staff, or the
    program was cancelled or completed without a seat for it)."""

    REQUESTED = "requested", "Requested"
    WAITLISTED = "waitlisted", "Waitlisted"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"
    CANCELLED = "cancelled", "Cancelled"


#: A student has at most one enrolment in one of these per program (a database constraint).
LIVE = frozenset({EnrolmentStatus.REQUESTED, EnrolmentStatus.WAITLISTED, EnrolmentStatus.APPROVED})


class Enrolment(models.Model):
    """A student's registration request for a program and its outcome (abstract; each concrete
    model adds ``program``).

    ``invoice`` is issued on approval (none for a free program). ``waitlisted_at`` orders the
    waitlist (first in, first out) and stays set after a waitlisted enrolment is approved.
    ``reason`` is why it was rejected or cancelled. ``decided_by`` is ``None`` for system
    decisions (automatic approval from the waitlist, cancellation with the program).
    """

    if TYPE_CHECKING:  # declared by every concrete enrolment model
        program: Any
        program_id: int
        student_id: int

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="%(class)ss")
    status = models.CharField(  # indexed by the list indexes (``_list_indexes``)
        max_length=16, choices=EnrolmentStatus.choices, default=EnrolmentStatus.REQUESTED
    )
    reason = models.TextField(blank=True, help_text="Why it was rejected or cancelled.")
    invoice = models.OneToOneField(
        "payments.Invoice",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Issued on approval; none for a free program.",
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True, help_text="Approved, rejected or cancelled at.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ("-requested_at", "-id")
        constraints = [
            # ORed equalities rather than ``status__in``: PostgreSQL re-reads ``IN`` as ``= ANY(ARRAY)``
            # in another spelling, and a tenant cloned from the template would differ from it.
            models.UniqueConstraint(
                fields=["program", "student"],
                condition=(
                    Q(status=EnrolmentStatus.REQUESTED)
                    | Q(status=EnrolmentStatus.WAITLISTED)
                    | Q(status=EnrolmentStatus.APPROVED)
                ),
                name="%(app_label)s_%(class)s_one_live_per_student",
            ),
            models.CheckConstraint(
                condition=~Q(status=EnrolmentStatus.WAITLISTED) | Q(waitlisted_at__isnull=False),
                name="%(app_label)s_%(class)s_waitlist_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} in {self.program_id}: {self.status}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE


def _queue_index(name: str) -> models.Index:
    """The index behind seat counts and the waitlist's order (index names: at most 30 characters)."""
    return models.Index(fields=["program", "status", "waitlisted_at"], name=name)


def _list_indexes(prefix: str) -> list[models.Index]:
    """The list's order, newest request first, alone and after a ``status`` filter."""
    return [
        models.Index(fields=["-requested_at", "-id"], name=f"{prefix}_recent"),
        models.Index(fields=["status", "-requested_at", "-id"], name=f"{prefix}_status"),
    ]


class BootcampEnrolment(Enrolment):
    """A student's enrolment in a ``Bootcamp`` (``/api/v1/bootcamp-enrolments/``)."""

    program = models.ForeignKey(Bootcamp, on_delete=models.PROTECT, related_name="enrolments")

    class Meta(Enrolment.Meta):
        verbose_name = "bootcamp enrolment"
        indexes = [_queue_index("programs_bootcamp_enr_queue"), *_list_indexes("programs_bootcamp_enr")]


class AdvancedCourseEnrolment(Enrolment):
    """A student's enrolment in an ``AdvancedCourse`` (``/api/v1/course-enrolments/``)."""

    program = models.ForeignKey(AdvancedCourse, on_delete=models.PROTECT, related_name="enrolments")

    class Meta(Enrolment.Meta):
        verbose_name = "advanced course enrolment"
        indexes = [_queue_index("programs_course_enr_queue"), *_list_indexes("programs_course_enr")]


@dataclass(frozen=True)
class ProgramType:
    """One program type: its models and how the API names it.

    ``key`` is the singular the API shows (``program.type``), ``path`` the URL prefix
    (``/api/v1/<path>/``) and ``enrolment_path`` that of its enrolments.
    """

    key: str
    path: str
    enrolment_path: str
    model: type[Program]
    enrolment_model: type[Enrolment]

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)

    def programs(self) -> QuerySet[Any]:
        """Every program of this type (no visibility rule: see ``access.programs_visible_to``)."""
        return self.model._default_manager.all()

    def enrolments(self) -> QuerySet[Any]:
        """Every enrolment of this type (no visibility rule: see ``access.enrolments_visible_to``)."""
        return self.enrolment_model._default_manager.all()


BOOTCAMPS = ProgramType(
    key="bootcamp",
    path="bootcamps",
    enrolment_path="bootcamp-enrolments",
    model=Bootcamp,
    enrolment_model=BootcampEnrolment,
)
COURSES = ProgramType(
    key="course",
    path="courses",
    enrolment_path="course-enrolments",
    model=AdvancedCourse,
    enrolment_model=AdvancedCourseEnrolment,
)
PROGRAM_TYPES: tuple[ProgramType, ...] = (BOOTCAMPS, COURSES)


def program_type_of(obj: Program | Enrolment | type[Program] | type[Enrolment]) -> ProgramType:
    """The ``ProgramType`` of a program or enrolment (instance or class)."""
    model = obj if isinstance(obj, type) else type(obj)
    for program_type in PROGRAM_TYPES:
        if issubclass(model, (program_type.model, program_type.enrolment_model)):
            return program_type
    raise LookupError(f"{model!r} is not a program or enrolment model")
