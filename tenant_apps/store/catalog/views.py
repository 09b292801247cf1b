"""The catalog API (store sites): thin views over ``services`` and ``selectors``.

| method and path | who | does |
| --- | --- | --- |
| ``GET /categories/`` | anyone | categories, flat, parents first (``parent``, ``depth``) |
| ``GET /categories/tree/`` | anyone | the whole tree, nested |
| ``POST /categories/``, ``PATCH``/``DELETE /categories/{id}/`` | admin | create; rename, move; delete |
| ``GET /products/`` | anyone | approved active products; sellers also theirs; admin all (search, filters) |
| ``POST /products/`` | sellers | list a product -> pending |
| ``GET``/``PATCH /products/{id}/`` | anyone / its seller, admin | read; change |
| ``PATCH /products/{id}/assign-brand/`` | its seller, admin | assign (or remove) a brand |
| ``POST /products/{id}/approve/``, ``/reject/`` | admin | decide a pending product |
| ``POST /products/{id}/images/``, ``DELETE .../images/{image_id}/`` | its seller, admin | images |
| ``GET /brands/``, ``GET /brands/{id}/`` | anyone | approved brands; sellers also theirs; admin all |
| ``POST /brands/`` | sellers whose rank unlocks brands | propose a brand -> pending |
| ``POST /brands/{id}/approve/``, ``/reject/`` | admin | decide a pending brand |
| ``GET``/``POST /sale-events/``, ``GET``/``PATCH``/``DELETE /sale-events/{id}/`` | admin | sale events |

An object the user may not see answers 404 ``not_found``, like a missing one.
"""

from __future__ import annotations

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.views import VisibleQuerysetMixin
from tenant_apps.accounts.permissions import Allows
from tenant_apps.store.catalog import selectors, services
from tenant_apps.store.catalog.access import (
    access_brand,
    access_category,
    access_product,
    access_product_image,
    access_sale_event,
    can_manage_catalog,
    can_sell,
)
from tenant_apps.store.catalog.filters import BrandFilter, ProductFilter
from tenant_apps.store.catalog.models import Category
from tenant_apps.store.catalog.serializers import (
    AssignBrandSerializer,
    BrandCreateSerializer,
    BrandSerializer,
    CatalogRejectSerializer,
    CategorySerializer,
    CategoryTreeSerializer,
    CategoryWriteSerializer,
    ProductCreateSerializer,
    ProductImageSerializer,
    ProductImageUploadSerializer,
    ProductSerializer,
    ProductUpdateSerializer,
    SaleEventSerializer,
    SaleEventWriteSerializer,
)

_ADMIN = Allows(can_manage_catalog)
_SELLER = Allows(can_sell)
_READS = {"GET", "HEAD", "OPTIONS"}


def _anyone_or(request: Request, *writers: Any) -> list[Any]:
    """Anyone reads; signed-in users holding ``writers`` write."""
    return [AllowAny()] if request.method in _READS else [IsAuthenticated(), *writers]


def _product_response(request: Request, pk: Any, *, status_code: int = status.HTTP_200_OK) -> Response:
    product = access_product(user=request.user, pk=pk)
    return Response(ProductSerializer(product, context={"request": request}).data, status=status_code)


# --- Categories -----------------------------------------------------------------------------------


