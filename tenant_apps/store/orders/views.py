"""The profile, cart, orders and delivery API (store sites): thin views over ``services`` and ``selectors``.

| method and path | who | does |
| --- | --- | --- |
| ``GET``/``PATCH /profile/`` | users | own delivery location |
| ``GET /cart/`` | customers | cart lines at today's effective prices, total |
| ``POST /cart/items/`` ``{product, quantity}`` | customers | add (to the line the product has) -> 201 |
| ``PATCH``/``DELETE /cart/items/{id}/`` | customers | set a line's quantity, remove it |
| ``POST /orders/checkout/`` | customers | the cart becomes an order paid into escrow -> 201 |
| ``GET /orders/``, ``GET /orders/{id}/`` | users | orders they may see (buyer, seller: own items, courier, admin) |
| ``POST /orders/{id}/cancel/`` | the buyer | before shipping: stock back, hold released |
| ``POST /orders/{id}/complete/`` | the buyer, admin | after ``completion_wait_days``: settle |
| ``GET /orders/{id}/proof/`` | the buyer, admin | the PIN and its QR code (PNG data URL) |
| ``POST /orders/{id}/proof/confirm/`` ``{token}`` | the courier holding it | PIN -> delivered |
| ``GET /delivery/orders/available/`` | delivery users | created, unclaimed orders (no location) |
| ``POST /delivery/orders/{id}/claim/`` | delivery users | take one (at most 5 active) |
| ``POST /delivery/orders/{id}/advance/`` | the courier holding it | processing -> shipped (makes the PIN) |
| ``POST /wallet/top-up/card/`` ``{amount}`` | customers | a Stripe PaymentIntent; the webhook credits the wallet |

An order the user may not see answers 404 ``not_found``, like a missing one.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.schema import CARD_PAYMENT_ERRORS
from saas.api.views import VisibleQuerysetMixin
from tenant_apps.accounts.permissions import HasRole
from tenant_apps.store.orders import selectors, services
from tenant_apps.store.orders.access import (
    BUYER_ROLES,
    DELIVERY_ROLES,
    access_available_order,
    access_order,
    access_proof,
)
from tenant_apps.store.orders.models import CartItem
from tenant_apps.store.orders.serializers import (
    AvailableOrderSerializer,
    CardTopUpResultSerializer,
    CardTopUpSerializer,
    CartItemAddSerializer,
    CartItemSerializer,
    CartItemUpdateSerializer,
    CartSerializer,
    OrderSerializer,
    ProfileSerializer,
    ProofConfirmSerializer,
    ProofSerializer,
)
from tenant_apps.store.shop.models import StoreProfile
from tenant_apps.store.shop.services import store_profile_of


def _buyer() -> list[Any]:
    return [IsAuthenticated(), HasRole(*BUYER_ROLES)]


def _courier() -> list[Any]:
    return [IsAuthenticated(), HasRole(*DELIVERY_ROLES)]


def _order_response(request: Request, pk: Any, *, status_code: int = status.HTTP_200_OK) -> Response:
    order = access_order(user=request.user, pk=pk)
    return Response(OrderSerializer(order, context={"request": request}).data, status=status_code)


# --- Profile --------------------------------------------------------------------------------------


class ProfileView(APIView):
    """``GET /api/v1/profile/``: your delivery location (empty until set); ``PATCH`` sets any of
    ``location_lat`` (-90..90), ``location_lng`` (-180..180), ``location_address``."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ProfileSerializer)
    def get(self, request: Request) -> Response:
        profile = store_profile_of(request.user) or StoreProfile()
        return Response(ProfileSerializer(profile).data)

    @extend_schema(request=ProfileSerializer(partial=True), responses=ProfileSerializer)
    def patch(self, request: Request) -> Response:
        serializer = ProfileSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        profile = services.profile_update(user=request.user, **serializer.validated_data)
        return Response(ProfileSerializer(profile).data)


# --- Cart -----------------------------------------------------------------------------------------


