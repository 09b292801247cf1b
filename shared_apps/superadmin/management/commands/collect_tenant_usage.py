"""``manage.py collect_tenant_usage [slug ...]``: collect tenants' usage now, without waiting for beat."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from saas.db.tenant import use_public_schema
from shared_apps.superadmin.usage import usage_collect
from shared_apps.tenancy.models import PUBLIC_KIND, Tenant


class Command(BaseCommand):
    """Write the ``TenantHealth`` snapshot of the tenants named (default: every tenant but those
    still provisioning), as the periodic ``superadmin-usage-collect`` task does
    (``shared_apps/superadmin/usage.py``)."""

    help = "Collect tenants' usage and health (requests, errors, users, storage, tickets) now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*", help="Tenants to collect (default: all).")

    def handle(self, *args: Any, **options: Any) -> None:
        use_public_schema()
        tenants = None
        if options["slugs"]:
            tenants = list(Tenant.objects.filter(schema_name__in=options["slugs"]).exclude(kind=PUBLIC_KIND))
            missing = sorted(set(options["slugs"]) - {tenant.schema_name for tenant in tenants})
            if missing:
                raise CommandError(f"unknown_tenant: no tenant {', '.join(map(repr, missing))}.")
        collected = usage_collect(tenants=tenants)
        self.stdout.write(self.style.SUCCESS(f"Collected the usage of {collected} tenant(s)."))
