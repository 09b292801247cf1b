"""The emails app: transactional e-mail rendered from templates with the tenant's sender, sent by
Celery tasks with retries; what fails for good is kept (``FailedEmail``) for the admins to send again."""

from django.apps import AppConfig


class EmailsConfig(AppConfig):
    """Transactional e-mail: templates, per-tenant sender, sent from Celery tasks with retries."""

    name = "tenant_apps.emails"
    label = "emails"
    verbose_name = "E-mail"
