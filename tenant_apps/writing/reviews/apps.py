"""The writing reviews app (writing sites)."""

from django.apps import AppConfig


class WritingReviewsConfig(AppConfig):
    """Reviews of orders, writers and the website, moderated (writing kind)."""

    name = "tenant_apps.writing.reviews"
    label = "writing_reviews"
    verbose_name = "Writing reviews"
