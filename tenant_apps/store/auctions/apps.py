"""The auctions app (store sites)."""

from django.apps import AppConfig


class AuctionsConfig(AppConfig):
    """Auctions and bids (store kind)."""

    name = "tenant_apps.store.auctions"
    label = "auctions"
    verbose_name = "Auctions"
