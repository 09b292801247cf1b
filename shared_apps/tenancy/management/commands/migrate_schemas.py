"""``migrate_schemas`` that also migrates the per-kind template schemas.

django-tenants' command migrates the public schema and every tenant row's schema. Templates
(``_template_<kind>``) have no tenant row, so after a full tenant run they are migrated here too;
new tenants are cloned from them and must never lag behind.
"""

from __future__ import annotations

from typing import Any

from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand


class Command(MigrateSchemasCommand):
    """django-tenants' ``migrate_schemas``, then (on a full tenant run, no ``--schema``) each per-kind
    template schema, under its template lock."""

    def handle(self, *args: Any, **options: Any) -> None:
        super().handle(*args, **options)
        if not self.sync_tenant or self.schema_name:
            return
        from shared_apps.tenancy.templates import existing_templates, migrate_template, template_lock

        for _schema, kind in existing_templates():
            with template_lock(kind):  # a web process may be bringing it up to date right now
                migrate_template(kind, verbosity=int(options.get("verbosity", 1)))
