"""Reviews (seed 001, the store): only a buyer of a ``delivered`` or ``completed`` order may review a
product of it, once per product and order (a unique constraint); they may edit and delete their
own. The product's ``avg_rating`` and ``ratings_count`` are recomputed under the product's row lock
on every create, edit and delete, so concurrent reviews never lose an update."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tenant_apps.store.catalog.models import Product
from tenant_apps.store.orders.models import Order


class Review(models.Model):
    """A buyer's ``rating`` (1-5) and optional text on a product of one of their orders."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reviews")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="store_reviews")
    rating = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["order", "product"], name="reviews_once_per_product_and_order"),
            models.CheckConstraint(condition=Q(rating__gte=1) & Q(rating__lte=5), name="reviews_rating_range"),
        ]
        indexes = [models.Index(fields=["product", "-created_at"], name="reviews_product")]

    def __str__(self) -> str:
        return f"{self.rating}/5 on product #{self.product_id}"
