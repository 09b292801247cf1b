"""Sentry: initialised only when ``SENTRY_DSN`` is set (see base settings).

The tenant is attached as the ``tenant`` tag on every event: the tenant middleware and the
Celery ``task_prerun`` hook set it on the current scope (``saas.observability.tag_tenant``).
"""

from __future__ import annotations


def init_sentry(dsn: str, *, environment: str, traces_sample_rate: float) -> None:
    """Initialise sentry-sdk with the Django and Celery integrations (no personal data is sent:
    sentry-sdk's default)."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        traces_sample_rate=traces_sample_rate,
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )
