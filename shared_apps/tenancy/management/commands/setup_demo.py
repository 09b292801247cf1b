"""``manage.py setup_demo``: the platform admin and a demo site of every kind (``tenant_apps.kinds``),
with a user of every role.

Idempotent: what exists is kept (passwords are not reset), what is missing is created.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import import_string
from django_tenants.utils import tenant_context

from saas.db.tenant import use_public_schema
from shared_apps.tenancy.models import Tenant
from shared_apps.tenancy.services import tenant_host, tenant_provision
from tenant_apps.kinds import KindSpec, all_kinds


def _seed_kind(spec: KindSpec, password: str) -> object:
    """Run the kind's demo seeder (``KindSpec.demo``) in the current schema, if it declares one.

    A seeder that cannot be imported fails the command: a broken demo must not pass for "no demo".
    """
    if spec.demo is None:
        return None
    return import_string(spec.demo)(password=password)


def _describe(data: object, indent: str) -> str:
    """A readable, indented rendering of the nested dicts/lists the kinds' seeders return."""
    if isinstance(data, dict):
        lines = []
        for key, value in data.items():
            if isinstance(value, dict | list):
                lines.append(f"{indent}{key}:")
                lines.append(_describe(value, indent + "  "))
            else:
                lines.append(f"{indent}{key}: {value}")
        return "\n".join(lines)
    if isinstance(data, list):
        lines = []
        for item in data:
            if isinstance(item, dict):  # "- first: value" then the other keys aligned under it
                block = _describe(item, indent + "  ").splitlines()
                lines.append(f"{indent}- {block[0].lstrip()}")
                lines.extend(block[1:])
            else:
                lines.append(f"{indent}- {item}")
        return "\n".join(lines)
    return f"{indent}{data}"


class Command(BaseCommand):
    """Create (idempotently) the platform admin, a demo tenant of every kind with a user per role, demo
    invoices and kind data, then print the logins; ``--password`` for every user, ``--port`` for hosts."""

    help = "Create the platform admin and a demo tenant of every kind (settings.TENANT_KINDS), with a user per role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default="demo-pass-1234", help="Password of every demo user.")
        parser.add_argument("--port", default="8000", help="Port shown in the printed host names.")

    def handle(self, *args: Any, **options: Any) -> None:
        from shared_apps.billing.limits import limits_off
        from tenant_apps.accounts.models import User
        from tenant_apps.accounts.roles import roles_of
        from tenant_apps.accounts.services import user_create
        from tenant_apps.payments.demo import create_demo_invoice

        password = options["password"]
        port = "" if options["port"] in {"", "80", "443"} else f":{options['port']}"
        use_public_schema()
        admin_email = f"admin@{settings.PLATFORM_DOMAIN}"
        if not User.objects.filter(email=admin_email).exists():
            User.objects.create_superuser(email=admin_email, password=password, full_name="Platform Admin")
        invoices: list[tuple[str, str, str, object, str]] = []
        kind_data: dict[str, object] = {}
        rows = [("platform", f"{settings.PLATFORM_DOMAIN}{port}", "platform staff", admin_email)]

        for kind, spec in all_kinds().items():
            slug = kind
            tenant = Tenant.objects.filter(schema_name=slug).first()
            if tenant is None:
                tenant = tenant_provision(
                    kind=kind,
                    slug=slug,
                    name=spec.demo_site_name or f"Demo {spec.label}",
                    owner_email=f"admin@{slug}.{settings.PLATFORM_DOMAIN}",
                    owner_password=password,
                )
            with tenant_context(tenant), limits_off():  # the demo is seeded whatever the default plan allows
                for role in roles_of(kind):
                    email = f"{role.replace('_', '-')}@{slug}.{settings.PLATFORM_DOMAIN}"
                    if not User.objects.filter(email=email).exists():
                        user_create(
                            email=email,
                            password=password,
                            roles=[role],
                            full_name=f"Demo {role.replace('_', ' ').title()}",
                        )
                    rows.append((slug, f"{tenant_host(slug)}{port}", role, email))
                customer = User.objects.get(email=f"{roles_of(kind)[0]}@{slug}.{settings.PLATFORM_DOMAIN}")
                invoice = create_demo_invoice(customer)
                invoices.append((slug, customer.email, invoice.number, invoice.total, invoice.currency))
                kind_data[slug] = _seed_kind(spec, password)
        use_public_schema()

        self.stdout.write(self.style.SUCCESS(f"\nDemo logins (password for all: {password})"))
        for site, host, role, email in rows:
            self.stdout.write(f"  {site:<9} {host:<26} {role:<17} {email}")
        self.stdout.write(self.style.SUCCESS("\nDemo invoices (unpaid until someone pays them)"))
        for site, email, number, total, currency in invoices:
            self.stdout.write(f"  {site:<9} {email:<30} {number} {total} {currency}")
        for site, data in kind_data.items():
            if data:
                self.stdout.write(self.style.SUCCESS(f"\nDemo data of {site}"))
                self.stdout.write(_describe(data, indent="  "))
