"""The outbox relay as a periodic task (public schema).

Declared in ``CELERY_BEAT_SCHEDULE`` as ``outbox-relay`` (every 10 s, ``"public": True``): beat sends
it once, in the public schema (``shared_apps/tenancy/beat.py``). It needs the broker itself: while
the broker is down beat cannot send it either, and the first one sent after the broker is back
drains the backlog (``services.outbox_relay``). ``manage.py outbox_relay`` does the same from a
shell or a sidecar without beat.
"""

from __future__ import annotations

from celery import shared_task

from saas.db.tenant import current_schema


@shared_task(acks_late=True, ignore_result=True)
def outbox_relay_task() -> dict[str, int]:
    """Run ``services.outbox_relay``; returns ``{"sent", "failed", "deleted"}``, all 0 outside the
    public schema (a copy sent to a tenant by hand does nothing)."""
    from django.conf import settings

    from shared_apps.outbox.services import outbox_relay

    if current_schema() != settings.PUBLIC_SCHEMA_NAME:
        return {"sent": 0, "failed": 0, "deleted": 0}
    report = outbox_relay()
    return {"sent": report.sent, "failed": report.failed, "deleted": report.deleted}
