"""The school's admin pages for bootcamps, advanced courses and their enrolments.

Read-only pages (list, filters, search, detail); every change is an action calling the service the
API calls (``services``), with the signed-in admin as the actor:

* programs: open registration, start, complete, cancel (``program_transition``, along
  ``models.TRANSITIONS``), delete drafts (``program_delete``);
* enrolments: approve (``enrolment_approve``: a seat and an invoice, or the waitlist), reject and
  cancel with a reason asked on an intermediate page (``enrolment_reject``, ``enrolment_cancel``).

Lists read through the API's selectors (``selectors.program_list``: seat counts as subqueries,
teachers prefetched; ``selectors.enrolment_list``: program, student, invoice joined), so a page
costs a fixed number of queries.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from saas.admin import ServiceModelAdmin, register, service_action
from saas.admin.extras import form_action
from tenant_apps.school.programs import selectors, services
from tenant_apps.school.programs.models import (
    BOOTCAMPS,
    COURSES,
    AdvancedCourse,
    AdvancedCourseEnrolment,
    Bootcamp,
    BootcampEnrolment,
    ProgramStatus,
    ProgramType,
)


class ProgramAdmin(ServiceModelAdmin):
    """Bootcamps or advanced courses (``program_type``): status moves and draft deletion."""

    program_type: ClassVar[ProgramType]
    list_display = ("title", "status", "start_date", "end_date", "seats", "waitlist", "price", "currency")
    list_filter = ("status", "currency", "start_date")
    search_fields = ("title", "slug", "description")
    date_hierarchy = "start_date"
    ordering = ("start_date", "id")
    fields = (
        "title",
        "slug",
        "status",
        "description",
        "teachers",
        "start_date",
        "end_date",
        "capacity",
        "seats",
        "waitlist",
        "price",
        "currency",
        "enrolments",
        "created_at",
        "updated_at",
    )
    readonly_fields = ("seats", "waitlist", "enrolments")
    actions = ("open_registration", "start", "complete", "cancel", "delete_drafts")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        """The programs the admin may see, with ``seats_taken`` and ``waitlist_length`` and their
        teachers (``selectors.program_list``), in the list's order."""
        queryset = selectors.program_list(self.program_type, user=request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    @staticmethod
    def _step(request: HttpRequest, program: Any, status: str) -> None:
        services.program_transition(program=program, actor=request.user, status=status)

    @service_action(description="Open registration for the selected drafts", success="{count} opened.")
    def open_registration(self, request: HttpRequest, program: Any) -> None:
        self._step(request, program, ProgramStatus.REGISTRATION_OPEN)

    @service_action(description="Start the selected programs (in progress)", success="{count} started.")
    def start(self, request: HttpRequest, program: Any) -> None:
        self._step(request, program, ProgramStatus.IN_PROGRESS)

    @service_action(description="Complete the selected programs", success="{count} completed.")
    def complete(self, request: HttpRequest, program: Any) -> None:
        self._step(request, program, ProgramStatus.COMPLETED)

    @service_action(
        description="Cancel the selected programs (and their live enrolments)", success="{count} cancelled."
    )
    def cancel(self, request: HttpRequest, program: Any) -> None:
        self._step(request, program, ProgramStatus.CANCELLED)

    @service_action(description="Delete the selected drafts", success="{count} deleted.")
    def delete_drafts(self, request: HttpRequest, program: Any) -> None:
        services.program_delete(program=program, actor=request.user)

    @staticmethod
    def seats(program: Any) -> str:
        """``approved / capacity``."""
        return f"{getattr(program, 'seats_taken', 0)} / {program.capacity}"

    @staticmethod
    def waitlist(program: Any) -> int:
        """Waitlisted enrolments."""
        return int(getattr(program, "waitlist_length", 0))

    def enrolments(self, program: Any) -> str:
        """A link to this program's enrolments."""
        opts = self.program_type.enrolment_model._meta
        url = reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")
        return format_html('<a href="{}?program__id__exact={}">{}</a>', url, program.pk, "Enrolments")


@register(Bootcamp)
class BootcampAdmin(ProgramAdmin):
    """Bootcamps (``/api/v1/bootcamps/``)."""

    program_type = BOOTCAMPS


@register(AdvancedCourse)
class AdvancedCourseAdmin(ProgramAdmin):
    """Advanced courses (``/api/v1/courses/``)."""

    program_type = COURSES


class ReasonForm(forms.Form):
    """Why (the student is shown it)."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class EnrolmentAdmin(ServiceModelAdmin):
    """Enrolments of ``program_type``: approve, reject, cancel (as support and admin do in the API)."""

    program_type: ClassVar[ProgramType]
    list_display = ("id", "student", "program", "status", "requested_at", "decided_at", "invoice")
    list_filter = ("status", "program")
    search_fields = ("student__email", "student__full_name", "program__title")
    ordering = ("-requested_at", "-id")
    fields = (
        "program",
        "student",
        "status",
        "reason",
        "invoice",
        "requested_at",
        "waitlisted_at",
        "decided_at",
        "decided_by",
        "updated_at",
    )
    actions = ("approve", "reject", "cancel")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        """The enrolments the admin may see with program, student, invoice and decider joined
        (``selectors.enrolment_list``), in the list's order."""
        queryset = selectors.enrolment_list(self.program_type, user=request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    @service_action(
        description="Approve the selected requests (seat and invoice, or waitlist)", success="{count} decided."
    )
    def approve(self, request: HttpRequest, enrolment: Any) -> None:
        services.enrolment_approve(enrolment=enrolment, actor=request.user)

    @form_action(description="Reject the selected enrolments", form=ReasonForm, success="{count} rejected.")
    def reject(self, request: HttpRequest, enrolment: Any, *, reason: str) -> None:
        services.enrolment_reject(enrolment=enrolment, actor=request.user, reason=reason)

    @form_action(description="Cancel the selected enrolments", form=ReasonForm, success="{count} cancelled.")
    def cancel(self, request: HttpRequest, enrolment: Any, *, reason: str) -> None:
        services.enrolment_cancel(enrolment=enrolment, actor=request.user, reason=reason)


@register(BootcampEnrolment)
class BootcampEnrolmentAdmin(EnrolmentAdmin):
    """Bootcamp enrolments (``/api/v1/bootcamp-enrolments/``)."""

    program_type = BOOTCAMPS


@register(AdvancedCourseEnrolment)
class AdvancedCourseEnrolmentAdmin(EnrolmentAdmin):
    """Advanced course enrolments (``/api/v1/course-enrolments/``)."""

    program_type = COURSES
