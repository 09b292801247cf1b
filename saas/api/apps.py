"""The API layer as a Django app, so its process-wide set-up runs once at start-up."""

from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    """``saas.api``: no models; ``ready`` makes DRF's string fields refuse numbers (``fields.py``) and
    clears the log context when a response is closed (``saas.logs``)."""

    name = "saas.api"
    label = "saas_api"

    def ready(self) -> None:
        from django.core.signals import request_finished

        from saas.api.fields import refuse_numbers_for_strings
        from saas.logs import request_context_clear

        refuse_numbers_for_strings()
        request_finished.connect(request_context_clear, dispatch_uid="saas.logs.request_context_clear")
