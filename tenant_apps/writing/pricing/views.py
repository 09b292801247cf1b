"""The order-options and pricing API (writing sites): thin views over ``services``,
``selectors`` and ``pricing``.

| method and path | who | does |
| --- | --- | --- |
| ``GET /order-options/`` | anyone (admin: retired too) | the dropdowns' choices (``?group=``, ``?is_active=``) |
| ``POST /order-options/`` | admin | add a choice |
| ``GET``/``PATCH /order-options/{id}/`` | anyone / admin | read; rename, move, reactivate |
| ``POST /order-options/{id}/retire/`` | admin | stop offering it (options are never deleted) |
| ``GET /extra-services/`` | anyone (admin: retired too) | the add-ons |
| ``POST /extra-services/``, ``GET``/``PATCH /extra-services/{id}/`` | admin / anyone reads | manage add-ons |
| ``GET``/``PATCH /pricing/settings/`` | admin | currency, spacing factor, page limits |
| ``GET``/``POST /pricing/page-rates/`` | admin | the rate table; add a band |
| ``PATCH``/``DELETE /pricing/page-rates/{id}/`` | admin | change, remove a band |
| ``POST /quote/`` | anyone | price an order before placing it (``pricing.quote``) |

An option or extra service a user may not see answers 404 ``not_found``, like a missing one; a
change by anyone but an admin 403 ``permission_denied`` (401 when not signed in).
"""

from __future__ import annotations

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.views import VisibleQuerysetMixin
from saas.errors import NotFound
from tenant_apps.accounts.permissions import Allows
from tenant_apps.writing.pricing import dropdowns, pricing, selectors, services
from tenant_apps.writing.pricing.access import (
    access_extra_service,
    access_order_option,
    access_page_rate,
    can_manage_pricing,
)
from tenant_apps.writing.pricing.filters import OrderOptionFilter
from tenant_apps.writing.pricing.serializers import (
    DropdownOptionSerializer,
    DropdownOptionsSerializer,
    ExtraServiceCreateSerializer,
    ExtraServiceSerializer,
    ExtraServiceUpdateSerializer,
    OrderOptionCreateSerializer,
    OrderOptionSerializer,
    OrderOptionUpdateSerializer,
    PageRateCreateSerializer,
    PageRateSerializer,
    PageRateUpdateSerializer,
    PricingSettingsSerializer,
    PricingSettingsUpdateSerializer,
    QuoteRequestSerializer,
    QuoteSerializer,
)

_ADMIN = Allows(can_manage_pricing)
_READS = {"GET", "HEAD", "OPTIONS"}


def _anyone_reads(request: Request) -> list[Any]:
    """Anyone reads; admins write."""
    return [AllowAny()] if request.method in _READS else [IsAuthenticated(), _ADMIN]


# --- Order options ----------------------------------------------------------------------------------


class OrderOptionListCreateView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/order-options/`` (anyone): the options you may see (active ones; admins also
    retired ones), by group then position; ``?group=``, ``?is_active=``. ``POST`` (admin) ``{group,
    name, slug?, position?}`` -> 201 (400 ``validation_error`` for a taken slug in the group)."""

    serializer_class = OrderOptionSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = OrderOptionFilter

    def get_permissions(self) -> list[Any]:
        return _anyone_reads(self.request)

    def visible_queryset(self) -> Any:
        return selectors.order_option_list(user=self.request.user)

    @extend_schema(request=OrderOptionCreateSerializer, responses={201: OrderOptionSerializer})
    def post(self, request: Request) -> Response:
        serializer = OrderOptionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        option = services.order_option_create(actor=request.user, **serializer.validated_data)
        return Response(OrderOptionSerializer(option).data, status=status.HTTP_201_CREATED)


class OrderOptionDetailView(APIView):
    """``GET /api/v1/order-options/{id}/`` (anyone who may see it); ``PATCH`` (admin) any of
    ``{name, slug, position, is_active}``."""

    def get_permissions(self) -> list[Any]:
        return _anyone_reads(self.request)

    @extend_schema(responses=OrderOptionSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(OrderOptionSerializer(access_order_option(user=request.user, pk=pk)).data)

    @extend_schema(request=OrderOptionUpdateSerializer, responses=OrderOptionSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        option = access_order_option(user=request.user, pk=pk)
        serializer = OrderOptionUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        option = services.order_option_update(actor=request.user, option=option, **serializer.validated_data)
        return Response(OrderOptionSerializer(option).data)


class OrderOptionRetireView(APIView):
    """``POST /api/v1/order-options/{id}/retire/`` (admin): no longer offered nor quoted (no-op if
    retired already); orders and page rates naming it keep it."""

    permission_classes = [IsAuthenticated, _ADMIN]  # type: ignore[list-item]

    @extend_schema(request=None, responses=OrderOptionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        option = access_order_option(user=request.user, pk=pk)
        option = services.order_option_retire(actor=request.user, option=option)
        return Response(OrderOptionSerializer(option).data)


# --- Extra services ---------------------------------------------------------------------------------


class ExtraServiceListCreateView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/extra-services/`` (anyone): the active add-ons (admins: retired too), by
    position. ``POST`` (admin) ``{name, pricing, amount, slug?, description?, position?}`` -> 201."""

    serializer_class = ExtraServiceSerializer
    filter_backends: list[Any] = []

    def get_permissions(self) -> list[Any]:
        return _anyone_reads(self.request)

    def visible_queryset(self) -> Any:
        return selectors.extra_service_list(user=self.request.user)

    @extend_schema(request=ExtraServiceCreateSerializer, responses={201: ExtraServiceSerializer})
    def post(self, request: Request) -> Response:
        serializer = ExtraServiceCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        extra = services.extra_service_create(actor=request.user, **serializer.validated_data)
        return Response(ExtraServiceSerializer(extra).data, status=status.HTTP_201_CREATED)


