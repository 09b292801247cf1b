"""Demo data of the programs app for ``manage.py setup_demo`` on a school site.

Call inside the school tenant's context, after its demo users exist::

    from tenant_apps.school.programs.demo import seed_demo

    with tenant_context(tenant):
        made = seed_demo(password=password)

Idempotent: a demo program that exists (by slug) is kept as it is, with its enrolments; what is
missing is created. Invoices are issued without e-mail (the console backend would print PDFs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from saas.db.tenant import current_schema
from tenant_apps.accounts.models import User
from tenant_apps.accounts.roles import ADMIN
from tenant_apps.accounts.services import user_create
from tenant_apps.school.kind import STUDENT, TEACHER
from tenant_apps.school.programs import services
from tenant_apps.school.programs.models import (
    BOOTCAMPS,
    COURSES,
    PROGRAM_TYPES,
    EnrolmentStatus,
    ProgramStatus,
    ProgramType,
)

#: The path of statuses a program walks to reach each status (from ``draft``).
_PATH = {
    ProgramStatus.DRAFT: [],
    ProgramStatus.REGISTRATION_OPEN: [ProgramStatus.REGISTRATION_OPEN],
    ProgramStatus.IN_PROGRESS: [ProgramStatus.REGISTRATION_OPEN, ProgramStatus.IN_PROGRESS],
    ProgramStatus.COMPLETED: [ProgramStatus.REGISTRATION_OPEN, ProgramStatus.IN_PROGRESS, ProgramStatus.COMPLETED],
    ProgramStatus.CANCELLED: [ProgramStatus.REGISTRATION_OPEN, ProgramStatus.CANCELLED],
}


@dataclass(frozen=True)
class _DemoProgram:
    program_type: ProgramType
    slug: str
    title: str
    status: str
    starts_in_days: int
    weeks: int
    capacity: int
    price: str
    teachers: tuple[str, ...] = ("teacher",)
    #: (student key, "approve" or "request"), in order, while registration is open.
    enrolments: tuple[tuple[str, str], ...] = field(default_factory=tuple)


_PROGRAMS = (
    _DemoProgram(
        BOOTCAMPS,
        "python-web-bootcamp",
        "Python Web Bootcamp",
        ProgramStatus.REGISTRATION_OPEN,
        30,
        12,
        2,
        "1200.00",
        ("teacher", "teacher2"),
        (("student", "approve"), ("student2", "approve"), ("student3", "approve"), ("student4", "request")),
    ),
    _DemoProgram(
        BOOTCAMPS,
        "data-science-bootcamp",
        "Data Science Bootcamp",
        ProgramStatus.DRAFT,
        90,
        16,
        20,
        "1800.00",
        ("teacher2",),
    ),
    _DemoProgram(
        BOOTCAMPS,
        "devops-bootcamp",
        "DevOps Bootcamp",
        ProgramStatus.IN_PROGRESS,
        -14,
        10,
        15,
        "1500.00",
        ("teacher",),
        (("student2", "approve"),),
    ),
    _DemoProgram(
        BOOTCAMPS,
        "frontend-bootcamp-spring",
        "Frontend Bootcamp (spring)",
        ProgramStatus.COMPLETED,
        -150,
        12,
        15,
        "990.00",
        ("teacher",),
        (("student3", "approve"),),
    ),
    _DemoProgram(
        BOOTCAMPS,
        "mobile-bootcamp",
        "Mobile Apps Bootcamp",
        ProgramStatus.CANCELLED,
        45,
        8,
        10,
        "1100.00",
        ("teacher2",),
    ),
    _DemoProgram(
        COURSES,
        "advanced-django",
        "Advanced Django",
        ProgramStatus.REGISTRATION_OPEN,
        21,
        6,
        25,
        "450.00",
        ("teacher",),
        (("student", "request"), ("student3", "approve")),
    ),
    _DemoProgram(
        COURSES, "distributed-systems", "Distributed Systems", ProgramStatus.DRAFT, 60, 8, 30, "600.00", ("teacher",)
    ),
    _DemoProgram(
        COURSES,
        "postgresql-performance",
        "PostgreSQL Performance",
        ProgramStatus.IN_PROGRESS,
        -7,
        4,
        12,
        "380.00",
        ("teacher2",),
        (("student", "approve"),),
    ),
    _DemoProgram(
        COURSES,
        "clean-architecture",
        "Clean Architecture",
        ProgramStatus.COMPLETED,
        -90,
        5,
        20,
        "0.00",
        ("teacher",),
        (("student4", "approve"),),
    ),
    _DemoProgram(
        COURSES,
        "rust-for-pythonistas",
        "Rust for Pythonistas",
        ProgramStatus.CANCELLED,
        30,
        6,
        15,
        "420.00",
        ("teacher2",),
    ),
)

_PEOPLE = {
    "teacher": (TEACHER, "Demo Teacher"),
    "teacher2": (TEACHER, "Grace Hopper"),
    "student": (STUDENT, "Demo Student"),
    "student2": (STUDENT, "Ada Lovelace"),
    "student3": (STUDENT, "Alan Turing"),
    "student4": (STUDENT, "Katherine Johnson"),
}


def _email(key: str) -> str:
    return f"{key}@{current_schema()}.{settings.PLATFORM_DOMAIN}"


def _person(key: str, password: str) -> User:
    """The demo user ``<key>@<site host>``: the existing one, or a new one with ``password``."""
    user = User.objects.filter(email=_email(key)).first()
    if user is None:
        role, name = _PEOPLE[key]
        user = user_create(email=_email(key), password=password, roles=[role], full_name=name)
    return user


def _admin(password: str) -> User:
    admin = User.objects.filter(groups__name=ADMIN, is_active=True).order_by("pk").first()
    if admin is None:
        admin = user_create(email=_email("admin"), password=password, roles=[ADMIN], full_name="Demo Admin")
    return admin


def _create(spec: _DemoProgram, *, admin: User, people: dict[str, User]) -> None:
    today = timezone.localdate()
    start = today + timedelta(days=spec.starts_in_days)
    program = services.program_create(
        program_type=spec.program_type,
        actor=admin,
        title=spec.title,
        slug=spec.slug,
        description=f"{spec.title}: a demo {spec.program_type.label} of {spec.weeks} weeks.",
        start_date=start,
        end_date=start + timedelta(weeks=spec.weeks),
        capacity=spec.capacity,
        price=Decimal(spec.price),
        currency=settings.DEFAULT_CURRENCY,
        teachers=[people[key].pk for key in spec.teachers],
    )
    for step in _PATH[ProgramStatus(spec.status)]:
        program = services.program_transition(program=program, actor=admin, status=step)
        if step == ProgramStatus.REGISTRATION_OPEN:
            for student_key, decision in spec.enrolments:
                enrolment = services.enrolment_request(program=program, student=people[student_key])
                if decision == "approve":
                    services.enrolment_approve(enrolment=enrolment, actor=admin, send_invoice_email=False)


def seed_demo(*, password: str) -> dict[str, Any]:
    """Create the demo programs of the current school site and return what exists, for printing.

    * 5 bootcamps and 5 advanced courses, one in each status (draft, registration open, in
      progress, completed, cancelled), taught by ``teacher@`` and ``teacher2@<site host>``;
    * students ``student@`` (the site's demo student) and ``student2@`` .. ``student4@`` (created
      with ``password`` when missing);
    * enrolments: approved with an unpaid invoice, waitlisted (the open bootcamp has 2 seats and 3
      approvals), requested (waiting for support), and approved in running and past programs.

    Returns ``{"programs": [{type, slug, title, status, seats, teachers}], "enrolments":
    [{type, program, student, status, invoice, amount}], "users": [emails]}``.
    """
    with transaction.atomic():
        admin = _admin(password)
        people = {key: _person(key, password) for key in _PEOPLE}
        for spec in _PROGRAMS:
            if not spec.program_type.programs().filter(slug=spec.slug).exists():
                _create(spec, admin=admin, people=people)
    return _report(people)


def _report(people: dict[str, User]) -> dict[str, Any]:
    slugs = {spec.slug for spec in _PROGRAMS}
    programs: list[dict[str, Any]] = []
    enrolments: list[dict[str, Any]] = []
    for program_type in PROGRAM_TYPES:
        for program in program_type.programs().filter(slug__in=slugs).prefetch_related("teachers").order_by("pk"):
            taken = program.enrolments.filter(status=EnrolmentStatus.APPROVED).count()
            programs.append(
                {
                    "type": program_type.key,
                    "slug": program.slug,
                    "title": program.title,
                    "status": program.status,
                    "seats": f"{taken}/{program.capacity}",
                    "teachers": sorted(t.email for t in program.teachers.all()),
                }
            )
        for enrolment in (
            program_type.enrolments()
            .filter(program__slug__in=slugs)
            .select_related("program", "student", "invoice")
            .order_by("pk")
        ):
            invoice = enrolment.invoice
            enrolments.append(
                {
                    "type": program_type.key,
                    "program": enrolment.program.slug,
                    "student": enrolment.student.email,
                    "status": enrolment.status,
                    "invoice": invoice.number if invoice else None,
                    "amount": f"{invoice.total} {invoice.currency}" if invoice else None,
                    "invoice_status": invoice.status if invoice else None,
                }
            )
    return {"programs": programs, "enrolments": enrolments, "users": sorted(p.email for p in people.values())}
