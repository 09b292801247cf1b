"""The properties API (rental sites): thin views over ``services`` and ``selectors``.

| method and path | who | does |
| --- | --- | --- |
| ``GET /amenities/``, ``GET /amenities/{id}/`` | anyone | amenities, by name |
| ``POST /amenities/``, ``PATCH``/``DELETE /amenities/{id}/`` | admin | manage amenities |
| ``GET /properties/`` | anyone | published properties; hosts also their own; admin all (filters, ``mine=true``) |
| ``POST /properties/`` | hosts, admin | list a property (the requester is the host) |
| ``GET``/``PATCH /properties/{id}/`` | anyone who may see it / its host, admin | read; change |
| ``POST /properties/{id}/publish/``, ``unpublish/`` | its host, admin | list or hide it |
| ``POST /properties/{id}/photos/``, ``PATCH``/``DELETE .../photos/{photo_id}/`` | its host, admin | photos, order |
| ``GET``/``POST /properties/{id}/blocked-periods/``, ``DELETE .../{block_id}/`` | its host, admin | blocked dates |
| ``GET /properties/{id}/calendar.ics?token=`` | the token's holder (no login) | iCalendar feed |
| ``POST /properties/{id}/calendar-token/`` | its host, admin | a new feed URL |
| ``POST /properties/{id}/calendar-import/`` | its host, admin | queue an import of ``ical_import_url`` |

A property the user may not see answers 404 ``not_found``, like a missing one; a change by
someone who may only read it 403 ``permission_denied``.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.http import HttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.views import VisibleQuerysetMixin
from saas.db.tenant import site_url
from saas.errors import NotFound
from tenant_apps.accounts.permissions import Allows
from tenant_apps.rental.properties import selectors, services
from tenant_apps.rental.properties.access import (
    access_amenity,
    access_blocked_period,
    access_property,
    access_property_photo,
    can_create_property,
    can_manage_all_properties,
)
from tenant_apps.rental.properties.filters import PropertyFilter
from tenant_apps.rental.properties.ical import calendar_feed
from tenant_apps.rental.properties.models import Property, PropertyStatus
from tenant_apps.rental.properties.serializers import (
    AmenitySerializer,
    AmenityWriteSerializer,
    BlockedPeriodSerializer,
    BlockedPeriodWriteSerializer,
    CalendarImportQueuedSerializer,
    CalendarTokenSerializer,
    PropertyCreateSerializer,
    PropertyPhotoSerializer,
    PropertyPhotoUpdateSerializer,
    PropertyPhotoUploadSerializer,
    PropertySerializer,
    PropertyWriteSerializer,
)

_ADMIN = Allows(can_manage_all_properties)
_HOST = Allows(can_create_property)
_READS = {"GET", "HEAD", "OPTIONS"}


def _anyone_or(request: Request, *writers: Any) -> list[Any]:
    """Anyone reads; signed-in users holding ``writers`` write."""
    return [AllowAny()] if request.method in _READS else [IsAuthenticated(), *writers]


def _property_response(request: Request, pk: Any, *, status_code: int = status.HTTP_200_OK) -> Response:
    prop = access_property(user=request.user, property_id=pk)
    return Response(PropertySerializer(prop, context={"request": request}).data, status=status_code)


# --- Amenities ------------------------------------------------------------------------------------


class AmenityListCreateView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/amenities/`` (anyone): every amenity, by name. ``POST`` (admin) ``{name,
    slug?}`` -> 201 (400 ``validation_error`` for a taken name or slug)."""

    serializer_class = AmenitySerializer
    filter_backends: list[Any] = []

    def get_permissions(self) -> list[Any]:
        return _anyone_or(self.request, _ADMIN)

    def visible_queryset(self) -> Any:
        return selectors.amenity_list()

    @extend_schema(request=AmenityWriteSerializer, responses={201: AmenitySerializer})
    def post(self, request: Request) -> Response:
        serializer = AmenityWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        amenity = services.amenity_create(actor=request.user, **serializer.validated_data)
        return Response(AmenitySerializer(amenity).data, status=status.HTTP_201_CREATED)