class CategoryListCreateView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/categories/`` (anyone): every category, parents before children, with
    ``parent`` and ``depth``. ``POST`` (admin) adds one under ``parent`` (or a root) -> 201."""

    serializer_class = CategorySerializer
    filter_backends: list[Any] = []

    def get_permissions(self) -> list[Any]:
        return _anyone_or(self.request, _ADMIN)

    def visible_queryset(self) -> Any:
        return selectors.category_list()

    @extend_schema(request=CategoryWriteSerializer, responses={201: CategorySerializer})
    def post(self, request: Request) -> Response:
        serializer = CategoryWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        category = services.category_create(actor=request.user, **serializer.validated_data)
        return Response(CategorySerializer(category).data, status=status.HTTP_201_CREATED)


class CategoryTreeView(APIView):
    """``GET /api/v1/categories/tree/`` (anyone): the whole tree, roots first, children nested by name."""

    permission_classes = [AllowAny]

    @extend_schema(responses=CategoryTreeSerializer(many=True))
    def get(self, request: Request) -> Response:
        nodes: dict[str, dict[str, Any]] = {}
        roots: list[dict[str, Any]] = []
        steplen = Category.steplen
        for category in selectors.category_list():
            node = {"id": category.pk, "name": category.name, "slug": category.slug, "depth": category.depth}
            node["children"] = []
            nodes[category.path] = node
            parent = nodes.get(category.path[:-steplen])
            (parent["children"] if parent is not None else roots).append(node)
        return Response(roots)


class CategoryDetailView(APIView):
    """``GET /api/v1/categories/{id}/`` (anyone); ``PATCH`` (admin): ``name``, ``slug``, and a
    ``parent`` moves it with its subtree (400 ``invalid_move`` under itself); ``DELETE`` (admin)
    removes it with its subtree (409 ``category_has_products``)."""

    def get_permissions(self) -> list[Any]:
        return _anyone_or(self.request, _ADMIN)

    def _one(self, pk: Any) -> Any:
        access_category(pk=pk)
        return selectors.category_list().get(pk=pk)

    @extend_schema(responses=CategorySerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(CategorySerializer(self._one(pk)).data)

    @extend_schema(request=CategoryWriteSerializer, responses=CategorySerializer)
    def patch(self, request: Request, pk: int) -> Response:
        category = access_category(pk=pk)
        serializer = CategoryWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        moving = "parent" in data
        parent = data.pop("parent", None)
        if data:
            category = services.category_rename(actor=request.user, category=category, **data)
        if moving:
            services.category_move(actor=request.user, category=category, parent=parent)
        return Response(CategorySerializer(self._one(pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.category_delete(actor=request.user, category=access_category(pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Products -------------------------------------------------------------------------------------


class ProductListCreateView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/products/`` (anyone): the products you may see, newest first (best match first
    with ``search``). Filters: see ``filters.ProductFilter``; ``ordering``: ``price``,
    ``created_at``, ``avg_rating``, ``title`` (``-`` for descending).

    ``POST`` (sellers) lists a product -> 201, ``pending`` until an admin approves it.
    """

    serializer_class = ProductSerializer
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = ProductFilter
    ordering_fields = ("price", "created_at", "avg_rating", "title")
    ordering = None  # the selector's order, or the search ranking

    def get_permissions(self) -> list[Any]:
        return _anyone_or(self.request, _SELLER)

    def visible_queryset(self) -> Any:
        return selectors.product_list(user=self.request.user)

    @extend_schema(request=ProductCreateSerializer, responses={201: ProductSerializer})
    def post(self, request: Request) -> Response:
        serializer = ProductCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = services.product_create(actor=request.user, **serializer.validated_data)
        return _product_response(request, product.pk, status_code=status.HTTP_201_CREATED)


