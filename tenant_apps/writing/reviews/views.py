"""The reviews API (writing sites): thin views over ``services`` and ``selectors``.

| method and path | who | does |
| --- | --- | --- |
| ``GET /reviews/orders/`` (``?status=``) | staff: all; clients: theirs; writers: published, theirs | order reviews |
| ``POST /reviews/orders/`` ``{order, rating, text?}`` | the client of a completed order | review it -> 201 |
| ``GET /reviews/orders/{id}/`` | as the list | one order review |
| ``POST /reviews/orders/{id}/publish/``, ``/hide/`` | admins | moderate it |
| ``GET /reviews/website/`` | anyone | published website reviews (the site's front end) |
| ``POST /reviews/website/`` ``{rating, text?}`` | clients with a completed order | review the site -> 201 |
| ``GET /reviews/website/manage/`` (``?status=``) | staff: all; clients: theirs | with their status |
| ``POST /reviews/website/{id}/publish/``, ``/hide/`` | admins | moderate it |
| ``GET /reviews/writers/{id}/`` | anyone | a writer's published reviews |

A review (or an order) you may not see answers 404 ``not_found`` like a missing one.
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
from tenant_apps.writing.orders.access import access_order
from tenant_apps.writing.reviews import selectors, services
from tenant_apps.writing.reviews.access import (
    access_order_review,
    access_website_review,
    can_list_order_reviews,
    can_list_website_reviews,
    can_moderate_reviews,
    is_client,
    is_review_staff,
)
from tenant_apps.writing.reviews.filters import OrderReviewFilter, WebsiteReviewFilter
from tenant_apps.writing.reviews.serializers import (
    OrderReviewCreateSerializer,
    OrderReviewSerializer,
    PublicReviewSerializer,
    WebsiteReviewCreateSerializer,
    WebsiteReviewSerializer,
)

_MODERATOR = Allows(can_moderate_reviews)


def _context(request: Request) -> dict[str, Any]:
    return {"request": request, "staff": is_review_staff(request.user)}


def _order_review_response(request: Request, pk: Any, *, status_code: int = status.HTTP_200_OK) -> Response:
    review = selectors.order_review_list(user=request.user).get(pk=access_order_review(user=request.user, pk=pk).pk)
    return Response(OrderReviewSerializer(review, context=_context(request)).data, status=status_code)


def _website_review_response(request: Request, pk: Any, *, status_code: int = status.HTTP_200_OK) -> Response:
    review = selectors.website_review_list(user=request.user).get(pk=access_website_review(user=request.user, pk=pk).pk)
    return Response(WebsiteReviewSerializer(review, context=_context(request)).data, status=status_code)


class OrderReviewListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/reviews/orders/`` (admins and support: all; clients: theirs; writers: the
    published ones about them), newest first, paginated; ``?status=`` (repeatable). ``POST``
    ``{order, rating, text?}`` (the order's client): review a completed order -> 201, pending; 404
    (an order you do not see), 403, 409 ``review_not_allowed`` (not completed),
    ``already_reviewed``."""

    permission_classes = [IsAuthenticated, Allows(can_list_order_reviews)]  # type: ignore[list-item]
    serializer_class = OrderReviewSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = OrderReviewFilter
    extra_error_statuses = (404,)  # POST: the order in the body, when the user does not see it

    def visible_queryset(self) -> Any:
        return selectors.order_review_list(user=self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        if getattr(self, "swagger_fake_view", False):
            return dict(super().get_serializer_context())
        return {**super().get_serializer_context(), "staff": is_review_staff(self.request.user)}

    @extend_schema(request=OrderReviewCreateSerializer, responses={201: OrderReviewSerializer})
    def post(self, request: Request) -> Response:
        serializer = OrderReviewCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order = access_order(user=request.user, pk=data["order"])
        review = services.order_review_create(actor=request.user, order=order, rating=data["rating"], text=data["text"])
        return _order_review_response(request, review.pk, status_code=status.HTTP_201_CREATED)


class OrderReviewDetailView(APIView):
    """``GET /api/v1/reviews/orders/{id}/``: one order review, for whoever sees it in the list."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OrderReviewSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _order_review_response(request, pk)


class _OrderReviewModerateView(APIView):
    permission_classes = [IsAuthenticated, _MODERATOR]  # type: ignore[list-item]
    move = staticmethod(services.review_publish)

    @extend_schema(request=None, responses=OrderReviewSerializer)
    def post(self, request: Request, pk: int) -> Response:
        type(self).move(review=access_order_review(user=request.user, pk=pk), actor=request.user)
        return _order_review_response(request, pk)


class OrderReviewPublishView(_OrderReviewModerateView):
    """``POST /api/v1/reviews/orders/{id}/publish/`` (admins): publish it (pending or hidden);
    the client and the writer are notified; it counts in the writer's average. 409
    ``invalid_status_transition`` (published already)."""

    move = staticmethod(services.review_publish)


class OrderReviewHideView(_OrderReviewModerateView):
    """``POST /api/v1/reviews/orders/{id}/hide/`` (admins): hide it (pending or published); the
    client is notified. 409 ``invalid_status_transition`` (hidden already)."""

    move = staticmethod(services.review_hide)


class WebsiteReviewListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/reviews/website/`` (anyone, signed in or not): the published website
    reviews, newest first, paginated: ``{id, author (first name), rating, text, created_at}``.
    ``POST`` ``{rating, text?}`` (clients with a completed order): review the site -> 201,
    pending; 403, 409 ``review_not_allowed``, ``already_reviewed``."""

    serializer_class = PublicReviewSerializer
    filter_backends: list[Any] = []

    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated(), Allows(is_client)]

    def visible_queryset(self) -> Any:
        return selectors.published_website_reviews()  # what anyone may see: the published ones

    @extend_schema(request=WebsiteReviewCreateSerializer, responses={201: WebsiteReviewSerializer})
    def post(self, request: Request) -> Response:
        serializer = WebsiteReviewCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = services.website_review_create(actor=request.user, **serializer.validated_data)
        return _website_review_response(request, review.pk, status_code=status.HTTP_201_CREATED)


