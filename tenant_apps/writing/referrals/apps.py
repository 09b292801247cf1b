"""The writing referrals app (writing sites)."""

from django.apps import AppConfig


class WritingReferralsConfig(AppConfig):
    """Referral codes and rewards (writing kind)."""

    name = "tenant_apps.writing.referrals"
    label = "writing_referrals"
    verbose_name = "Writing referrals"
