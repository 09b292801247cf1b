"""The Celery app.

tenant-schemas-celery's ``CeleryApp`` puts the current schema into every task's headers when it
is sent and switches the worker's connection to that schema before the task runs, so a task
sent while serving tenant X runs in X's schema. With ``REDIS_URL`` unset, tasks run eagerly
in-process (``CELERY_TASK_ALWAYS_EAGER``).

Database connections: each worker process has its own connection pool (settings ``DB_POOL_*``);
a task's connection goes back to it when the task ends (``saas/celery_fixup.py``, Celery's
Django fix-up minus closing the pool at every task).
"""

from __future__ import annotations

import os

from celery.signals import task_prerun
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas.settings.local")

app = CeleryApp("saas", fixups=["saas.celery_fixup:fixup"])
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect(weak=False)
def _tag_task_tenant(task: object = None, **_: object) -> None:
    """Attach the task's tenant to Sentry events raised while it runs."""
    from saas.db.tenant import current_schema
    from saas.observability import tag_tenant

    tag_tenant(current_schema())
