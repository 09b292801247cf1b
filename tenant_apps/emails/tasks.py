"""E-mail tasks; they run in the schema they were sent from (tenant-schemas-celery)."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings
from django.template import TemplateDoesNotExist, TemplateSyntaxError

from saas.tasks import effect_once
from tenant_apps.emails.backends import SendGridRejected
from tenant_apps.emails.services import deliver_email, failed_email_record, render_email

#: Failures that sending again cannot fix: a missing or broken template, a payload SendGrid rejects.
PERMANENT_ERRORS = (TemplateDoesNotExist, TemplateSyntaxError, SendGridRejected)


@shared_task(
    bind=True,
    autoretry_for=(Exception,),
    dont_autoretry_for=PERMANENT_ERRORS,
    retry_backoff=10,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=settings.EMAIL_MAX_RETRIES,
)
def send_templated_email(
    self: Any,
    *,
    to: list[str],
    subject: str,
    template: str,
    context: dict[str, Any],
    reply_to: list[str] | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Render ``template`` with ``context`` and send it (with extra ``headers``, such as
    ``X-Impersonated-By``).

    Any other failure (network, SendGrid 5xx or 429) is retried up to ``EMAIL_MAX_RETRIES``
    times with exponential backoff: about 10 s, 20 s, 40 s... (at most 600 s), full jitter.
    ``effect_once``: a message delivered again after the e-mail was handed over and the run's key
    committed (a worker killed before acknowledging, the outbox publishing twice) sends nothing; a
    crash between the provider accepting and the commit sends it again (at least once). When it
    gives up (or at once, for an error sending again cannot fix), the e-mail is kept as a
    ``FailedEmail`` in the site's schema for its admins to send again: recorded here, outside
    ``effect_once``'s transaction (which a failure rolls back), and in the task body rather than
    ``on_failure``, so that eager runs (``make run``, the tests) record it too.
    """
    try:
        _render_and_deliver(
            to=to, subject=subject, template=template, context=context, reply_to=reply_to, headers=headers
        )
    except Exception as exc:
        attempts = int(self.request.retries or 0) + 1
        if isinstance(exc, PERMANENT_ERRORS) or attempts > self.max_retries:  # no retry follows: a dead letter
            arguments = {"to": to, "subject": subject, "template": template, "context": context}
            failed_email_record(
                kwargs={**arguments, "reply_to": reply_to, "headers": headers}, error=exc, attempts=attempts
            )
        raise


@effect_once
def _render_and_deliver(
    *,
    to: list[str],
    subject: str,
    template: str,
    context: dict[str, Any],
    reply_to: list[str] | None,
    headers: dict[str, str] | None,
) -> None:
    text, html = render_email(template, context)
    deliver_email(to=to, subject=subject, text=text, html=html, reply_to=reply_to, headers=headers)
