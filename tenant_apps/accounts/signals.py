"""Keep role groups in step with ``roles.py`` after a plain ``migrate`` of a tenant or template.

``migrate_schemas`` mutes this receiver (``roles.roles_sync_deferred``) and syncs only where the
kind's roles or the models changed.
"""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def sync_roles_after_migrate(sender: AppConfig, **_: Any) -> None:
    """After ``migrate`` of a tenant or template schema, sync its kind's roles (``roles.sync_roles``)."""
    # post_migrate is sent once per app; act once, after the last app of the run.
    with_models = [a for a in apps.get_app_configs() if a.models_module is not None]
    if sender.label != with_models[-1].label:
        return
    from saas.db.tenant import current_kind, current_schema

    kind = current_kind()
    if current_schema() == "public" or kind == "public":
        return
    from tenant_apps.accounts.roles import sync_roles

    sync_roles(kind)
