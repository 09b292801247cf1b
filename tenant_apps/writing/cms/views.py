"""The blog and service pages API (writing sites): thin views over ``services`` and ``selectors``.

| method and path | who | does |
| --- | --- | --- |
| ``GET /blog/posts/`` | anyone (admin: every status) | public posts, newest first (filters below) |
| ``POST /blog/posts/`` | admin | write a draft |
| ``GET /blog/posts/{slug}/`` | anyone who may see it | one post with its body |
| ``PATCH``/``DELETE /blog/posts/{slug}/`` | admin | change, delete |
| ``POST /blog/posts/{slug}/publish/`` | admin | public now |
| ``POST /blog/posts/{slug}/unpublish/`` | admin | back to draft, hidden |
| ``POST /blog/posts/{slug}/schedule/`` | admin | public from ``publish_at`` on |
| ``GET /blog/categories/``, ``GET /blog/categories/{id}/`` | anyone | the categories |
| ``POST /blog/categories/``, ``PATCH``/``DELETE /blog/categories/{id}/`` | admin | manage them |
| ``GET /blog/tags/`` | anyone (admin: every tag) | tags of public posts |
| ``GET /service-pages/``, ``GET /service-pages/{slug}/`` | anyone (admin: unpublished too) | the service pages |
| ``POST /service-pages/``, ``PATCH``/``DELETE /service-pages/{slug}/`` | admin | manage them |

Post list filters: ``?category=<slug>``, ``?tag=<slug>``, ``?search=``, ``?ordering=``,
``?status=`` (``filters.PostFilter``).

A post or page a user may not see (a draft, a post scheduled for later, an unpublished page)
answers 404 ``not_found``, like a missing one; a change by anyone but an admin 403
``permission_denied`` (401 when not signed in).
"""

from __future__ import annotations

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.filters import SearchFilter
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.views import VisibleQuerysetMixin
from tenant_apps.accounts.permissions import Allows
from tenant_apps.writing.cms import selectors, services
from tenant_apps.writing.cms.access import access_category, access_post, access_service_page, can_manage_content
from tenant_apps.writing.cms.filters import PostFilter
from tenant_apps.writing.cms.serializers import (
    CategoryInSerializer,
    CategorySerializer,
    PostDetailSerializer,
    PostInSerializer,
    PostSerializer,
    ScheduleSerializer,
    ServicePageDetailSerializer,
    ServicePageInSerializer,
    ServicePageSerializer,
    TagSerializer,
)

_ADMIN = Allows(can_manage_content)
_READS = {"GET", "HEAD", "OPTIONS"}


def _anyone_reads(request: Request) -> list[Any]:
    """Anyone reads; admins write."""
    return [AllowAny()] if request.method in _READS else [IsAuthenticated(), _ADMIN]


def _post_out(request: Request, slug: str) -> Response:
    return Response(PostDetailSerializer(access_post(user=request.user, slug=slug)).data)


# --- Blog posts -------------------------------------------------------------------------------------


class PostListCreateView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/blog/posts/`` (anyone): the posts you may read (public ones; admins every
    one), newest first, paginated; filters in ``filters.PostFilter``, ``?search=`` in the title,
    excerpt and body. ``POST`` (admin) ``PostInSerializer`` -> 201, a draft."""

    serializer_class = PostSerializer
    filter_backends = [DjangoFilterBackend, SearchFilter]
    filterset_class = PostFilter
    search_fields = ("title", "excerpt", "body")

    def get_permissions(self) -> list[Any]:
        return _anyone_reads(self.request)

    def visible_queryset(self) -> Any:
        return selectors.post_list(user=self.request.user)

    @extend_schema(request=PostInSerializer, responses={201: PostDetailSerializer})
    def post(self, request: Request) -> Response:
        serializer = PostInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        post = services.post_create(actor=request.user, **serializer.validated_data)
        return Response(
            PostDetailSerializer(access_post(user=request.user, slug=post.slug)).data, status=status.HTTP_201_CREATED
        )


class PostDetailView(APIView):
    """``GET /api/v1/blog/posts/{slug}/`` (anyone who may read it: 404 for a draft or a post
    scheduled for later, unless admin); ``PATCH`` (admin) any of ``PostInSerializer``; ``DELETE``
    (admin) -> 204."""

    def get_permissions(self) -> list[Any]:
        return _anyone_reads(self.request)

    @extend_schema(responses=PostDetailSerializer)
    def get(self, request: Request, slug: str) -> Response:
        return _post_out(request, slug)

    @extend_schema(request=PostInSerializer, responses=PostDetailSerializer)
    def patch(self, request: Request, slug: str) -> Response:
        post = access_post(user=request.user, slug=slug)
        serializer = PostInSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        post = services.post_update(actor=request.user, post=post, **serializer.validated_data)
        return _post_out(request, post.slug)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str) -> Response:
        services.post_delete(actor=request.user, post=access_post(user=request.user, slug=slug))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PostPublishView(APIView):
    """``POST /api/v1/blog/posts/{slug}/publish/`` (admin): public now (no-op if it is)."""

    permission_classes = [IsAuthenticated, _ADMIN]  # type: ignore[list-item]

    @extend_schema(request=None, responses=PostDetailSerializer)
    def post(self, request: Request, slug: str) -> Response:
        post = services.post_publish(actor=request.user, post=access_post(user=request.user, slug=slug))
        return _post_out(request, post.slug)


class PostUnpublishView(APIView):
    """``POST /api/v1/blog/posts/{slug}/unpublish/`` (admin): back to draft, hidden (no-op for a draft)."""

    permission_classes = [IsAuthenticated, _ADMIN]  # type: ignore[list-item]

    @extend_schema(request=None, responses=PostDetailSerializer)
    def post(self, request: Request, slug: str) -> Response:
        post = services.post_unpublish(actor=request.user, post=access_post(user=request.user, slug=slug))
        return _post_out(request, post.slug)


class PostScheduleView(APIView):
    """``POST /api/v1/blog/posts/{slug}/schedule/`` (admin) ``{publish_at}``: public from then on
    (400 for a past moment; 409 ``invalid_status_transition`` for a live post: unpublish first)."""

    permission_classes = [IsAuthenticated, _ADMIN]  # type: ignore[list-item]
    extra_error_statuses = (409,)

    @extend_schema(request=ScheduleSerializer, responses=PostDetailSerializer)
    def post(self, request: Request, slug: str) -> Response:
        post = access_post(user=request.user, slug=slug)
        serializer = ScheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        post = services.post_schedule(actor=request.user, post=post, **serializer.validated_data)
        return _post_out(request, post.slug)


# --- Categories and tags ----------------------------------------------------------------------------


class CategoryListCreateView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/blog/categories/`` (anyone), by position; ``POST`` (admin) ``{name, slug?,
    description?, position?}`` -> 201."""

    serializer_class = CategorySerializer
    filter_backends: list[Any] = []

    def get_permissions(self) -> list[Any]:
        return _anyone_reads(self.request)

    def visible_queryset(self) -> Any:
        return selectors.category_list(user=self.request.user)

    @extend_schema(request=CategoryInSerializer, responses={201: CategorySerializer})
    def post(self, request: Request) -> Response:
        serializer = CategoryInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        category = services.category_create(actor=request.user, **serializer.validated_data)
        return Response(CategorySerializer(category).data, status=status.HTTP_201_CREATED)


