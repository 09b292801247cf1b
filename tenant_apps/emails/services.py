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
