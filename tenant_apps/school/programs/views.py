"""The programs API: thin views over ``services`` and ``selectors``, written once and bound to a
program type by one-line subclasses (``BootcampViewSet``, ``AdvancedCourseViewSet``, ...).

``<type>`` is ``bootcamps`` or ``courses``; ``{ref}`` is a program's id or slug.

| method and path | who | does |
| --- | --- | --- |
| ``GET /<type>/`` | anyone | programs (drafts: support, admin, their teachers); filters, search, ordering |
| ``POST /<type>/`` | admin | create a draft -> 201 |
| ``GET /<type>/{ref}/`` | anyone who may see it | the program |
| ``PATCH /<type>/{ref}/`` | admin | change it (raising the capacity advances the waitlist) |
| ``DELETE /<type>/{ref}/`` | admin | delete a draft -> 204 |
| ``POST /<type>/{ref}/transition/`` | admin | ``{"status"}`` along the allowed transitions |
| ``GET /<type>/{ref}/students/`` | its teachers, support, admin | students holding a seat |
| ``GET /<type>/mine/`` | any user | "My bootcamps" / "My courses": your enrolments with payment state |
| ``GET /<type-singular>-enrolments/`` | support, admin: all; others: their own | filter, search, order |
| ``POST /<type-singular>-enrolments/`` | student | ``{"program": id}``: ask for a seat -> 201 ``requested`` |
| ``GET /<type-singular>-enrolments/{id}/`` | who may see it | the enrolment |
| ``POST .../{id}/approve/`` | support, admin | approved with an invoice, or waitlisted when full |
| ``POST .../{id}/reject/`` | support, admin | ``{"reason"}`` |
| ``POST .../{id}/cancel/`` | support, admin | ``{"reason"}``; a freed seat goes to the waitlist |
| ``POST .../{id}/withdraw/`` | the student | a freed seat goes to the waitlist |

Errors (one shape): 400 ``validation_error``, ``invalid_currency``, ``invalid_teacher``; 401;
403 ``permission_denied``; 404 ``not_found``; 409 ``invalid_status_transition``,
``registration_closed``, ``already_enrolled``, ``program_not_running``, ``program_closed``,
``program_not_deletable``, ``capacity_below_enrolled``, ``slug_taken``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from saas.api.views import VisibleQuerysetMixin
from saas.errors import PermissionDenied
from tenant_apps.accounts.permissions import HasRole
from tenant_apps.school.programs import selectors, services
from tenant_apps.school.programs.access import (
    PROGRAM_MANAGER_ROLES,
    STUDENT_ROLES,
    access_enrolment,
    access_program,
    can_see_students,
)
from tenant_apps.school.programs.filters import EnrolmentFilter, ProgramFilter
from tenant_apps.school.programs.models import BOOTCAMPS, COURSES, ProgramType
from tenant_apps.school.programs.serializers import (
    EnrolmentRequestSerializer,
    EnrolmentSerializer,
    ProgramInputSerializer,
    ProgramSerializer,
    ProgramStudentSerializer,
    ProgramTransitionSerializer,
    ReasonSerializer,
)

_REF = OpenApiParameter("ref", str, OpenApiParameter.PATH, description="The program's id or slug.")


@extend_schema_view(
    retrieve=extend_schema(parameters=[_REF]),
    partial_update=extend_schema(parameters=[_REF]),
    destroy=extend_schema(parameters=[_REF]),
    transition=extend_schema(parameters=[_REF]),
    students=extend_schema(parameters=[_REF]),
)
class ProgramViewSet(VisibleQuerysetMixin, viewsets.GenericViewSet):
    """Bootcamps or advanced courses (``program_type``). Lists are paginated (``page``,
    ``page_size``); filter with ``status``, ``teacher``, ``start_after``, ``start_before``,
    ``min_price``, ``max_price``, ``currency``; ``search`` looks in title and description;
    ``ordering`` by ``start_date`` (default), ``end_date``, ``price``, ``title``, ``capacity``,
    ``created_at`` (``-`` for descending)."""

    program_type: ClassVar[ProgramType]
    serializer_class = ProgramSerializer
    parser_classes = [JSONParser]
    filterset_class = ProgramFilter
    search_fields = ("title", "description")
    ordering_fields = ("start_date", "end_date", "price", "title", "capacity", "created_at")
    ordering = ("start_date", "id")
    lookup_field = "slug"
    lookup_url_kwarg = "ref"
    lookup_value_converter = "slug"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_permissions(self) -> list[Any]:
        if self.action in {"list", "retrieve"}:
            return [AllowAny()]
        if self.action in {"create", "partial_update", "destroy", "transition"}:
            return [IsAuthenticated(), HasRole(*PROGRAM_MANAGER_ROLES)]
        return [IsAuthenticated()]

    def visible_queryset(self) -> Any:
        """Only ever the programs the user may see (``access.programs_visible_to``)."""
        return selectors.program_list(self.program_type, user=self.request.user)

    def _program(self, ref: Any) -> Any:
        return access_program(self.program_type, user=self.request.user, ref=ref)

    def _show(self, program: Any, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(ProgramSerializer(selectors.program_get(program)).data, status=status_code)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ProgramSerializer(page, many=True).data)

    def retrieve(self, request: Request, ref: str) -> Response:
        return Response(ProgramSerializer(self._program(ref)).data)

    @extend_schema(request=ProgramInputSerializer, responses={201: ProgramSerializer})
    def create(self, request: Request) -> Response:
        """Create a draft program (admin)."""
        serializer = ProgramInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        program = services.program_create(
            program_type=self.program_type, actor=request.user, **serializer.validated_data
        )
        return self._show(program, status.HTTP_201_CREATED)

    @extend_schema(request=ProgramInputSerializer(partial=True), responses=ProgramSerializer)
    def partial_update(self, request: Request, ref: str) -> Response:
        """Change a program (admin); ``status`` moves through ``transition``."""
        serializer = ProgramInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        program = services.program_update(
            program=self._program(ref), actor=request.user, changes=serializer.validated_data
        )
        return self._show(program)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, ref: str) -> Response:
        """Delete a draft program (admin); cancel any other."""
        services.program_delete(program=self._program(ref), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=ProgramTransitionSerializer, responses=ProgramSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, ref: str) -> Response:
        """Move the program (admin): ``draft`` -> ``registration_open`` -> ``in_progress`` ->
        ``completed``; anything not final -> ``cancelled``. Others answer 409."""
        serializer = ProgramTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        program = services.program_transition(
            program=self._program(ref), actor=request.user, status=serializer.validated_data["status"]
        )
        return self._show(program)

    @extend_schema(responses=ProgramStudentSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"])
    def students(self, request: Request, ref: str) -> Response:
        """The students holding a seat (approved), by name: the program's teachers, support, admin."""
        program = self._program(ref)
        if not can_see_students(request.user, program):
            raise PermissionDenied(
                "Only the program's teachers, support and admin see its students.",
            )
        page = self.paginate_queryset(selectors.program_students(program))
        return self.get_paginated_response(ProgramStudentSerializer(page, many=True).data)

    @extend_schema(responses=EnrolmentSerializer(many=True), filters=False)
    @action(detail=False, methods=["get"])
    def mine(self, request: Request) -> Response:
        """Your enrolments of this type (live ones first, then by start date), each with its
        program and payment state (the invoice's status and amount paid)."""
        page = self.paginate_queryset(selectors.my_enrolments(self.program_type, user=request.user))
        return self.get_paginated_response(EnrolmentSerializer(page, many=True).data)