class CategoryDetailView(APIView):
    """``GET /api/v1/blog/categories/{id}/`` (anyone); ``PATCH`` (admin) any of ``{name, slug,
    description, position}``; ``DELETE`` (admin) -> 204 (its posts stay)."""

    def get_permissions(self) -> list[Any]:
        return _anyone_reads(self.request)

    @extend_schema(responses=CategorySerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(CategorySerializer(access_category(user=request.user, pk=pk)).data)

    @extend_schema(request=CategoryInSerializer, responses=CategorySerializer)
    def patch(self, request: Request, pk: int) -> Response:
        category = access_category(user=request.user, pk=pk)
        serializer = CategoryInSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        category = services.category_update(actor=request.user, category=category, **serializer.validated_data)
        return Response(CategorySerializer(category).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.category_delete(actor=request.user, category=access_category(user=request.user, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class TagListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/blog/tags/`` (anyone): tags of public posts (admins: every tag), by name."""

    permission_classes = [AllowAny]
    serializer_class = TagSerializer
    filter_backends: list[Any] = []

    def visible_queryset(self) -> Any:
        return selectors.tag_list(user=self.request.user)


# --- Service pages ----------------------------------------------------------------------------------


class ServicePageListCreateView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/service-pages/`` (anyone): published pages (admins: all), by position.
    ``POST`` (admin) ``ServicePageInSerializer`` -> 201."""

    serializer_class = ServicePageSerializer
    filter_backends: list[Any] = []

    def get_permissions(self) -> list[Any]:
        return _anyone_reads(self.request)

    def visible_queryset(self) -> Any:
        return selectors.service_page_list(user=self.request.user)

    @extend_schema(request=ServicePageInSerializer, responses={201: ServicePageDetailSerializer})
    def post(self, request: Request) -> Response:
        serializer = ServicePageInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        page = services.service_page_create(actor=request.user, **serializer.validated_data)
        return Response(ServicePageDetailSerializer(page).data, status=status.HTTP_201_CREATED)


class ServicePageDetailView(APIView):
    """``GET /api/v1/service-pages/{slug}/`` (anyone who may read it: 404 for an unpublished page
    unless admin); ``PATCH`` (admin) any of ``ServicePageInSerializer``; ``DELETE`` (admin) -> 204."""

    def get_permissions(self) -> list[Any]:
        return _anyone_reads(self.request)

    @extend_schema(responses=ServicePageDetailSerializer)
    def get(self, request: Request, slug: str) -> Response:
        return Response(ServicePageDetailSerializer(access_service_page(user=request.user, slug=slug)).data)

    @extend_schema(request=ServicePageInSerializer, responses=ServicePageDetailSerializer)
    def patch(self, request: Request, slug: str) -> Response:
        page = access_service_page(user=request.user, slug=slug)
        serializer = ServicePageInSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        page = services.service_page_update(actor=request.user, page=page, **serializer.validated_data)
        return Response(ServicePageDetailSerializer(page).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str) -> Response:
        services.service_page_delete(actor=request.user, page=access_service_page(user=request.user, slug=slug))
        return Response(status=status.HTTP_204_NO_CONTENT)
