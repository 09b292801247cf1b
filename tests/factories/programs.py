"""Bootcamps, advanced courses and their enrolments (school kind), made by ``school.programs.services``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from typing import Any, TypeVar

import factory

from tenant_apps.school.programs import services
from tenant_apps.school.programs.models import (
    AdvancedCourse,
    AdvancedCourseEnrolment,
    Bootcamp,
    BootcampEnrolment,
    Enrolment,
    EnrolmentStatus,
    Program,
    ProgramStatus,
    program_type_of,
)
from tests.factories.accounts import UserFactory
from tests.factories.base import ServiceFactory, in_days, site_admin

P = TypeVar("P", bound=Program)
E = TypeVar("E", bound=Enrolment)

#: The transitions ``program_transition`` walks from ``draft`` to reach each status.
WALK: dict[str, list[str]] = {
    ProgramStatus.DRAFT: [],
    ProgramStatus.REGISTRATION_OPEN: [ProgramStatus.REGISTRATION_OPEN],
    ProgramStatus.IN_PROGRESS: [ProgramStatus.REGISTRATION_OPEN, ProgramStatus.IN_PROGRESS],
    ProgramStatus.COMPLETED: [ProgramStatus.REGISTRATION_OPEN, ProgramStatus.IN_PROGRESS, ProgramStatus.COMPLETED],
    ProgramStatus.CANCELLED: [ProgramStatus.CANCELLED],
}


class _ProgramFactory(ServiceFactory[P]):
    """A program made by ``program_create`` as ``actor`` (default: the site's admin): slug from the
    title, values checked (dates, capacity, price in the currency's step), ``teachers`` (users or
    ids) must be active teachers, the audit row. Then walked to ``status`` along the allowed
    transitions (``program_transition``). Default: a draft starting in 30 days for 8 weeks, 10
    seats, 1200.00 USD, no teachers.

    Traits: ``open`` (``status="registration_open"``).
    """

    class Meta:
        abstract = True

    class Params:
        open = factory.Trait(status=ProgramStatus.REGISTRATION_OPEN)

    actor = factory.LazyFunction(site_admin)
    title = factory.Sequence(lambda n: f"Program {n}")
    start_date = factory.LazyFunction(lambda: in_days(30))
    end_date = factory.LazyAttribute(lambda o: o.start_date + timedelta(weeks=8))
    capacity = 10
    price: Decimal | str = Decimal("1200.00")
    currency = "USD"
    description = ""
    slug = ""
    teachers: Iterable[Any] = ()
    status = ProgramStatus.DRAFT

    @classmethod
    def _create(cls, model_class: type[P], *args: Any, **kwargs: Any) -> P:
        status = kwargs.pop("status")
        if status not in WALK:
            raise ValueError(f"{cls.__name__}: unknown status {status!r}")
        kwargs["teachers"] = [getattr(teacher, "pk", teacher) for teacher in kwargs["teachers"]]
        program: P = services.program_create(program_type=program_type_of(model_class), **kwargs)
        for step in WALK[status]:
            program = services.program_transition(program=program, actor=kwargs["actor"], status=step)
        return program


class BootcampFactory(_ProgramFactory[Bootcamp]):
    """A bootcamp; see ``_ProgramFactory``."""

    class Meta:
        model = Bootcamp


class AdvancedCourseFactory(_ProgramFactory[AdvancedCourse]):
    """An advanced course; see ``_ProgramFactory``."""

    class Meta:
        model = AdvancedCourse


class _EnrolmentFactory(ServiceFactory[E]):
    """``student``'s request for a seat in ``program`` (default: a new program open for
    registration), made by ``enrolment_request``: only students, only while registration is open,
    one live enrolment per student and program; managers are notified.

    ``status`` is then reached through the services, decided by ``decided_by`` (default: the
    site's admin): ``approved`` or ``waitlisted`` (``enrolment_approve``: a seat, and an invoice
    unless the program is free; which of the two depends on the seats left, and the factory
    refuses the other outcome), ``rejected`` (``enrolment_reject``, ``reason``), ``withdrawn``
    (by the student), ``cancelled`` (``enrolment_cancel``, ``reason``). No invoice e-mail unless
    ``send_invoice_email=True``.

    Traits: ``approved``, ``waitlisted``, ``rejected``.
    """

    class Meta:
        abstract = True

    class Params:
        approved = factory.Trait(status=EnrolmentStatus.APPROVED)
        waitlisted = factory.Trait(status=EnrolmentStatus.WAITLISTED)
        rejected = factory.Trait(status=EnrolmentStatus.REJECTED)

    student = factory.SubFactory(UserFactory, roles=["student"])
    status = EnrolmentStatus.REQUESTED
    decided_by = None
    reason = "Decided by a test."
    send_invoice_email = False

    @classmethod
    def _create(
        cls,
        model_class: type[E],
        *,
        program: Any,
        student: Any,
        status: str,
        decided_by: Any,
        reason: str,
        send_invoice_email: bool,
    ) -> E:
        enrolment: E = services.enrolment_request(program=program, student=student)
        actor = decided_by or site_admin()
        if status in (EnrolmentStatus.APPROVED, EnrolmentStatus.WAITLISTED):
            enrolment = services.enrolment_approve(
                enrolment=enrolment, actor=actor, send_invoice_email=send_invoice_email
            )
            if enrolment.status != status:
                raise ValueError(f"{cls.__name__}: asked for {status}, the program made it {enrolment.status}")
        elif status == EnrolmentStatus.REJECTED:
            enrolment = services.enrolment_reject(enrolment=enrolment, actor=actor, reason=reason)
        elif status == EnrolmentStatus.WITHDRAWN:
            enrolment = services.enrolment_withdraw(enrolment=enrolment, student=student)
        elif status == EnrolmentStatus.CANCELLED:
            enrolment = services.enrolment_cancel(enrolment=enrolment, actor=actor, reason=reason)
        elif status != EnrolmentStatus.REQUESTED:
            raise ValueError(f"{cls.__name__}: unknown status {status!r}")
        return enrolment


class BootcampEnrolmentFactory(_EnrolmentFactory[BootcampEnrolment]):
    """An enrolment in a bootcamp; see ``_EnrolmentFactory``."""

    class Meta:
        model = BootcampEnrolment

    program = factory.SubFactory(BootcampFactory, open=True)


class AdvancedCourseEnrolmentFactory(_EnrolmentFactory[AdvancedCourseEnrolment]):
    """An enrolment in an advanced course; see ``_EnrolmentFactory``."""

    class Meta:
        model = AdvancedCourseEnrolment

    program = factory.SubFactory(AdvancedCourseFactory, open=True)
