"""The audit app (every tenant schema): an append-only log of who did what to which object, when and from
which IP, read by the tenant admin."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Who did what to which object, when, from where (every tenant schema)."""

    name = "tenant_apps.audit"
    label = "audit"
    verbose_name = "Audit log"
