"""The products, lessons and groups API (school sites): thin views over ``services`` and ``selectors``.

| method and path | who | does |
| --- | --- | --- |
| ``GET /authors/``, ``GET /authors/{id}/`` | anyone | authors |
| ``POST /authors/``, ``PATCH``/``DELETE /authors/{id}/`` | admin | edit authors |
| ``GET /products/`` | anyone | products with their outline; full lessons for paid buyers and staff |
| ``POST /products/`` | admin | create a product |
| ``GET /products/{id}/`` | anyone | one product, outline or full |
| ``PATCH``/``DELETE /products/{id}/`` | admin | edit, delete (never bought) |
| ``GET /products/mine/`` | users | own purchases with their payment state and group |
| ``POST /products/{id}/purchase/`` | students | order: a pending purchase and its invoice -> 201 |
| ``GET /products/{id}/lessons/`` | paid buyers, staff | lessons with video URLs; others 403 ``payment_required`` |
| ``POST /products/{id}/lessons/``, ``PATCH``/``DELETE .../lessons/{lesson_id}/`` | admin | edit lessons |
| ``GET /products/{id}/groups/`` | admin, teacher, support | the product's groups with members |
| ``POST /groups/{id}/move/`` ``{student, to_group}`` | admin, support | move a student to another group |
| ``GET /groups/mine/`` | users | own group seats |

A product the user may not see (unpublished, not bought, not staff) answers 404 ``not_found``.
``GET /products/{id}/lessons/`` answers 403 ``payment_required`` rather than the outline: the
outline is what ``GET /products/{id}/`` returns to everyone, and a client asking for the lessons
learns plainly that it must pay (``details`` name the pending purchase and invoice, if any).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.views import VisibleQuerysetMixin
from tenant_apps.accounts.permissions import HasRole
from tenant_apps.school.lessons import selectors, services
from tenant_apps.school.lessons.access import (
    BUYER_ROLES,
    CATALOG_EDITOR_ROLES,
    GROUP_MANAGER_ROLES,
    STAFF_ROLES,
    access_author,
    access_group,
    access_lesson,
    access_product,
    can_see_whole_catalog,
    ensure_can_watch_lessons,
)
from tenant_apps.school.lessons.filters import ProductFilter
from tenant_apps.school.lessons.models import Lesson, Product, StudyGroup
from tenant_apps.school.lessons.serializers import (
    AuthorSerializer,
    AuthorWriteSerializer,
    GroupMoveResultSerializer,
    GroupMoveSerializer,
    LessonSerializer,
    LessonWriteSerializer,
    MyStudyGroupSerializer,
    ProductPurchaseSerializer,
    ProductSerializer,
    ProductWriteSerializer,
    StudyGroupSerializer,
)

_EDITOR = HasRole(*CATALOG_EDITOR_ROLES)


def _read_or_edit(request: Request) -> list[Any]:
    """Anyone reads; admins write."""
    return [AllowAny()] if request.method in {"GET", "HEAD", "OPTIONS"} else [IsAuthenticated(), _EDITOR]


def _watch_or_edit(request: Request) -> list[Any]:
    """Signed-in users read (``ensure_can_watch_lessons`` checks payment); admins write."""
    return [IsAuthenticated()] if request.method in {"GET", "HEAD", "OPTIONS"} else [IsAuthenticated(), _EDITOR]


def product_context(request: Request) -> dict[str, Any]:
    """What ``ProductSerializer`` needs to know about the requester, computed once per request."""
    user = request.user
    staff = can_see_whole_catalog(user)
    paid = selectors.paid_product_ids(user)
    return {
        "request": request,
        "full_access": lambda product: staff or product.pk in paid,
        "purchases": selectors.live_purchases_by_product(user),
    }


def _product_response(request: Request, pk: Any, *, status_code: int = status.HTTP_200_OK) -> Response:
    product = access_product(user=request.user, pk=pk)
    return Response(ProductSerializer(product, context=product_context(request)).data, status=status_code)


# --- Authors --------------------------------------------------------------------------------------


class AuthorListCreateView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/authors/`` (anyone; ``search`` by name); ``POST`` (admin) creates one."""

    serializer_class = AuthorSerializer
    search_fields = ("name",)
    ordering_fields = ("name", "created_at")

    def get_permissions(self) -> list[Any]:
        return _read_or_edit(self.request)

    def visible_queryset(self) -> Any:
        return selectors.author_list()

    @extend_schema(request=AuthorWriteSerializer, responses={201: AuthorSerializer})
    def post(self, request: Request) -> Response:
        serializer = AuthorWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        author = services.author_create(actor=request.user, **serializer.validated_data)
        return Response(AuthorSerializer(author).data, status=status.HTTP_201_CREATED)


