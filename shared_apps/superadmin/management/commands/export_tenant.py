"""``manage.py export_tenant <slug> [--output PATH]``: write one tenant's archive to a local file."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from saas.db.tenant import use_public_schema
from saas.errors import ApplicationError
from shared_apps.superadmin.portability.export import tenant_export
from shared_apps.tenancy.models import Tenant


class Command(BaseCommand):
    """Export tenant ``slug`` (``shared_apps/superadmin/portability/export.py``) to ``--output``
    (default ``<slug>.tar`` in the current directory; ``-`` for standard output), synchronously,
    printing its progress on standard error. The file is written as a stream: a pipe works."""

    help = "Export one tenant (schema dump, files, manifest) into a tar archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--output", "-o", help="Archive path (default <slug>.tar; - for stdout).")

    def handle(self, *args: Any, **options: Any) -> None:
        use_public_schema()
        tenant = Tenant.objects.filter(schema_name=options["slug"]).first()
        if tenant is None:
            raise CommandError(f"unknown_tenant: no tenant {options['slug']!r}.")
        output = options["output"] or f"{tenant.schema_name}.tar"

        def progress(percent: int, step: str) -> None:
            self.stderr.write(f"{percent:3d}% {step}")

        try:
            if output == "-":
                manifest = tenant_export(tenant=tenant, target=sys.stdout.buffer, progress=progress)
            else:
                with open(output, "wb") as target:
                    manifest = tenant_export(tenant=tenant, target=target, progress=progress)
        except ApplicationError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        rows = sum(int(t["rows"]) for t in manifest["tables"].values())
        self.stderr.write(
            self.style.SUCCESS(
                f"Exported {tenant.schema_name!r} to {output}: {len(manifest['tables'])} tables, {rows} rows, "
                f"{len(manifest['files'])} file(s); dump sha256 {manifest['dump']['sha256']}"
            )
        )
