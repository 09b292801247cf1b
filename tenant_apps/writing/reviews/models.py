"""Reviews of a writing site (one schema per site), moderated by its admins.

* ``OrderReview``: a client's review of one of their ``completed`` orders and so of its writer
  (``writer`` copied from the order when written): ``rating`` 1-5 (a check constraint) and
  ``text``; one per order (its ``order`` is unique).
* ``WebsiteReview``: a client's review of the site itself, once they completed an order; one per
  client.

Both start ``pending``; an admin ``publishes`` or ``hides`` them (and may change their mind:
``published`` <-> ``hidden``). Only ``published`` ones are public and count: a writer's average
rating (``/writers/``, the dashboard) is the average of their published order reviews. The
``rating`` a client may give when approving an order (``orders.Order.rating``) stays the order's
own, unmoderated figure; it no longer feeds the writer's average.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

#: The longest review text, in characters.
MAX_TEXT = 5000


class ReviewStatus(models.TextChoices):
    """Where a review is in moderation."""

    PENDING = "pending", "Waiting for moderation"
    PUBLISHED = "published", "Published"
    HIDDEN = "hidden", "Hidden"


class ReviewBase(models.Model):
    """What both kinds of review share: ``rating`` (1-5), ``text``, ``status`` and who moderated
    it when (``moderated_by``, ``moderated_at``; ``None`` while pending)."""

    rating = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True, max_length=MAX_TEXT)
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class OrderReview(ReviewBase):
    """A client's review of their completed ``order`` and its ``writer``."""

    order = models.OneToOneField("writing_orders.Order", on_delete=models.CASCADE, related_name="client_review")
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="writing_order_reviews_given"
    )
    writer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="writing_order_reviews_received"
    )

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["writer", "status", "-created_at"], name="writing_reviews_order_writer"),
            models.Index(fields=["status", "-created_at", "-id"], name="writing_reviews_order_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1) & Q(rating__lte=5), name="writing_reviews_order_rating"),
            models.CheckConstraint(
                condition=Q(status__in=ReviewStatus.values), name="writing_reviews_order_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"review {self.pk} of order {self.order_id}"


class WebsiteReview(ReviewBase):
    """A client's review of the site (one per client)."""

    client = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="writing_website_review"
    )

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["status", "-created_at", "-id"], name="writing_reviews_site_status")]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1) & Q(rating__lte=5), name="writing_reviews_site_rating"),
            models.CheckConstraint(
                condition=Q(status__in=ReviewStatus.values), name="writing_reviews_site_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"website review {self.pk}"
