"""The writing referrals app (writing sites); ``ready`` hooks the reward to ``order_completed``."""

from django.apps import AppConfig


class WritingReferralsConfig(AppConfig):
    """Referral codes and rewards (writing kind)."""

    name = "tenant_apps.writing.referrals"
    label = "writing_referrals"
    verbose_name = "Writing referrals"

    def ready(self) -> None:
        from tenant_apps.kinds import connect_for_kind
        from tenant_apps.writing.kind import KIND
        from tenant_apps.writing.orders.models import Order
        from tenant_apps.writing.orders.signals import order_completed
        from tenant_apps.writing.referrals.receivers import on_order_completed

        connect_for_kind(
            order_completed,
            on_order_completed,
            kind=KIND.name,
            sender=Order,
            dispatch_uid="writing_referrals.on_order_completed",
        )
