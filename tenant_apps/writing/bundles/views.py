"""The class bundles and express classes API: thin views over ``services`` and ``selectors``.

| method and path | who | does |
| --- | --- | --- |
| ``GET /bundles/`` | anyone (admins: inactive too) | the bundles on sale, cheapest first |
| ``POST /bundles/`` | admins | add a bundle ``{name, unit, quantity, price, validity_days, is_active?}`` |
| ``GET /bundles/{id}/`` | anyone who may see it | one bundle |
| ``PATCH``/``DELETE /bundles/{id}/`` | admins | change it; delete one nobody bought (409 otherwise) |
| ``POST /bundles/{id}/buy/`` ``{method}`` | clients | buy it: ``wallet`` (active at once) or ``card`` |
| ``GET /bundle-purchases/`` ``?status=`` | users | admins: every purchase; others: their own |
| ``GET /bundle-purchases/{id}/`` | its client, admins | one purchase |
| ``POST /orders/{id}/pay/bundle/`` ``{purchase}`` | the order's client | pay an unpaid order from a bundle |
| ``GET /express-classes/`` | anyone (admins: inactive too) | the express classes |
| ``POST /express-classes/`` | admins | add a class |
| ``GET /express-classes/{slug}/`` | anyone who may see it | one class |
| ``PATCH``/``DELETE /express-classes/{slug}/`` | admins | change it; delete one without orders |
| ``POST /express-classes/{slug}/quote/`` | anyone | price an order by the class's rule |
| ``POST /express-classes/{slug}/orders/`` | clients | place an order priced by the class -> 201 ``unpaid`` |

A bundle, class or purchase the user may not see answers 404 ``not_found``, like a missing one; a
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
from tenant_apps.accounts.permissions import Allows
from tenant_apps.writing.bundles import selectors, services
from tenant_apps.writing.bundles.access import (
    access_bundle,
    access_express_class,
    access_own_purchase,
    access_purchase,
    can_buy_bundles,
    can_manage_bundles,
)
from tenant_apps.writing.bundles.filters import PurchaseFilter
from tenant_apps.writing.bundles.pricing import express_quote
from tenant_apps.writing.bundles.serializers import (
    BundleCreateSerializer,
    BundleSerializer,
    BundleUpdateSerializer,
    BuySerializer,
    ExpressClassCreateSerializer,
    ExpressClassSerializer,
    ExpressOrderSerializer,
    ExpressQuoteRequestSerializer,
    PayBundleSerializer,
    PurchaseCheckoutSerializer,
    PurchaseSerializer,
)
from tenant_apps.writing.orders.access import access_order
from tenant_apps.writing.orders.serializers import OrderSerializer
from tenant_apps.writing.pricing.serializers import QuoteSerializer

_ADMIN = Allows(can_manage_bundles)
_READS = {"GET", "HEAD", "OPTIONS"}


def _anyone_reads(request: Request) -> list[Any]:
    """Anyone reads; admins write."""
    return [AllowAny()] if request.method in _READS else [IsAuthenticated(), _ADMIN]


def _order_response(request: Request, pk: Any, *, status_code: int = status.HTTP_200_OK) -> Response:
    order = access_order(user=request.user, pk=pk)
    return Response(OrderSerializer(order, context={"request": request}).data, status=status_code)


# --- Bundles ----------------------------------------------------------------------------------------


class BundleListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/bundles/`` (anyone): the bundles on sale, cheapest first (admins: inactive
    ones too). ``POST`` (admins) ``{name, unit, quantity, price, validity_days, is_active?}`` -> 201;
    the price is in the site's pricing currency (400 ``invalid_amount``)."""

    serializer_class = BundleSerializer
    filter_backends: list[Any] = []

    def get_permissions(self) -> list[Any]:
        return _anyone_reads(self.request)

    def visible_queryset(self) -> Any:
        return selectors.bundle_list(user=self.request.user)

    @extend_schema(request=BundleCreateSerializer, responses={201: BundleSerializer})
    def post(self, request: Request) -> Response:
        serializer = BundleCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        bundle = services.bundle_create(actor=request.user, **serializer.validated_data)
        return Response(BundleSerializer(bundle).data, status=status.HTTP_201_CREATED)


