"""The reviews API: thin views over ``services`` and ``selectors``.

| method and path | who | does |
| --- | --- | --- |
| ``GET /reviews/`` | anyone | reviews; ``product``, ``author``, ``rating``; ``ordering`` |
| ``POST /reviews/`` | the order's buyer | ``{order, product, rating, title?, body?}`` -> 201 |
| ``GET /reviews/{id}/`` | anyone | the review |
| ``PATCH /reviews/{id}/`` | its author | ``rating``, ``title``, ``body`` |
| ``DELETE /reviews/{id}/`` | its author, admin | -> 204 |

Errors (one shape): 400 ``validation_error``, ``invalid_product``; 401; 403 ``permission_denied``;
404 ``not_found`` (a review, or an order that is not yours); 409 ``order_not_delivered``,
``already_reviewed``, ``conflict``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from saas.api.views import VisibleQuerysetMixin
from tenant_apps.store.reviews import selectors, services
from tenant_apps.store.reviews.access import access_review, reviewable_order, reviewed_product
from tenant_apps.store.reviews.filters import ReviewFilter
from tenant_apps.store.reviews.serializers import ReviewChangeSerializer, ReviewInputSerializer, ReviewSerializer


class ReviewViewSet(VisibleQuerysetMixin, viewsets.GenericViewSet):
    """Product reviews by verified buyers. Lists are paginated; ``ordering`` by ``created_at``
    (default, newest first) or ``rating``."""

    serializer_class = ReviewSerializer
    parser_classes = [JSONParser]
    filterset_class = ReviewFilter
    ordering_fields = ("created_at", "rating")
    ordering = ("-created_at", "-id")
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    extra_error_statuses = (404,)  # create: an order that is not yours

    def get_permissions(self) -> list[Any]:
        if self.action in {"list", "retrieve"}:
            return [AllowAny()]
        return [IsAuthenticated()]

    def visible_queryset(self) -> Any:
        """Only ever the reviews the user may see (``access.reviews_visible_to``: all)."""
        return selectors.review_list(user=self.request.user)

    def _show(self, review: Any, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(ReviewSerializer(access_review(user=self.request.user, pk=review.pk)).data, status=status_code)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ReviewSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(ReviewSerializer(access_review(user=request.user, pk=pk)).data)

    @extend_schema(request=ReviewInputSerializer, responses={201: ReviewSerializer})
    def create(self, request: Request) -> Response:
        """Review a product of one of your delivered or completed orders (once per product and order)."""
        serializer = ReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        order = reviewable_order(user=request.user, pk=data.pop("order"))
        product = reviewed_product(pk=data.pop("product"))
        review = services.review_create(author=request.user, order=order, product=product, **data)
        return self._show(review, status.HTTP_201_CREATED)

    @extend_schema(request=ReviewChangeSerializer, responses=ReviewSerializer)
    def partial_update(self, request: Request, pk: int) -> Response:
        """Change your review's rating, title or body."""
        review = access_review(user=request.user, pk=pk)
        serializer = ReviewChangeSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        review = services.review_update(review=review, actor=request.user, changes=dict(serializer.validated_data))
        return self._show(review)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: int) -> Response:
        """Delete your review (admins: any)."""
        services.review_delete(review=access_review(user=request.user, pk=pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
