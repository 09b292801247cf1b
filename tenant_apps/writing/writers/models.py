"""Writer levels and writer profiles of a writing site (one schema per site).

* ``WriterLevel``: what a completed order earns a writer of the level, by the site's
  ``OrderSettings.earning_mode``: ``share_percent`` (0-100) of what the client kept of the order's
  total, or ``per_page_amount`` (pricing currency, 2 places) times the order's pages, never above
  what was kept (``earnings.py``). Exactly one level is the default (``is_default``, a partial
  unique index): a writer without a profile is of that level.
* ``WriterProfile``: a writer user and their level; created on first need (an admin sets the
  level, or an order of theirs completes) with the default level.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class WriterLevel(models.Model):
    """A writer level: ``slug`` unique, listed by ``position`` then name; amounts are ``Decimal``."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    position = models.PositiveIntegerField(default=0)
    share_percent = models.DecimalField(max_digits=5, decimal_places=2, help_text="0-100, of the kept total.")
    per_page_amount = models.DecimalField(max_digits=12, decimal_places=2, help_text="Pricing currency, per page.")
    is_default = models.BooleanField(default=False, help_text="The level of writers without a profile.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("position", "name", "id")
        constraints = [
            models.CheckConstraint(
                condition=Q(share_percent__gte=0) & Q(share_percent__lte=100), name="writing_writers_level_share_range"
            ),
            models.CheckConstraint(condition=Q(per_page_amount__gte=0), name="writing_writers_level_per_page_min"),
            models.CheckConstraint(condition=~Q(slug=""), name="writing_writers_level_slug_not_blank"),
            models.UniqueConstraint(
                fields=("is_default",), condition=Q(is_default=True), name="writing_writers_level_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WriterProfile(models.Model):
    """A writer's profile: their ``level`` (a level with writers cannot be deleted)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="writer_profile")
    level = models.ForeignKey(WriterLevel, on_delete=models.PROTECT, related_name="profiles")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("user_id",)

    def __str__(self) -> str:
        return f"writer {self.user_id}: {self.level_id}"
