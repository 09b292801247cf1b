"""E-mail tasks; they run in the schema they were sent from (tenant-schemas-celery)."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings

from tenant_apps.emails.services import deliver_email, render_email


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=10, retry_backoff_max=600,
             retry_jitter=True, max_retries=settings.EMAIL_MAX_RETRIES)
def send_templated_email(self: Any, *, to: list[str], subject: str, template: str, context: dict[str, Any],
                         reply_to: list[str] | None = None) -> None:
    """Render ``template`` with ``context`` and send it; retried with exponential backoff."""
    text, html = render_email(template, context)
    deliver_email(to=to, subject=subject, text=text, html=html, reply_to=reply_to)