class BundleDetailView(APIView):
    """``GET /api/v1/bundles/{id}/`` (anyone who may see it); ``PATCH`` (admins) any of the create
    fields; ``DELETE`` (admins) -> 204, 409 ``product_has_purchases`` once bought (deactivate it)."""

    def get_permissions(self) -> list[Any]:
        return _anyone_reads(self.request)

    @extend_schema(responses=BundleSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(BundleSerializer(access_bundle(user=request.user, pk=pk)).data)

    @extend_schema(request=BundleUpdateSerializer, responses=BundleSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        bundle = access_bundle(user=request.user, pk=pk)
        serializer = BundleUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        bundle = services.bundle_update(actor=request.user, bundle=bundle, **serializer.validated_data)
        return Response(BundleSerializer(bundle).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.bundle_delete(actor=request.user, bundle=access_bundle(user=request.user, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class BundleBuyView(APIView):
    """``POST /api/v1/bundles/{id}/buy/`` ``{method}`` (clients): buy the bundle. ``wallet``: paid
    at once -> 201, the purchase ``active`` (402 ``insufficient_funds``); ``card``: -> 201, the
    purchase ``pending`` and the PaymentIntent's ``client_secret`` (Stripe's webhook activates it;
    503 ``payments_unavailable`` when the site takes no cards). 409 ``product_unavailable``,
    ``currency_mismatch``."""

    permission_classes = [IsAuthenticated, Allows(can_buy_bundles)]  # type: ignore[list-item]
    extra_error_statuses = (402,)

    @extend_schema(request=BuySerializer, responses={201: PurchaseCheckoutSerializer})
    def post(self, request: Request, pk: int) -> Response:
        bundle = access_bundle(user=request.user, pk=pk)
        serializer = BuySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        bought = services.bundle_buy(client=request.user, bundle=bundle, method=serializer.validated_data["method"])
        purchase = access_purchase(user=request.user, pk=bought.purchase.pk)
        body = {
            "purchase": PurchaseSerializer(purchase).data,
            "payment": bought.payment.pk if bought.payment else None,
            "payment_intent_id": str(bought.payment.stripe_payment_intent_id) if bought.payment else None,
            "client_secret": bought.client_secret or None,
        }
        return Response(body, status=status.HTTP_201_CREATED)


# --- Purchases and drawing --------------------------------------------------------------------------


class PurchaseListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/bundle-purchases/``: admins: every purchase; anyone else: their own; newest
    first. Filter: ``status`` (repeatable)."""

    permission_classes = [IsAuthenticated]
    serializer_class = PurchaseSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = PurchaseFilter

    def visible_queryset(self) -> Any:
        return selectors.purchase_list(user=self.request.user)


class PurchaseDetailView(VisibleQuerysetMixin, generics.RetrieveAPIView):
    """``GET /api/v1/bundle-purchases/{id}/``: one purchase, to its client and the admins (404
    otherwise)."""

    permission_classes = [IsAuthenticated]
    serializer_class = PurchaseSerializer

    def visible_queryset(self) -> Any:
        return selectors.purchase_list(user=self.request.user)


class OrderPayBundleView(APIView):
    """``POST /api/v1/orders/{id}/pay/bundle/`` ``{purchase}`` (the order's client): pay the unpaid
    order from your bundle purchase: its pages (a pages bundle) or 1 assignment are drawn, the
    order's invoice is called off and the order becomes ``available``. 409
    ``invalid_status_transition`` (not unpaid), ``bundle_not_active`` (pending or expired),
    ``bundle_insufficient_units``, ``invoice_has_payments`` (a card payment is under way); 404 for
    an order or purchase you may not see; 403 for anyone but the order's client."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=PayBundleSerializer, responses=OrderSerializer)
    def post(self, request: Request, pk: int) -> Response:
        order = access_order(user=request.user, pk=pk)
        serializer = PayBundleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        purchase = access_own_purchase(user=request.user, pk=serializer.validated_data["purchase"])
        services.order_pay_bundle(order=order, purchase=purchase, payer=request.user)
        return _order_response(request, pk)


# --- Express classes --------------------------------------------------------------------------------


class ExpressClassListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/express-classes/`` (anyone): the express classes, by name (admins: inactive
    ones too). ``POST`` (admins) ``{name, unit, price, min_hours, max_hours, slug?, description?,
    academic_levels?, is_active?}`` -> 201."""

    serializer_class = ExpressClassSerializer
    filter_backends: list[Any] = []

    def get_permissions(self) -> list[Any]:
        return _anyone_reads(self.request)

    def visible_queryset(self) -> Any:
        return selectors.express_class_list(user=self.request.user)

    @extend_schema(request=ExpressClassCreateSerializer, responses={201: ExpressClassSerializer})
    def post(self, request: Request) -> Response:
        serializer = ExpressClassCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = services.express_class_create(actor=request.user, **serializer.validated_data)
        found = access_express_class(user=request.user, slug=created.slug)
        return Response(ExpressClassSerializer(found).data, status=status.HTTP_201_CREATED)


class ExpressClassDetailView(APIView):
    """``GET /api/v1/express-classes/{slug}/`` (anyone who may see it); ``PATCH`` (admins) any of
    the create fields; ``DELETE`` (admins) -> 204, 409 ``product_has_purchases`` once ordered."""

    def get_permissions(self) -> list[Any]:
        return _anyone_reads(self.request)

    @extend_schema(responses=ExpressClassSerializer)
    def get(self, request: Request, slug: str) -> Response:
        return Response(ExpressClassSerializer(access_express_class(user=request.user, slug=slug)).data)

    @extend_schema(request=ExpressClassCreateSerializer, responses=ExpressClassSerializer)
    def patch(self, request: Request, slug: str) -> Response:
        express_class = access_express_class(user=request.user, slug=slug)
        serializer = ExpressClassCreateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changed = services.express_class_update(
            actor=request.user, express_class=express_class, **serializer.validated_data
        )
        return Response(ExpressClassSerializer(access_express_class(user=request.user, slug=changed.slug)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str) -> Response:
        express_class = access_express_class(user=request.user, slug=slug)
        services.express_class_delete(actor=request.user, express_class=express_class)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExpressQuoteView(APIView):
    """``POST /api/v1/express-classes/{slug}/quote/`` (anyone): price an order by the class's rule
    (``pricing.express_quote``), the body ``POST /quote/``'s without extras. 400
    ``validation_error`` naming each field; 409 ``currency_mismatch``."""

    permission_classes = [AllowAny]

    @extend_schema(request=ExpressQuoteRequestSerializer, responses=QuoteSerializer)
    def post(self, request: Request, slug: str) -> Response:
        express_class = access_express_class(user=request.user, slug=slug)
        serializer = ExpressQuoteRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(QuoteSerializer(express_quote(express_class, **serializer.validated_data)).data)


class ExpressOrderView(APIView):
    """``POST /api/v1/express-classes/{slug}/orders/`` (clients): place an order priced by the
    class's rule -> 201 the order, ``unpaid`` (pay it from the wallet, by card or from a bundle).
    400 ``validation_error`` (the class's deadline window, levels, pages; ``details`` per field);
    409 ``currency_mismatch``."""

    permission_classes = [IsAuthenticated, Allows(can_buy_bundles)]  # type: ignore[list-item]

    @extend_schema(request=ExpressOrderSerializer, responses={201: OrderSerializer})
    def post(self, request: Request, slug: str) -> Response:
        express_class = access_express_class(user=request.user, slug=slug)
        serializer = ExpressOrderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = services.express_order_place(
            client=request.user, express_class=express_class, **serializer.validated_data
        )
        return _order_response(request, order.pk, status_code=status.HTTP_201_CREATED)
