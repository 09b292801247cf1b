"""``manage.py purge_tenant <slug> [--force]``: purge one archived tenant now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from saas.api.errors import ApplicationError
from saas.db.tenant import use_public_schema
from shared_apps.superadmin.purge import tenant_purge
from shared_apps.tenancy.models import Tenant


class Command(BaseCommand):
    """Purge the archived tenant ``slug`` (``shared_apps/superadmin/purge.py``): its Stripe
    subscription, files, cache keys, schema and row. Without ``--force`` only once its
    ``purge_after`` passed; a tenant that is not archived is always refused. Irreversible."""

    help = "Purge an archived tenant: Stripe subscription, files, cache keys, schema and row."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--force", action="store_true", help="Purge before the retention period ends.")

    def handle(self, *args: Any, **options: Any) -> None:
        use_public_schema()
        tenant = Tenant.objects.filter(schema_name=options["slug"]).first()
        if tenant is None:
            raise CommandError(f"unknown_tenant: no tenant {options['slug']!r}.")
        try:
            report = tenant_purge(tenant=tenant, force=options["force"])
        except ApplicationError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Purged {tenant.schema_name!r}: {report.files_deleted} file(s), "
                f"{report.cache_keys_deleted} cache key(s), subscription cancelled: {report.subscription_cancelled}"
            )
        )
