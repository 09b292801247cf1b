"""Reviews API shapes; datetimes ISO 8601 in UTC. ``text`` is plain text (escape it to show it).

Who sees whom: staff (admins, support; context ``staff``) see every name; a client sees their
own reviews; a writer sees the published reviews about them without the client; the public
lists show the client's first name only.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from saas.api.schema import NamedChoiceField
from tenant_apps.writing.reviews.models import MAX_TEXT, OrderReview, ReviewStatus, WebsiteReview


def _status_field() -> NamedChoiceField:
    """A review's ``status`` (``pending``, ``published``, ``hidden``), read-only."""
    return NamedChoiceField(component_name="WritingReviewStatusEnum", choices=ReviewStatus.choices, read_only=True)


def first_name(user: Any) -> str:
    """What the public is shown of a reviewer: the first word of their name, or ``"A client"``."""
    words = (getattr(user, "full_name", "") or "").split()
    return words[0] if words else "A client"


class OrderReviewCreateSerializer(serializers.Serializer):
    """``POST /reviews/orders/`` body: ``{order: <order id>, rating: 1-5, text?}``."""

    order = serializers.IntegerField(min_value=1)
    rating = serializers.IntegerField(min_value=1, max_value=5)
    text = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True, default="")


class WebsiteReviewCreateSerializer(serializers.Serializer):
    """``POST /reviews/website/`` body: ``{rating: 1-5, text?}``."""

    rating = serializers.IntegerField(min_value=1, max_value=5)
    text = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True, default="")


class _OrderRef(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()


class OrderReviewSerializer(serializers.ModelSerializer):
    """An order review: ``{id, order: {id, number}, client, client_name, writer, writer_name,
    rating, text, status, moderated_at, created_at}``; ``client`` (id) is ``null`` for a writer,
    the names ``null`` for anyone but staff."""

    status = _status_field()
    order = serializers.SerializerMethodField()
    client = serializers.SerializerMethodField()
    client_name = serializers.SerializerMethodField()
    writer_name = serializers.SerializerMethodField()

    class Meta:
        model = OrderReview
        fields = (
            "id",
            "order",
            "client",
            "client_name",
            "writer",
            "writer_name",
            "rating",
            "text",
            "status",
            "moderated_at",
            "created_at",
        )
        read_only_fields = fields

    def _viewer_id(self) -> Any:
        request = self.context.get("request")
        return getattr(getattr(request, "user", None), "pk", None)

    @extend_schema_field(_OrderRef())
    def get_order(self, review: OrderReview) -> dict[str, Any]:
        return {"id": review.order_id, "number": review.order.number}

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_client(self, review: OrderReview) -> int | None:
        return review.client_id if self.context.get("staff") or review.client_id == self._viewer_id() else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_client_name(self, review: OrderReview) -> str | None:
        return review.client.full_name if self.context.get("staff") else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_writer_name(self, review: OrderReview) -> str | None:
        return review.writer.full_name if self.context.get("staff") else None


class WebsiteReviewSerializer(serializers.ModelSerializer):
    """A website review with its status: ``{id, client, client_name, rating, text, status,
    moderated_at, created_at}`` (``client_name`` ``null`` for anyone but staff)."""

    status = _status_field()
    client_name = serializers.SerializerMethodField()

    class Meta:
        model = WebsiteReview
        fields = ("id", "client", "client_name", "rating", "text", "status", "moderated_at", "created_at")
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_client_name(self, review: WebsiteReview) -> str | None:
        return review.client.full_name if self.context.get("staff") else None


class PublicReviewSerializer(serializers.Serializer):
    """A published review for the site's front end: ``{id, author, rating, text, created_at}``;
    ``author`` is the client's first name."""

    id = serializers.IntegerField()
    author = serializers.SerializerMethodField()
    rating = serializers.IntegerField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField())
    def get_author(self, review: Any) -> str:
        return first_name(review.client)