class ExtraServiceDetailView(APIView):
    """``GET /api/v1/extra-services/{id}/`` (anyone who may see it); ``PATCH`` (admin): any field,
    ``is_active: false`` retires it."""

    def get_permissions(self) -> list[Any]:
        return _anyone_reads(self.request)

    @extend_schema(responses=ExtraServiceSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(ExtraServiceSerializer(access_extra_service(user=request.user, pk=pk)).data)

    @extend_schema(request=ExtraServiceUpdateSerializer, responses=ExtraServiceSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        extra = access_extra_service(user=request.user, pk=pk)
        serializer = ExtraServiceUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        extra = services.extra_service_update(actor=request.user, extra=extra, **serializer.validated_data)
        return Response(ExtraServiceSerializer(extra).data)


# --- Settings and the rate table (admin) ------------------------------------------------------------


class PricingSettingsView(APIView):
    """``GET /api/v1/pricing/settings/`` and ``PATCH`` (admin; 401 anonymous, 403 other roles)."""

    permission_classes = [IsAuthenticated, _ADMIN]  # type: ignore[list-item]

    @extend_schema(responses=PricingSettingsSerializer)
    def get(self, request: Request) -> Response:
        return Response(PricingSettingsSerializer(services.pricing_settings()).data)

    @extend_schema(request=PricingSettingsUpdateSerializer, responses=PricingSettingsSerializer)
    def patch(self, request: Request) -> Response:
        serializer = PricingSettingsUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        row = services.pricing_settings_update(actor=request.user, changes=dict(serializer.validated_data))
        return Response(PricingSettingsSerializer(row).data)


class PageRateListCreateView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/pricing/page-rates/`` (admin): every band of every level, by level then band.
    ``POST`` ``{academic_level: <option id>, deadline_hours_max, price_per_page}`` -> 201."""

    permission_classes = [IsAuthenticated, _ADMIN]  # type: ignore[list-item]
    serializer_class = PageRateSerializer
    filter_backends: list[Any] = []

    def visible_queryset(self) -> Any:
        return selectors.page_rate_list()

    @extend_schema(request=PageRateCreateSerializer, responses={201: PageRateSerializer})
    def post(self, request: Request) -> Response:
        serializer = PageRateCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rate = services.page_rate_create(actor=request.user, **serializer.validated_data)
        return Response(PageRateSerializer(rate).data, status=status.HTTP_201_CREATED)


class PageRateDetailView(APIView):
    """``PATCH /api/v1/pricing/page-rates/{id}/`` (admin) ``{deadline_hours_max?, price_per_page?}``;
    ``DELETE`` -> 204."""

    permission_classes = [IsAuthenticated, _ADMIN]  # type: ignore[list-item]

    @extend_schema(request=PageRateUpdateSerializer, responses=PageRateSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        rate = access_page_rate(user=request.user, pk=pk)
        serializer = PageRateUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        rate = services.page_rate_update(actor=request.user, rate=rate, **serializer.validated_data)
        return Response(PageRateSerializer(rate).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.page_rate_delete(actor=request.user, rate=access_page_rate(user=request.user, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Quote ------------------------------------------------------------------------------------------


class QuoteView(APIView):
    """``POST /api/v1/quote/`` (anyone): price an order before it is placed (``pricing.quote``);
    400 ``validation_error`` naming every field in error (a retired option, a deadline in the
    past or shorter than the shortest band, pages out of the site's range...). With
    ``discount_code`` and (signed-in clients) ``redeem_points``: the discount and loyalty lines,
    or 400 ``invalid_discount_code``, 409 ``discount_limit_reached``, 409 ``insufficient_points``."""

    permission_classes = [AllowAny]

    @extend_schema(request=QuoteRequestSerializer, responses=QuoteSerializer)
    def post(self, request: Request) -> Response:
        serializer = QuoteRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = request.user if request.user.is_authenticated else None
        result = pricing.quote(client=user, **serializer.validated_data)
        return Response(QuoteSerializer(result).data)


class DropdownOptionsView(APIView):
    """``GET /api/v1/dropdown-options/`` (anyone): every dropdown of the order form with its active
    choices, ``{category: [{id, slug, name}]}``; cached per site (``dropdowns.py``)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=DropdownOptionsSerializer)
    def get(self, request: Request) -> Response:
        return Response(dropdowns.dropdown_options())


class DropdownCategoryView(APIView):
    """``GET /api/v1/dropdown-options/{category}/`` (anyone): one dropdown's active choices;
    ``category`` one of ``paper_type``, ``subject``, ``academic_level``, ``formatting_style``,
    ``language`` (404 ``not_found`` otherwise)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=DropdownOptionSerializer(many=True))
    def get(self, request: Request, category: str) -> Response:
        choices = dropdowns.dropdown_options().get(category)
        if choices is None:
            raise NotFound("No such dropdown.")
        return Response(choices)