def _cart_body(request: Request) -> dict[str, Any]:
    items = list(selectors.cart_items(user=request.user))
    prices = selectors.cart_prices(items)
    total = sum((prices[item.product_id] * item.quantity for item in items), Decimal("0.00"))
    return {
        "items": CartItemSerializer(items, many=True, context={"prices": prices}).data,
        "total": str(total),
        "currency": items[0].product.currency if items else None,
    }


class CartView(APIView):
    """``GET /api/v1/cart/``: your cart's lines at today's effective prices and their ``total``."""

    def get_permissions(self) -> list[Any]:
        return _buyer()

    @extend_schema(responses=CartSerializer)
    def get(self, request: Request) -> Response:
        return Response(_cart_body(request))


class CartItemCreateView(APIView):
    """``POST /api/v1/cart/items/`` ``{product, quantity}``: add to your cart (to the product's
    line if it has one) -> 201 with the cart. 409 ``insufficient_stock``, ``product_unavailable``."""

    def get_permissions(self) -> list[Any]:
        return _buyer()

    @extend_schema(request=CartItemAddSerializer, responses={201: CartSerializer})
    def post(self, request: Request) -> Response:
        serializer = CartItemAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.cart_item_add(buyer=request.user, **serializer.validated_data)
        return Response(_cart_body(request), status=status.HTTP_201_CREATED)


