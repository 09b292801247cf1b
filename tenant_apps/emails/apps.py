"""The emails app (no models): transactional e-mail rendered from templates with the tenant's sender,
sent by Celery tasks with retries."""

from django.apps import AppConfig


class EmailsConfig(AppConfig):
    """Transactional e-mail: templates, per-tenant sender, sent from Celery tasks with retries."""

    name = "tenant_apps.emails"
    label = "emails"
    verbose_name = "E-mail"
