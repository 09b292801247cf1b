"""Sending e-mail: render text + HTML templates, send from a Celery task in the tenant's schema.

Call ``email_send`` from services: it enqueues ``send_templated_email`` once the current
transaction commits, so a rolled-back change sends nothing. Code that builds its content in a
task (an invoice PDF, say) calls ``deliver_email`` from that task.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from saas.db.tenant import current_schema, current_tenant, enqueue_on_commit
from saas.db.tenant import site_url as tenant_site_url


@dataclass(frozen=True)
class Attachment:
    """An e-mail attachment: file name, raw bytes, MIME type."""

    filename: str
    content: bytes
    mimetype: str


def sender_address() -> str:
    """``"<Site name>" <DEFAULT_FROM_EMAIL>``: the site's name shown, the platform's address used."""
    return formataddr((site_name(), parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))


def site_name() -> str:
    """The current site's display name (the tenant's name; the schema name without one)."""
    return str(getattr(current_tenant(), "name", None) or current_schema())


def site_url() -> str:
    """The current site's base URL without a trailing slash (``"https://alpha.example.com"``), for
    links in e-mails: its primary domain in ``SITE_URL_FORMAT`` (``saas.db.tenant.site_url``),
    never the Host of the request being served."""
    return tenant_site_url("")


def render_email(template: str, context: dict[str, Any]) -> tuple[str, str | None]:
    """Render ``emails/<template>.txt`` (required) and ``emails/<template>.html`` (optional).

    The context gets the current site's ``site_name`` and ``site_url`` added (``context`` may
    not override them). Text templates should wrap their body in ``{% autoescape off %}``:
    plain text must not be HTML-escaped. Returns ``(text, html or None)``.
    """
    full = {**context, "site_name": site_name(), "site_url": site_url()}
    text = render_to_string(f"emails/{template}.txt", full)
    try:
        html: str | None = render_to_string(f"emails/{template}.html", full)
    except TemplateDoesNotExist:
        html = None
    return text, html


def deliver_email(
    *,
    to: list[str],
    subject: str,
    text: str,
    html: str | None = None,
    attachments: list[Attachment] | None = None,
    reply_to: list[str] | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Send one message now through ``EMAIL_BACKEND``, with extra ``headers``; raises on failure
    (tasks retry)."""
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=sender_address(), to=to, reply_to=reply_to or None, headers=headers
    )
    if html:
        message.attach_alternative(html, "text/html")
    for attachment in attachments or []:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    message.send(fail_silently=False)


def email_send(
    *, to: list[str], subject: str, template: str, context: dict[str, Any], reply_to: list[str] | None = None
) -> None:
    """Send a templated e-mail from a Celery task after the current transaction commits.

    ``context`` must be JSON-serialisable (it travels through the broker). The task runs in the
    schema that is current now, even if the caller has switched schema by the time of commit.
    Sent during a request made with an impersonation token, the message carries
    ``X-Impersonated-By: <staff e-mail>``.
    """
    from tenant_apps.audit.context import impersonator
    from tenant_apps.emails.tasks import send_templated_email

    if not to:
        return
    acting_for = impersonator()
    extra: dict[str, Any] = {"headers": {"X-Impersonated-By": str(acting_for["email"])}} if acting_for else {}
    enqueue_on_commit(
        send_templated_email,
        to=list(to),
        subject=subject,
        template=template,
        context=context,
        reply_to=reply_to,
        **extra,
    )


def failed_email_record(*, kwargs: dict[str, Any], error: BaseException, attempts: int) -> Any:
    """Keep the e-mail of a ``send_templated_email`` call (its ``kwargs``) that failed for good, with
    the ``error`` and the number of ``attempts``, in the current schema. Returns the ``FailedEmail``."""
    from tenant_apps.emails.models import FailedEmail

    return FailedEmail.objects.create(
        to=list(kwargs.get("to") or []),
        subject=str(kwargs.get("subject", ""))[:998],
        template=str(kwargs.get("template", ""))[:200],
        context=kwargs.get("context") or {},
        reply_to=kwargs.get("reply_to"),
        headers=kwargs.get("headers"),
        error=f"{error.__class__.__name__}: {error}"[:4000],
        attempts=attempts,
    )


def failed_email_retry(*, failed_email_id: int, actor: Any) -> Any:
    """Send the ``FailedEmail`` ``failed_email_id`` again (site admins), after commit, through the
    same task and retries; marks it retried (``retried_at``, ``retried_by``) and audits
    ``email.retried``. Returns the row.

    Raises ``PermissionDenied`` (403) for a non-admin, ``NotFound`` (404), ``Conflict`` 409
    ``already_retried`` when it was sent again already (its new failure, if any, is a new row).
    Two admins retrying at once send it once: the row is locked first.
    """
    from django.db import transaction
    from django.utils import timezone

    from saas.errors import Conflict, ErrorCode, NotFound, PermissionDenied
    from tenant_apps.accounts.access import can_manage_users
    from tenant_apps.audit.services import audit_record
    from tenant_apps.emails.models import FailedEmail
    from tenant_apps.emails.tasks import send_templated_email

    if not can_manage_users(actor):
        raise PermissionDenied("Only the site's admins send failed e-mails again.")
    with transaction.atomic():
        failed = FailedEmail.objects.select_for_update(no_key=True).filter(pk=failed_email_id).first()
        if failed is None:
            raise NotFound("No such failed e-mail.")
        if failed.retried_at is not None:
            raise Conflict("This e-mail was sent again already.", code=ErrorCode.ALREADY_RETRIED)
        failed.retried_at = timezone.now()
        failed.retried_by = actor
        failed.save(update_fields=["retried_at", "retried_by"])
        extra: dict[str, Any] = {"headers": failed.headers} if failed.headers else {}
        enqueue_on_commit(
            send_templated_email,
            to=list(failed.to),
            subject=failed.subject,
            template=failed.template,
            context=failed.context,
            reply_to=failed.reply_to,
            **extra,
        )
        audit_record(actor=actor, verb="email.retried", target=failed, changes={"to": failed.to})
    return failed