class CartItemDetailView(VisibleQuerysetMixin, generics.GenericAPIView):
    """``PATCH /api/v1/cart/items/{id}/`` ``{quantity}`` sets a line's quantity; ``DELETE`` removes
    it. Lines of other users answer 404."""

    serializer_class = CartItemUpdateSerializer

    def get_permissions(self) -> list[Any]:
        return _buyer()

    def visible_queryset(self) -> Any:
        return selectors.cart_items(user=self.request.user).select_related("buyer")

    @extend_schema(request=CartItemUpdateSerializer, responses=CartSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        item: CartItem = self.get_object()
        serializer = CartItemUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.cart_item_update(item=item, quantity=serializer.validated_data["quantity"])
        return Response(_cart_body(request))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.cart_item_remove(item=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Orders ---------------------------------------------------------------------------------------


class CheckoutView(APIView):
    """``POST /api/v1/orders/checkout/``: your cart becomes one order, its total held in your wallet
    -> 201. 400 ``cart_empty``, ``location_required``; 402 ``insufficient_funds``; 409
    ``insufficient_stock`` (``details.products``: ``[{product, requested, available}]``),
    ``product_unavailable``, ``currency_mismatch``. Each refusal changes nothing."""

    extra_error_statuses = (402,)

    def get_permissions(self) -> list[Any]:
        return _buyer()

    @extend_schema(request=None, responses={201: OrderSerializer})
    def post(self, request: Request) -> Response:
        order = services.order_checkout(buyer=request.user)
        return _order_response(request, order.pk, status_code=status.HTTP_201_CREATED)


class OrderListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/orders/``: the orders you may see, newest first (buyer: yours; seller: those
    with your items, showing only them; courier: those you hold; admin: all)."""

    permission_classes = [IsAuthenticated]
    serializer_class = OrderSerializer
    filter_backends: list[Any] = []

    def visible_queryset(self) -> Any:
        return selectors.order_list(user=self.request.user)


class OrderDetailView(APIView):
    """``GET /api/v1/orders/{id}/``: one order you may see (404 otherwise)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OrderSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _order_response(request, pk)


class OrderCancelView(APIView):
    """``POST /api/v1/orders/{id}/cancel/`` (the buyer): cancel before shipping; the units go back
    to stock and the hold to your balance. 409 ``invalid_status_transition`` once shipped."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=OrderSerializer)
    def post(self, request: Request, pk: int) -> Response:
        order = access_order(user=request.user, pk=pk)
        services.order_cancel(order_id=order.pk, actor=request.user)
        return _order_response(request, pk)


class OrderCompleteView(APIView):
    """``POST /api/v1/orders/{id}/complete/`` (the buyer, admin): complete a delivered order once
    ``completion_wait_days`` have passed; the sellers are paid. 409 ``completion_not_due``,
    ``return_pending``, ``invalid_status_transition``. Repeating it changes nothing."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=OrderSerializer)
    def post(self, request: Request, pk: int) -> Response:
        order = access_order(user=request.user, pk=pk)
        services.order_complete(order_id=order.pk, actor=request.user)
        return _order_response(request, pk)


class OrderProofView(APIView):
    """``GET /api/v1/orders/{id}/proof/`` (the buyer, admin): the PIN to give the courier and its QR
    code; 404 before the order ships, 403 for the order's sellers and courier."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ProofSerializer)
    def get(self, request: Request, pk: int) -> Response:
        order = access_order(user=request.user, pk=pk)
        return Response(ProofSerializer(access_proof(user=request.user, order=order)).data)


class OrderProofConfirmView(APIView):
    """``POST /api/v1/orders/{id}/proof/confirm/`` ``{token}`` (the courier holding it): the buyer's
    PIN marks the order delivered. 400 ``proof_invalid`` (``details.attempts_left``), 409
    ``proof_locked`` after too many wrong PINs."""

    def get_permissions(self) -> list[Any]:
        return _courier()

    @extend_schema(request=ProofConfirmSerializer, responses=OrderSerializer)
    def post(self, request: Request, pk: int) -> Response:
        order = access_available_order(user=request.user, pk=pk)
        serializer = ProofConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.order_confirm_delivery(order_id=order.pk, courier=request.user, **serializer.validated_data)
        return _order_response(request, pk)


# --- Delivery -------------------------------------------------------------------------------------


class AvailableOrderListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/delivery/orders/available/`` (delivery users): orders waiting for a courier,
    oldest first, without the buyer's location."""

    serializer_class = AvailableOrderSerializer
    filter_backends: list[Any] = []

    def get_permissions(self) -> list[Any]:
        return _courier()

    def visible_queryset(self) -> Any:
        return selectors.available_order_list(user=self.request.user)


class OrderClaimView(APIView):
    """``POST /api/v1/delivery/orders/{id}/claim/`` (delivery users): take a waiting order ->
    ``processing``. 409 ``invalid_status_transition`` (taken), ``delivery_limit_reached`` (5 active)."""

    def get_permissions(self) -> list[Any]:
        return _courier()

    @extend_schema(request=None, responses=OrderSerializer)
    def post(self, request: Request, pk: int) -> Response:
        order = access_available_order(user=request.user, pk=pk)
        services.order_claim(order_id=order.pk, courier=request.user)
        return _order_response(request, pk)


class OrderAdvanceView(APIView):
    """``POST /api/v1/delivery/orders/{id}/advance/`` (the courier holding it): ``processing`` ->
    ``shipped``; the buyer gets the PIN. Delivery is confirmed with ``/orders/{id}/proof/confirm/``."""

    def get_permissions(self) -> list[Any]:
        return _courier()

    @extend_schema(request=None, responses=OrderSerializer)
    def post(self, request: Request, pk: int) -> Response:
        order = access_available_order(user=request.user, pk=pk)
        services.order_ship(order_id=order.pk, courier=request.user)
        return _order_response(request, pk)


# --- Card top-up ----------------------------------------------------------------------------------


class CardTopUpView(APIView):
    """``POST /api/v1/wallet/top-up/card/`` ``{amount}`` (customers): a Stripe PaymentIntent for
    Stripe.js -> 201; Stripe's webhook credits the wallet once paid. 503 ``payments_unavailable``
    when the site takes no cards."""

    extra_error_statuses = CARD_PAYMENT_ERRORS

    def get_permissions(self) -> list[Any]:
        return _buyer()

    @extend_schema(request=CardTopUpSerializer, responses={201: CardTopUpResultSerializer})
    def post(self, request: Request) -> Response:
        serializer = CardTopUpSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        started = services.wallet_top_up_card_start(user=request.user, amount=serializer.validated_data["amount"])
        body = CardTopUpResultSerializer.of(
            started.top_up, payment_intent_id=started.payment_intent_id, client_secret=started.client_secret
        )
        return Response(body, status=status.HTTP_201_CREATED)