class WebsiteReviewManageView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/reviews/website/manage/`` (admins and support: all; clients: theirs):
    website reviews with their status, newest first, paginated; ``?status=`` (repeatable)."""

    permission_classes = [IsAuthenticated, Allows(can_list_website_reviews)]  # type: ignore[list-item]
    serializer_class = WebsiteReviewSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = WebsiteReviewFilter

    def visible_queryset(self) -> Any:
        return selectors.website_review_list(user=self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        if getattr(self, "swagger_fake_view", False):
            return dict(super().get_serializer_context())
        return {**super().get_serializer_context(), "staff": is_review_staff(self.request.user)}


class _WebsiteReviewModerateView(APIView):
    permission_classes = [IsAuthenticated, _MODERATOR]  # type: ignore[list-item]
    move = staticmethod(services.review_publish)

    @extend_schema(request=None, responses=WebsiteReviewSerializer)
    def post(self, request: Request, pk: int) -> Response:
        type(self).move(review=access_website_review(user=request.user, pk=pk), actor=request.user)
        return _website_review_response(request, pk)


class WebsiteReviewPublishView(_WebsiteReviewModerateView):
    """``POST /api/v1/reviews/website/{id}/publish/`` (admins): publish it; the client is
    notified. 409 ``invalid_status_transition``."""

    move = staticmethod(services.review_publish)


class WebsiteReviewHideView(_WebsiteReviewModerateView):
    """``POST /api/v1/reviews/website/{id}/hide/`` (admins): hide it; the client is notified. 409
    ``invalid_status_transition``."""

    move = staticmethod(services.review_hide)


class WriterReviewListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/reviews/writers/{id}/`` (anyone): the writer's published reviews, newest
    first, paginated (``{id, author (first name), rating, text, created_at}``); 404 for a user who
    is not a writer."""

    permission_classes = [AllowAny]
    serializer_class = PublicReviewSerializer
    filter_backends: list[Any] = []

    def visible_queryset(self) -> Any:
        pk = self.kwargs.get("pk")
        if getattr(self, "swagger_fake_view", False):
            return selectors.writer_published_reviews(writer_id=0)
        if not selectors.is_writer(pk):
            raise NotFound("No such writer.")
        return selectors.writer_published_reviews(writer_id=pk)  # what anyone may see: the published ones