class AuthorDetailView(APIView):
    """``GET /api/v1/authors/{id}/`` (anyone); ``PATCH``, ``DELETE`` (admin; 409
    ``author_has_products``)."""

    def get_permissions(self) -> list[Any]:
        return _read_or_edit(self.request)

    @extend_schema(responses=AuthorSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(AuthorSerializer(access_author(pk=pk)).data)

    @extend_schema(request=AuthorWriteSerializer, responses=AuthorSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        author = access_author(pk=pk)
        serializer = AuthorWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        author = services.author_update(actor=request.user, author=author, **serializer.validated_data)
        return Response(AuthorSerializer(author).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.author_delete(actor=request.user, author=access_author(pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Products -------------------------------------------------------------------------------------


class ProductListCreateView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/products/`` (anyone): products you may see, with their outline, or their full
    lessons when you paid for them (or are staff). Filters: ``author``, ``currency``,
    ``price_min``, ``price_max``, ``is_published``; ``search`` in title, description and author;
    ``ordering`` by ``title`` (default), ``price``, ``created_at``.

    ``POST`` (admin) creates a product -> 201.
    """

    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    search_fields = ("title", "description", "author__name")
    ordering_fields = ("title", "price", "created_at")

    def get_permissions(self) -> list[Any]:
        return _read_or_edit(self.request)

    def visible_queryset(self) -> Any:
        return selectors.product_list(user=self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), **product_context(self.request)}

    @extend_schema(request=ProductWriteSerializer, responses={201: ProductSerializer})
    def post(self, request: Request) -> Response:
        serializer = ProductWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = services.product_create(actor=request.user, **serializer.validated_data)
        return _product_response(request, product.pk, status_code=status.HTTP_201_CREATED)


class ProductDetailView(APIView):
    """``GET /api/v1/products/{id}/`` (anyone who may see it): outline, or full lessons for paid
    buyers and staff. ``PATCH`` (admin) changes it; ``DELETE`` (admin) removes one never bought
    (else 409 ``product_has_purchases``: unpublish it)."""

    def get_permissions(self) -> list[Any]:
        return _read_or_edit(self.request)

    @extend_schema(responses=ProductSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _product_response(request, pk)

    @extend_schema(request=ProductWriteSerializer, responses=ProductSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        product = access_product(user=request.user, pk=pk)
        serializer = ProductWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.product_update(actor=request.user, product=product, **serializer.validated_data)
        return _product_response(request, pk)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.product_delete(actor=request.user, product=access_product(user=request.user, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProductPurchaseView(APIView):
    """``POST /api/v1/products/{id}/purchase/`` (students): order the product -> 201 with the pending
    purchase and its invoice (pay it through the invoices API). 409 ``already_purchased`` when you
    have a pending or paid purchase of it, ``product_unavailable`` when it is not on sale."""

    def get_permissions(self) -> list[Any]:
        return [IsAuthenticated(), HasRole(*BUYER_ROLES)]

    @extend_schema(request=None, responses={201: ProductPurchaseSerializer})
    def post(self, request: Request, pk: int) -> Response:
        product = access_product(user=request.user, pk=pk)
        purchase = services.product_purchase_create(student=request.user, product=product)
        purchase = selectors.purchase_list(user=request.user).get(pk=purchase.pk)
        return Response(ProductPurchaseSerializer(purchase).data, status=status.HTTP_201_CREATED)


class MyPurchaseListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/products/mine/``: your purchases, newest first, with their payment state
    (invoice status, amounts) and, once paid, your group."""

    permission_classes = [IsAuthenticated]
    serializer_class = ProductPurchaseSerializer
    filter_backends: list[Any] = []

    def visible_queryset(self) -> Any:
        return selectors.purchase_list(user=self.request.user)


# --- Lessons --------------------------------------------------------------------------------------


class ProductLessonListCreateView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/products/{id}/lessons/`` (paid buyers and staff): the lessons with their video
    URLs, in order; anyone else 403 ``payment_required``. ``POST`` (admin) adds a lesson -> 201
    (409 ``lesson_order_taken``)."""

    serializer_class = LessonSerializer
    filter_backends: list[Any] = []

    def get_permissions(self) -> list[Any]:
        return _watch_or_edit(self.request)

    def _product(self) -> Product:
        return access_product(user=self.request.user, pk=self.kwargs["pk"])

    def visible_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request user or product
            return Lesson.objects.none()
        product = self._product()
        ensure_can_watch_lessons(user=self.request.user, product=product)
        return selectors.lesson_list(product=product)

    @extend_schema(request=LessonWriteSerializer, responses={201: LessonSerializer})
    def post(self, request: Request, pk: int) -> Response:
        product = self._product()
        serializer = LessonWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lesson = services.lesson_create(actor=request.user, product=product, **serializer.validated_data)
        return Response(LessonSerializer(lesson).data, status=status.HTTP_201_CREATED)


class ProductLessonDetailView(APIView):
    """``GET /api/v1/products/{id}/lessons/{lesson_id}/`` (paid buyers and staff); ``PATCH`` and
    ``DELETE`` (admin)."""

    def get_permissions(self) -> list[Any]:
        return _watch_or_edit(self.request)

    @extend_schema(responses=LessonSerializer)
    def get(self, request: Request, pk: int, lesson_id: int) -> Response:
        product = access_product(user=request.user, pk=pk)
        ensure_can_watch_lessons(user=request.user, product=product)
        return Response(LessonSerializer(access_lesson(product=product, pk=lesson_id)).data)

    @extend_schema(request=LessonWriteSerializer, responses=LessonSerializer)
    def patch(self, request: Request, pk: int, lesson_id: int) -> Response:
        product = access_product(user=request.user, pk=pk)
        lesson = access_lesson(product=product, pk=lesson_id)
        serializer = LessonWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        lesson = services.lesson_update(actor=request.user, lesson=lesson, **serializer.validated_data)
        return Response(LessonSerializer(lesson).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int, lesson_id: int) -> Response:
        product = access_product(user=request.user, pk=pk)
        services.lesson_delete(actor=request.user, lesson=access_lesson(product=product, pk=lesson_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Groups ---------------------------------------------------------------------------------------


class ProductGroupListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/products/{id}/groups/`` (admin, teacher, support): the product's groups in
    creation order, with their members."""

    def get_permissions(self) -> list[Any]:
        return [IsAuthenticated(), HasRole(*STAFF_ROLES)]

    serializer_class = StudyGroupSerializer
    filter_backends: list[Any] = []

    def visible_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return StudyGroup.objects.none()
        product = access_product(user=self.request.user, pk=self.kwargs["pk"])
        return selectors.group_list(product=product)


class GroupMoveView(APIView):
    """``POST /api/v1/groups/{id}/move/`` ``{student, to_group}`` (admin, support): move a member of
    group ``id`` to another group of the same product. 400 ``group_product_mismatch``,
    ``same_group``, ``not_a_member``; 409 ``group_full``."""

    def get_permissions(self) -> list[Any]:
        return [IsAuthenticated(), HasRole(*GROUP_MANAGER_ROLES)]

    @extend_schema(request=GroupMoveSerializer, responses=GroupMoveResultSerializer)
    def post(self, request: Request, pk: int) -> Response:
        group = access_group(pk=pk)
        serializer = GroupMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        student, to_group = serializer.validated_data["student"], serializer.validated_data["to_group"]
        services.group_member_move(actor=request.user, group=group, student=student, to_group=to_group)
        body = {
            "student": student.pk,
            "from_group": StudyGroupSerializer(access_group(pk=group.pk)).data,
            "to_group": StudyGroupSerializer(access_group(pk=to_group.pk)).data,
        }
        return Response(body)


class MyGroupListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/groups/mine/``: your group seats (one per paid product), newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = MyStudyGroupSerializer
    filter_backends: list[Any] = []

    def visible_queryset(self) -> Any:
        return selectors.membership_list(user=self.request.user)
