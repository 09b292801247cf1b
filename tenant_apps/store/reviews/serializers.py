"""Request and response shapes of the reviews API (``rating`` a whole number 1-5)."""

from __future__ import annotations

from rest_framework import serializers

_MAX_ID = 2**63 - 1


class ReviewInputSerializer(serializers.Serializer):
    """A new review: ``order`` (yours, delivered or completed) and ``product`` (in it) by id."""

    order = serializers.IntegerField(min_value=1, max_value=_MAX_ID)
    product = serializers.IntegerField(min_value=1, max_value=_MAX_ID)
    rating = serializers.IntegerField(min_value=1, max_value=5)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    body = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")


class ReviewChangeSerializer(serializers.Serializer):
    """``PATCH``: any of ``rating``, ``title``, ``body``."""

    rating = serializers.IntegerField(min_value=1, max_value=5, required=False)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    body = serializers.CharField(max_length=10_000, required=False, allow_blank=True)


class ReviewAuthorSerializer(serializers.Serializer):
    """A review's author as everyone sees them: no e-mail address."""

    id = serializers.IntegerField(read_only=True)
    full_name = serializers.CharField(read_only=True)


class ReviewSerializer(serializers.Serializer):
    """A review of a product, by a verified buyer (``order``)."""

    id = serializers.IntegerField(read_only=True)
    product = serializers.IntegerField(source="product_id", read_only=True)
    order = serializers.IntegerField(source="order_id", read_only=True)
    author = ReviewAuthorSerializer(read_only=True)
    rating = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    body = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
