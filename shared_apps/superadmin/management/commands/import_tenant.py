"""``manage.py import_tenant <archive> --slug <slug>``: restore a tenant archive as tenant ``slug``."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from saas.errors import ApplicationError
from shared_apps.superadmin.portability.restore import tenant_import


class Command(BaseCommand):
    """Restore ``archive`` (a file written by ``export_tenant`` or downloaded from an export job;
    ``-`` for standard input) as the new tenant ``--slug`` (``shared_apps/superadmin/portability/
    restore.py``): all or nothing; the refusals print their error code."""

    help = "Restore a tenant archive under a new (free) slug."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive")
        parser.add_argument("--slug", required=True, help="The restored tenant's slug (must be free).")
        parser.add_argument(
            "--trust-unsigned",
            action="store_true",
            help="Import an archive not signed with this platform's key (you vouch for its contents: its SQL runs).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(percent: int, step: str) -> None:
            self.stderr.write(f"{percent:3d}% {step}")

        try:
            if options["archive"] == "-":
                tenant = tenant_import(
                    source=sys.stdin.buffer,
                    slug=options["slug"],
                    progress=progress,
                    trust_unsigned=options["trust_unsigned"],
                )
            else:
                try:
                    source = open(options["archive"], "rb")  # noqa: SIM115 - closed below
                except OSError as exc:
                    raise CommandError(f"cannot read {options['archive']!r}: {exc.strerror}") from exc
                with source:
                    tenant = tenant_import(
                        source=source, slug=options["slug"], progress=progress, trust_unsigned=options["trust_unsigned"]
                    )
        except ApplicationError as exc:
            raise CommandError(f"{exc.code}: {exc.message} {exc.details or ''}".strip()) from exc
        self.stderr.write(self.style.SUCCESS(f"Imported {tenant.schema_name!r} ({tenant.kind}), uuid {tenant.uuid}."))
