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
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from saas.db.tenant import current_schema, current_tenant


@dataclass(frozen=True)
class Attachment:
    """An e-mail attachment: file name, raw bytes, MIME type."""

    filename: str
    content: bytes
    mimetype: str


def sender_address() -> str:
    """``"<Site name>" <DEFAULT_FROM_EMAIL>``: the site's name shown, the platform's address used."""
    tenant = current_tenant()
    name = getattr(tenant, "name", None) or current_schema()
    return formataddr((str(name), parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))


def render_email(template: str, context: dict[str, Any]) -> tuple[str, str | None]:
    """Render ``emails/<template>.txt`` (required) and ``emails/<template>.html`` (optional).

    The context gets ``site_name`` added. Returns ``(text, html or None)``.
    """
    tenant = current_tenant()
    full = {"site_name": getattr(tenant, "name", None) or current_schema(), **context}
    text = render_to_string(f"emails/{template}.txt", full)
    try:
        html: str | None = render_to_string(f"emails/{template}.html", full)
    except TemplateDoesNotExist:
        html = None
    return text, html


def deliver_email(
    *, to: list[str], subject: str, text: str, html: str | None = None,
    attachments: list[Attachment] | None = None, reply_to: list[str] | None = None,
) -> None:
    """Send one message now through ``EMAIL_BACKEND``; raises on failure (tasks retry)."""
    message = EmailMultiAlternatives(subject=subject, body=text, from_email=sender_address(), to=to,
                                     reply_to=reply_to or None)
    if html:
        message.attach_alternative(html, "text/html")
    for attachment in attachments or []:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    message.send(fail_silently=False)


def email_send(*, to: list[str], subject: str, template: str, context: dict[str, Any],
               reply_to: list[str] | None = None) -> None:
    """Send a templated e-mail from a Celery task after the current transaction commits.

    ``context`` must be JSON-serialisable (it travels through the broker).
    """
    from tenant_apps.emails.tasks import send_templated_email

    if not to:
        return
    transaction.on_commit(lambda: send_templated_email.delay(
        to=list(to), subject=subject, template=template, context=context, reply_to=reply_to))