class EnrolmentViewSet(VisibleQuerysetMixin, viewsets.GenericViewSet):
    """Enrolments in bootcamps or advanced courses (``program_type``). Support and admin see
    every one, anyone else their own. Filter with ``status`` (repeatable), ``program``,
    ``student``; ``search`` in the student's e-mail and name and the program's title;
    ``ordering`` by ``requested_at`` (default, newest first), ``waitlisted_at``, ``decided_at``."""

    program_type: ClassVar[ProgramType]
    serializer_class = EnrolmentSerializer
    parser_classes = [JSONParser]
    filterset_class = EnrolmentFilter
    search_fields = ("student__email", "student__full_name", "program__title")
    ordering_fields = ("requested_at", "waitlisted_at", "decided_at", "id")
    ordering = ("-requested_at", "-id")
    lookup_value_converter = "int"

    def get_permissions(self) -> list[Any]:
        # Actions on one enrolment check no role here: the enrolment is looked up first (404
        # ``not_found`` when the user may not see it, exactly as for an id that does not exist),
        # then the service refuses what the user's role does not allow on it (403). A role check
        # first would answer 403 for any id, hiding nothing but breaking the access rules' order.
        if self.action == "create":
            return [IsAuthenticated(), HasRole(*STUDENT_ROLES)]
        return [IsAuthenticated()]

    def visible_queryset(self) -> Any:
        """Only ever the enrolments the user may see (``access.enrolments_visible_to``)."""
        return selectors.enrolment_list(self.program_type, user=self.request.user)

    def _enrolment(self, pk: Any) -> Any:
        return access_enrolment(self.program_type, user=self.request.user, pk=pk)

    def _show(self, enrolment: Any, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(EnrolmentSerializer(selectors.enrolment_get(enrolment)).data, status=status_code)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(EnrolmentSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(EnrolmentSerializer(self._enrolment(pk)).data)

    @extend_schema(request=EnrolmentRequestSerializer, responses={201: EnrolmentSerializer})
    def create(self, request: Request) -> Response:
        """Ask for a seat (students), while the program's registration is open: ``requested``,
        until support or admin decide. One live enrolment per student and program."""
        serializer = EnrolmentRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        program = access_program(self.program_type, user=request.user, ref=serializer.validated_data["program"])
        enrolment = services.enrolment_request(program=program, student=request.user)
        return self._show(enrolment, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=EnrolmentSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: int) -> Response:
        """Support, admin: a requested enrolment takes a free seat (``approved``, invoice issued)
        or, when the program is full, joins the waitlist (``waitlisted``)."""
        enrolment = services.enrolment_approve(enrolment=self._enrolment(pk), actor=request.user)
        return self._show(enrolment)

    @extend_schema(request=ReasonSerializer, responses=EnrolmentSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: int) -> Response:
        """Support, admin: reject a requested or waitlisted enrolment, with a reason."""
        enrolment = self._enrolment(pk)  # before the body: an unseen id answers 404, not 400
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enrolment = services.enrolment_reject(
            enrolment=enrolment, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return self._show(enrolment)

    @extend_schema(request=ReasonSerializer, responses=EnrolmentSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: int) -> Response:
        """Support, admin: cancel a live enrolment, with a reason; its seat goes to the waitlist."""
        enrolment = self._enrolment(pk)  # before the body: an unseen id answers 404, not 400
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enrolment = services.enrolment_cancel(
            enrolment=enrolment, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return self._show(enrolment)

    @extend_schema(request=None, responses=EnrolmentSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: int) -> Response:
        """The student withdraws their enrolment; its seat goes to the waitlist."""
        enrolment = services.enrolment_withdraw(enrolment=self._enrolment(pk), student=request.user)
        return self._show(enrolment)


class BootcampViewSet(ProgramViewSet):
    """``/api/v1/bootcamps/``: the ``ProgramViewSet`` of bootcamps."""

    program_type = BOOTCAMPS


class AdvancedCourseViewSet(ProgramViewSet):
    """``/api/v1/courses/``: the ``ProgramViewSet`` of advanced courses."""

    program_type = COURSES


class BootcampEnrolmentViewSet(EnrolmentViewSet):
    """``/api/v1/bootcamp-enrolments/``: the ``EnrolmentViewSet`` of bootcamps."""

    program_type = BOOTCAMPS


class AdvancedCourseEnrolmentViewSet(EnrolmentViewSet):
    """``/api/v1/course-enrolments/``: the ``EnrolmentViewSet`` of advanced courses."""

    program_type = COURSES
