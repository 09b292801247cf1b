"""The API layer as a Django app, so its process-wide set-up runs once at start-up."""

from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    """``saas.api``: no models; ``ready`` makes DRF's string fields refuse numbers (``fields.py``)."""

    name = "saas.api"
    label = "saas_api"

    def ready(self) -> None:
        from saas.api.fields import refuse_numbers_for_strings

        refuse_numbers_for_strings()
