"""The writing campaigns app (writing sites)."""

from django.apps import AppConfig


class WritingCampaignsConfig(AppConfig):
    """Mass e-mail campaigns to audiences, with unsubscribe (writing kind)."""

    name = "tenant_apps.writing.campaigns"
    label = "writing_campaigns"
    verbose_name = "Writing campaigns"