class ProductDetailView(APIView):
    """``GET /api/v1/products/{id}/`` (anyone who may see it); ``PATCH`` (its seller, admin):
    price, stock, discount, ``is_active``, category, brand, title, description."""

    def get_permissions(self) -> list[Any]:
        return _anyone_or(self.request)

    @extend_schema(responses=ProductSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _product_response(request, pk)

    @extend_schema(request=ProductUpdateSerializer, responses=ProductSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        product = access_product(user=request.user, pk=pk)
        serializer = ProductUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.product_update(actor=request.user, product=product, **serializer.validated_data)
        return _product_response(request, pk)


class ProductAssignBrandView(APIView):
    """``PATCH /api/v1/products/{id}/assign-brand/`` ``{brand}`` (its seller, admin): an approved
    brand (400 ``brand_not_approved``), if your rank unlocks brands (403 ``rank_too_low``);
    ``null`` removes it."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=AssignBrandSerializer, responses=ProductSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        product = access_product(user=request.user, pk=pk)
        serializer = AssignBrandSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.product_assign_brand(actor=request.user, product=product, brand=serializer.validated_data["brand"])
        return _product_response(request, pk)


class ProductApproveView(APIView):
    """``POST /api/v1/products/{id}/approve/`` (admin): a pending product goes on sale; 409
    ``invalid_status_transition`` once decided. The seller is notified (``product_approved``)."""

    permission_classes = [IsAuthenticated, _ADMIN]  # type: ignore[list-item]

    @extend_schema(request=None, responses=ProductSerializer)
    def post(self, request: Request, pk: int) -> Response:
        services.product_approve(actor=request.user, product=access_product(user=request.user, pk=pk))
        return _product_response(request, pk)


class ProductRejectView(APIView):
    """``POST /api/v1/products/{id}/reject/`` ``{reason}`` (admin): 409 once decided; the seller
    is notified (``product_rejected``, with the reason)."""

    permission_classes = [IsAuthenticated, _ADMIN]  # type: ignore[list-item]

    @extend_schema(request=CatalogRejectSerializer, responses=ProductSerializer)
    def post(self, request: Request, pk: int) -> Response:
        product = access_product(user=request.user, pk=pk)
        serializer = CatalogRejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.product_reject(actor=request.user, product=product, reason=serializer.validated_data["reason"])
        return _product_response(request, pk)


class ProductImageCreateView(APIView):
    """``POST /api/v1/products/{id}/images/`` (multipart; its seller, admin): ``file`` or ``file_id``,
    ``alt_text`` -> 201 with the image and its thumbnail's URL. 409 ``too_many_images``."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ProductImageUploadSerializer}, responses={201: ProductImageSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        product = access_product(user=request.user, pk=pk)
        serializer = ProductImageUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        image = services.product_image_add(
            actor=request.user,
            product=product,
            upload=data.get("file"),
            file_id=data.get("file_id"),
            alt_text=data.get("alt_text", ""),
        )
        return Response(ProductImageSerializer(image).data, status=status.HTTP_201_CREATED)


class ProductImageDetailView(APIView):
    """``DELETE /api/v1/products/{id}/images/{image_id}/`` (its seller, admin) -> 204."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int, image_id: int) -> Response:
        product = access_product(user=request.user, pk=pk)
        image = access_product_image(product=product, pk=image_id)
        services.product_image_delete(actor=request.user, image=image)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Brands ---------------------------------------------------------------------------------------


class BrandListCreateView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/brands/`` (anyone): approved brands; sellers also their own; admin all
    (``status``, ``owner`` filters). ``POST`` (sellers whose rank unlocks brands; 403
    ``rank_too_low`` otherwise) proposes one -> 201, pending."""

    serializer_class = BrandSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = BrandFilter

    def get_permissions(self) -> list[Any]:
        return _anyone_or(self.request, _SELLER)

    def visible_queryset(self) -> Any:
        return selectors.brand_list(user=self.request.user)

    @extend_schema(request=BrandCreateSerializer, responses={201: BrandSerializer})
    def post(self, request: Request) -> Response:
        serializer = BrandCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        brand = services.brand_create(actor=request.user, **serializer.validated_data)
        return Response(
            BrandSerializer(access_brand(user=request.user, pk=brand.pk)).data, status=status.HTTP_201_CREATED
        )


class BrandDetailView(APIView):
    """``GET /api/v1/brands/{id}/`` (anyone who may see it)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=BrandSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(BrandSerializer(access_brand(user=request.user, pk=pk)).data)


class BrandApproveView(APIView):
    """``POST /api/v1/brands/{id}/approve/`` (admin): 409 ``invalid_status_transition`` once
    decided; the owner is notified (``brand_approved``)."""

    permission_classes = [IsAuthenticated, _ADMIN]  # type: ignore[list-item]

    @extend_schema(request=None, responses=BrandSerializer)
    def post(self, request: Request, pk: int) -> Response:
        brand = services.brand_approve(actor=request.user, brand=access_brand(user=request.user, pk=pk))
        return Response(BrandSerializer(access_brand(user=request.user, pk=brand.pk)).data)


class BrandRejectView(APIView):
    """``POST /api/v1/brands/{id}/reject/`` ``{reason}`` (admin): 409 once decided; the owner is
    notified (``brand_rejected``, with the reason)."""

    permission_classes = [IsAuthenticated, _ADMIN]  # type: ignore[list-item]

    @extend_schema(request=CatalogRejectSerializer, responses=BrandSerializer)
    def post(self, request: Request, pk: int) -> Response:
        brand = access_brand(user=request.user, pk=pk)
        serializer = CatalogRejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.brand_reject(actor=request.user, brand=brand, reason=serializer.validated_data["reason"])
        return Response(BrandSerializer(access_brand(user=request.user, pk=pk)).data)


# --- Sale events ----------------------------------------------------------------------------------


class SaleEventListCreateView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/sale-events/`` (admin): latest start first; ``POST`` (admin) -> 201."""

    permission_classes = [IsAuthenticated, _ADMIN]  # type: ignore[list-item]
    serializer_class = SaleEventSerializer
    filter_backends: list[Any] = []

    def visible_queryset(self) -> Any:
        return selectors.sale_event_list()

    @extend_schema(request=SaleEventWriteSerializer, responses={201: SaleEventSerializer})
    def post(self, request: Request) -> Response:
        serializer = SaleEventWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = services.sale_event_create(actor=request.user, **serializer.validated_data)
        return Response(SaleEventSerializer(access_sale_event(pk=event.pk)).data, status=status.HTTP_201_CREATED)


class SaleEventDetailView(APIView):
    """``GET``, ``PATCH``, ``DELETE /api/v1/sale-events/{id}/`` (admin)."""

    permission_classes = [IsAuthenticated, _ADMIN]  # type: ignore[list-item]

    @extend_schema(responses=SaleEventSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(SaleEventSerializer(access_sale_event(pk=pk)).data)

    @extend_schema(request=SaleEventWriteSerializer, responses=SaleEventSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        event = access_sale_event(pk=pk)
        serializer = SaleEventWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.sale_event_update(actor=request.user, event=event, **serializer.validated_data)
        return Response(SaleEventSerializer(access_sale_event(pk=pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.sale_event_delete(actor=request.user, event=access_sale_event(pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
