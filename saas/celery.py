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

from celery.signals import (
    before_task_publish,
    task_failure,
    task_postrun,
    task_prerun,
    task_retry,
    task_revoked,
    task_success,
    worker_process_shutdown,
)
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


@before_task_publish.connect(weak=False)
def _carry_request_id(headers: dict[str, object] | None = None, **_: object) -> None:
    """A task sent while serving a request carries the request id (``saas.logs``)."""
    from saas.logs import task_headers_add

    task_headers_add(headers)


@task_prerun.connect(weak=False)
def _bind_task_log_context(task: object = None, **_: object) -> None:
    """The task's log lines carry the request id it was sent with (``saas.logs``)."""
    from saas.logs import task_context_bind

    task_context_bind(task)


@task_postrun.connect(weak=False)
def _unbind_task_log_context(task: object = None, **_: object) -> None:
    from saas.logs import task_context_unbind

    task_context_unbind(task)


@task_prerun.connect(weak=False)
def _time_task(task_id: str | None = None, **_: object) -> None:
    """Tasks' durations and outcomes for Prometheus (``saas/metrics.py``)."""
    from saas.metrics import task_started

    task_started(task_id)


@task_postrun.connect(weak=False)
def _timed_task(task: object = None, task_id: str | None = None, **_: object) -> None:
    from saas.metrics import task_ended

    task_ended(task, task_id)


@task_success.connect(weak=False)
def _task_succeeded(sender: object = None, **_: object) -> None:
    from saas.metrics import task_outcome

    task_outcome(sender, "success")


@task_failure.connect(weak=False)
def _task_failed(sender: object = None, **_: object) -> None:
    from saas.metrics import task_outcome

    task_outcome(sender, "failure")


@task_retry.connect(weak=False)
def _task_retried(sender: object = None, **_: object) -> None:
    from saas.metrics import task_outcome

    task_outcome(sender, "retry")


@task_revoked.connect(weak=False)
def _task_revoked(sender: object = None, **_: object) -> None:
    from saas.metrics import task_outcome

    task_outcome(sender, "revoked")


@worker_process_shutdown.connect(weak=False)
def _send_metrics_at_exit(**_: object) -> None:
    """A worker process's last counts (prefork children may leave without running ``atexit``)."""
    from saas.metrics import metrics_send

    metrics_send()
