"""The inquiries app (rental sites)."""

from django.apps import AppConfig


class InquiriesConfig(AppConfig):
    """Inquiries, their messages, assignment to agents (rental kind)."""

    name = "tenant_apps.rental.inquiries"
    label = "inquiries"
    verbose_name = "Inquiries"