class AmenityDetailView(APIView):
    """``GET /api/v1/amenities/{id}/`` (anyone); ``PATCH`` ``{name?, slug?}`` and ``DELETE`` (admin)."""

    def get_permissions(self) -> list[Any]:
        return _anyone_or(self.request, _ADMIN)

    @extend_schema(responses=AmenitySerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(AmenitySerializer(access_amenity(pk=pk)).data)

    @extend_schema(request=AmenityWriteSerializer, responses=AmenitySerializer)
    def patch(self, request: Request, pk: int) -> Response:
        amenity = access_amenity(pk=pk)
        serializer = AmenityWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        amenity = services.amenity_update(actor=request.user, amenity=amenity, **serializer.validated_data)
        return Response(AmenitySerializer(amenity).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.amenity_delete(actor=request.user, amenity=access_amenity(pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Properties -----------------------------------------------------------------------------------


class PropertyListCreateView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/properties/`` (anyone): the properties you may see, newest first. Filters: see
    ``filters.PropertyFilter`` (``mine=true`` for a host's own, in any status); ``ordering``:
    ``nightly_price``, ``created_at``, ``title`` (``-`` for descending).

    ``POST`` (hosts, admins) lists a property with you as its host -> 201.
    """

    serializer_class = PropertySerializer
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = PropertyFilter
    ordering_fields = ("nightly_price", "created_at", "title")
    ordering = None  # the selector's order

    def get_permissions(self) -> list[Any]:
        return _anyone_or(self.request, _HOST)

    def visible_queryset(self) -> Any:
        return selectors.property_list(user=self.request.user)

    @extend_schema(request=PropertyCreateSerializer, responses={201: PropertySerializer})
    def post(self, request: Request) -> Response:
        serializer = PropertyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        prop = services.property_create(actor=request.user, **serializer.validated_data)
        return _property_response(request, prop.pk, status_code=status.HTTP_201_CREATED)


class PropertyDetailView(APIView):
    """``GET /api/v1/properties/{id}/`` (anyone who may see it); ``PATCH`` (its host, admin): any
    field of ``PropertyWriteSerializer`` but ``status`` (``publish``/``unpublish``)."""

    def get_permissions(self) -> list[Any]:
        return _anyone_or(self.request)

    @extend_schema(responses=PropertySerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _property_response(request, pk)

    @extend_schema(request=PropertyWriteSerializer, responses=PropertySerializer)
    def patch(self, request: Request, pk: int) -> Response:
        prop = access_property(user=request.user, property_id=pk, for_change=True)
        serializer = PropertyWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.property_update(actor=request.user, prop=prop, **serializer.validated_data)
        return _property_response(request, pk)


class _PropertyStatusView(APIView):
    permission_classes = [IsAuthenticated]
    target_status: str = PropertyStatus.PUBLISHED

    @extend_schema(request=None, responses=PropertySerializer)
    def post(self, request: Request, pk: int) -> Response:
        prop = access_property(user=request.user, property_id=pk, for_change=True)
        services.property_set_status(actor=request.user, prop=prop, status=self.target_status)
        return _property_response(request, pk)


class PropertyPublishView(_PropertyStatusView):
    """``POST /api/v1/properties/{id}/publish/`` (its host, admin): listed and bookable (no-op if so)."""

    target_status = PropertyStatus.PUBLISHED


class PropertyUnpublishView(_PropertyStatusView):
    """``POST /api/v1/properties/{id}/unpublish/`` (its host, admin): hidden from everyone else and
    not bookable; bookings made stand (no-op if already hidden)."""

    target_status = PropertyStatus.UNPUBLISHED


class PropertyPhotoCreateView(APIView):
    """``POST /api/v1/properties/{id}/photos/`` (multipart ``file``, ``caption``; its host, admin)
    -> 201 with the photo's short-lived URL. 409 ``too_many_images``."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": PropertyPhotoUploadSerializer}, responses={201: PropertyPhotoSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        prop = access_property(user=request.user, property_id=pk, for_change=True)
        serializer = PropertyPhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        photo = services.property_photo_add(
            actor=request.user, prop=prop, upload=data["file"], caption=data.get("caption", "")
        )
        return Response(PropertyPhotoSerializer(photo).data, status=status.HTTP_201_CREATED)


class PropertyPhotoDetailView(APIView):
    """``PATCH /api/v1/properties/{id}/photos/{photo_id}/`` ``{position?, caption?}`` (its host,
    admin): move it (1 = first) or re-caption it; ``DELETE`` (its host, admin) -> 204."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=PropertyPhotoUpdateSerializer, responses=PropertyPhotoSerializer)
    def patch(self, request: Request, pk: int, photo_id: int) -> Response:
        prop = access_property(user=request.user, property_id=pk, for_change=True)
        photo = access_property_photo(prop=prop, pk=photo_id)
        serializer = PropertyPhotoUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        photo = services.property_photo_update(actor=request.user, photo=photo, **serializer.validated_data)
        return Response(PropertyPhotoSerializer(photo).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int, photo_id: int) -> Response:
        prop = access_property(user=request.user, property_id=pk, for_change=True)
        services.property_photo_remove(actor=request.user, photo=access_property_photo(prop=prop, pk=photo_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Blocked dates and the calendar ---------------------------------------------------------------


class BlockedPeriodListCreateView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/properties/{id}/blocked-periods/`` (its host, admin): its blocked periods,
    earliest first (manual and imported). ``POST`` ``{start, end, summary?}`` blocks nights
    ``[start, end)`` -> 201; 409 ``dates_unavailable`` when a booking holds one of them."""

    permission_classes = [IsAuthenticated]
    serializer_class = BlockedPeriodSerializer
    filter_backends: list[Any] = []

    def _property(self) -> Property:
        return access_property(user=self.request.user, property_id=self.kwargs["pk"], for_change=True)

    def visible_queryset(self) -> Any:
        return selectors.blocked_period_list(prop=self._property())

    @extend_schema(request=BlockedPeriodWriteSerializer, responses={201: BlockedPeriodSerializer})
    def post(self, request: Request, pk: int) -> Response:
        prop = self._property()
        serializer = BlockedPeriodWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        block = services.blocked_period_create(actor=request.user, prop=prop, **serializer.validated_data)
        return Response(BlockedPeriodSerializer(block).data, status=status.HTTP_201_CREATED)


class BlockedPeriodDetailView(APIView):
    """``DELETE /api/v1/properties/{id}/blocked-periods/{block_id}/`` (its host, admin) -> 204."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int, block_id: int) -> Response:
        prop = access_property(user=request.user, property_id=pk, for_change=True)
        services.blocked_period_delete(actor=request.user, block=access_blocked_period(prop=prop, pk=block_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PropertyCalendarFeedView(APIView):
    """``GET /api/v1/properties/{id}/calendar.ics?token=<calendar_token>``: the property's taken
    nights as ``text/calendar`` (``ical.calendar_feed``). No login (calendar apps cannot log in):
    the token is the permission; a wrong or missing one answers 404 JSON, like a missing property.
    """

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # The feed bypasses renderers; errors are JSON whatever the client asked for.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        responses={(200, "text/calendar"): str},
        parameters=[OpenApiParameter("token", str, required=True, description="The feed's secret (calendar_url).")],
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        token = request.query_params.get("token", "")
        prop = Property.objects.filter(pk=pk).only("pk", "title", "calendar_token").first()
        if prop is None or not token or not secrets.compare_digest(token.encode(), prop.calendar_token.encode()):
            raise NotFound("No such calendar.")
        response = HttpResponse(calendar_feed(prop), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="property-{prop.pk}.ics"'
        response["Cache-Control"] = "private, max-age=300"
        return response


class PropertyCalendarTokenView(APIView):
    """``POST /api/v1/properties/{id}/calendar-token/`` (its host, admin): a new feed secret;
    answers ``{calendar_url}``; the old URL answers 404 from now on."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=CalendarTokenSerializer)
    def post(self, request: Request, pk: int) -> Response:
        prop = access_property(user=request.user, property_id=pk, for_change=True)
        prop = services.property_calendar_token_rotate(actor=request.user, prop=prop)
        url = site_url(f"/api/v1/properties/{prop.pk}/calendar.ics?token={prop.calendar_token}")
        return Response(CalendarTokenSerializer({"calendar_url": url}).data)


class PropertyCalendarImportView(APIView):
    """``POST /api/v1/properties/{id}/calendar-import/`` (its host, admin): queue an import of the
    property's ``ical_import_url`` (400 ``validation_error`` when none is set) -> 202 ``{status:
    "queued"}``. Imported events replace the ``ical`` blocked periods; see ``services.calendar``."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={202: CalendarImportQueuedSerializer})
    def post(self, request: Request, pk: int) -> Response:
        prop = access_property(user=request.user, property_id=pk, for_change=True)
        services.property_calendar_import_request(actor=request.user, prop=prop)
        return Response({"status": "queued"}, status=status.HTTP_202_ACCEPTED)
