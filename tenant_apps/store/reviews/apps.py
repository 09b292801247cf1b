"""The reviews app (store sites)."""

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    """Product reviews and ratings (store kind)."""

    name = "tenant_apps.store.reviews"
    label = "reviews"
    verbose_name = "Reviews"
