"""Request and response shapes of the programs API, shared by both program types.

Money is a string with two decimals (``"1200.00"``) in the program's ``currency`` (ISO 4217);
dates are ``YYYY-MM-DD``. Status enums are named components (``ProgramStatusEnum``,
``EnrolmentStatusEnum``), since other apps have ``status`` fields with other choices.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from saas.api.fields import AsciiDecimalField
from saas.api.schema import NamedChoiceField
from tenant_apps.payments.models import InvoiceStatus
from tenant_apps.school.programs.models import EnrolmentStatus, ProgramStatus, program_type_of
from tenant_apps.school.programs.selectors import waitlist_position

_PROGRAM_TYPES = (("bootcamp", "Bootcamp"), ("course", "Advanced course"))


class TeacherSerializer(serializers.Serializer):
    """A teacher as everyone sees them: no e-mail address."""

    id = serializers.IntegerField(read_only=True)
    full_name = serializers.CharField(read_only=True)


class StudentSerializer(serializers.Serializer):
    """The student of an enrolment or a seat: ``{id, email, full_name}``."""

    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    full_name = serializers.CharField(read_only=True)


class _ProgramTypeField(NamedChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(component_name="ProgramTypeEnum", choices=_PROGRAM_TYPES, read_only=True, source="*", **kwargs)

    def to_representation(self, value: Any) -> str:
        return program_type_of(value).key


class ProgramSummarySerializer(serializers.Serializer):
    """A program as shown inside an enrolment."""

    id = serializers.IntegerField(read_only=True)
    type = _ProgramTypeField()
    title = serializers.CharField(read_only=True)
    slug = serializers.SlugField(read_only=True)
    status = NamedChoiceField(component_name="ProgramStatusEnum", choices=ProgramStatus.choices, read_only=True)
    start_date = serializers.DateField(read_only=True)
    end_date = serializers.DateField(read_only=True)
    price = AsciiDecimalField(max_digits=12, decimal_places=2, read_only=True)
    currency = serializers.CharField(read_only=True)


class ProgramSerializer(ProgramSummarySerializer):
    """A bootcamp or an advanced course. ``seats_taken`` counts approved enrolments,
    ``seats_left`` = ``capacity`` - ``seats_taken``; ``waitlist_length`` counts waitlisted ones."""

    description = serializers.CharField(read_only=True)
    teachers = TeacherSerializer(many=True, read_only=True)
    capacity = serializers.IntegerField(read_only=True)
    seats_taken = serializers.IntegerField(read_only=True)
    seats_left = serializers.SerializerMethodField()
    waitlist_length = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_seats_left(self, program: Any) -> int:
        return max(int(program.capacity) - int(program.seats_taken), 0)


class ProgramInputSerializer(serializers.Serializer):
    """Create (every field but ``slug``, ``description`` and ``teachers`` required) or change
    (``PATCH``: any of them) a program. ``slug`` defaults to one made from the title;
    ``teachers`` are user ids of teachers and replace the list."""

    title = serializers.CharField(max_length=200)
    slug = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    teachers = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False, max_length=100
    )
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    capacity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    price = AsciiDecimalField(max_digits=12, decimal_places=2, min_value=0)
    currency = serializers.CharField(min_length=3, max_length=3)


class ProgramTransitionSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/{bootcamps,courses}/{ref}/transition/`` (admin): ``{status}``, the program's
    next status."""

    status = NamedChoiceField(component_name="ProgramStatusEnum", choices=ProgramStatus.choices)


class PaymentStateSerializer(serializers.Serializer):
    """The enrolment's invoice: ``status`` and ``amount_paid`` follow its approved payments
    (pay it through ``/api/v1/invoices/{invoice}/``)."""

    invoice = serializers.IntegerField(source="pk", read_only=True)
    number = serializers.CharField(read_only=True)
    status = NamedChoiceField(
        component_name="EnrolmentInvoiceStatusEnum", choices=InvoiceStatus.choices, read_only=True
    )
    total = AsciiDecimalField(max_digits=12, decimal_places=2, read_only=True)
    amount_paid = AsciiDecimalField(max_digits=12, decimal_places=2, read_only=True)
    amount_due = serializers.SerializerMethodField()
    currency = serializers.CharField(read_only=True)
    due_date = serializers.DateField(read_only=True)

    def get_amount_due(self, invoice: Any) -> str:
        return str(0 if invoice.cancelled_at else invoice.total - invoice.amount_paid)


class EnrolmentSerializer(serializers.Serializer):
    """A student's enrolment in a program: its status, the program and the payment state
    (``payment`` is ``null`` until approval, and for free programs). ``waitlist_position`` is
    1 for the next in line, ``null`` unless waitlisted. ``reason`` says why it was rejected or
    cancelled."""

    id = serializers.IntegerField(read_only=True)
    program = ProgramSummarySerializer(read_only=True)
    student = StudentSerializer(read_only=True)
    status = NamedChoiceField(component_name="EnrolmentStatusEnum", choices=EnrolmentStatus.choices, read_only=True)
    reason = serializers.CharField(read_only=True)
    waitlist_position = serializers.SerializerMethodField()
    payment = PaymentStateSerializer(source="invoice", read_only=True, allow_null=True)
    requested_at = serializers.DateTimeField(read_only=True)
    waitlisted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def get_waitlist_position(self, enrolment: Any) -> int | None:
        return waitlist_position(enrolment)


class ProgramStudentSerializer(serializers.Serializer):
    """A student holding a seat in the program (its teachers, support and admin see these)."""

    enrolment = serializers.IntegerField(source="pk", read_only=True)
    student = StudentSerializer(read_only=True)
    enrolled_at = serializers.DateTimeField(source="decided_at", read_only=True)


class EnrolmentRequestSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/{bootcamp,course}-enrolments/`` (students): ``{program}``, the program's id."""

    program = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The program's id.")


class ReasonSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/{bootcamp,course}-enrolments/{id}/reject/`` and ``.../cancel/``: ``{reason}``."""

    reason = serializers.CharField(max_length=2000, help_text="Shown to the student.")
