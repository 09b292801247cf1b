"""``manage.py provision_tenant --kind store --slug acme --name "Acme" --owner-email o@acme.test``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from saas.api.errors import ApplicationError
from shared_apps.tenancy.models import TenantKind
from shared_apps.tenancy.services import tenant_host, tenant_provision


class Command(BaseCommand):
    """Provision a tenant of ``--kind`` at ``--slug`` named ``--name``, owned by ``--owner-email``
    (``--owner-password``, else a set-password e-mail), on ``--plan`` (a plan's code; default
    ``BILLING_DEFAULT_PLAN``); service errors become ``CommandError``."""

    help = "Create a tenant: schema, roles, owner (tenant admin) and primary domain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", required=True, choices=TenantKind.values)
        parser.add_argument("--slug", required=True, help="Sub-domain label and schema name.")
        parser.add_argument("--name", required=True)
        parser.add_argument("--owner-email", required=True)
        parser.add_argument(
            "--owner-password", default=None, help="Without it the owner is e-mailed a link to set one."
        )
        parser.add_argument("--plan", default=None, help="A plan's code; default: BILLING_DEFAULT_PLAN.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            tenant = tenant_provision(
                kind=options["kind"],
                slug=options["slug"],
                name=options["name"],
                owner_email=options["owner_email"],
                owner_password=options["owner_password"],
                plan=options["plan"],
            )
        except ApplicationError as exc:
            raise CommandError(f"{exc.code}: {exc.message} {exc.details or ''}".strip()) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Provisioned {tenant.kind} tenant {tenant.schema_name!r} at {tenant_host(tenant.schema_name)}"
            )
        )
