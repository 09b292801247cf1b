"""A Django e-mail backend over the official SendGrid SDK (v3 ``POST /v3/mail/send``).

``EMAIL_BACKEND`` is this class when ``SENDGRID_API_KEY`` is set (``saas/settings/base.py``);
``SENDGRID_API_HOST`` points it elsewhere (tests use a local recorder).

Mapping of a Django ``EmailMessage`` / ``EmailMultiAlternatives``:

* ``from_email`` (with display name) -> ``from``; ``to``, ``cc``, ``bcc`` -> one personalization
  (an address is listed once: SendGrid refuses duplicates across to/cc/bcc);
* ``reply_to`` -> ``reply_to`` (one) or ``reply_to_list`` (several);
* ``body`` -> ``text/plain`` content (``text/html`` when ``content_subtype`` is ``html``),
  alternatives -> further contents (``text/html``...);
* attachments (tuples or MIME parts) -> base64 ``content``, ``filename``, ``type``; a MIME part
  with a ``Content-ID`` is an inline attachment;
* ``extra_headers`` -> ``headers``; ``From`` and ``Reply-To`` there override the fields, the
  headers SendGrid reserves (To, Cc, Subject, Content-Type...) are left out.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
from collections.abc import Sequence
from email.mime.base import MIMEBase
from email.utils import getaddresses, parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import (
    Attachment,
    Bcc,
    Cc,
    Content,
    ContentId,
    Disposition,
    FileContent,
    FileName,
    FileType,
    From,
    Header,
    Mail,
    Personalization,
    ReplyTo,
    Subject,
    To,
)

logger = logging.getLogger(__name__)

#: Seconds an API call may take when ``EMAIL_TIMEOUT`` is unset (a hung call would hold a worker).
DEFAULT_TIMEOUT = 30.0
#: Headers SendGrid sets itself and refuses in ``headers``.
RESERVED_HEADERS = frozenset(
    {
        "x-sg-id",
        "x-sg-eid",
        "received",
        "dkim-signature",
        "content-type",
        "content-transfer-encoding",
        "to",
        "from",
        "subject",
        "reply-to",
        "cc",
        "bcc",
    }
)


class SendGridError(Exception):
    """SendGrid refused or failed a message. ``status_code`` is the HTTP status.

    Constructed from positional arguments only, so Celery can rebuild it from a task result.
    """

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message, status_code)
        self.message = message
        self.status_code = status_code

    def __str__(self) -> str:
        return self.message


class SendGridRejected(SendGridError):
    """A 4xx other than 429: the request itself is wrong, so sending it again cannot succeed."""


def _address(value: str) -> tuple[str, str | None]:
    """``"Name <a@b>"`` -> ``("a@b", "Name")``; raises ``ValueError`` without an address."""
    name, email = parseaddr(value)
    if not email or "@" not in email:
        raise ValueError(f"Not an e-mail address: {value!r}")
    return email, name or None


def _attachment_bytes(content: Any) -> bytes:
    if isinstance(content, bytes):
        return content
    if isinstance(content, str):
        return content.encode("utf-8")
    if hasattr(content, "as_bytes"):  # an attached email.message.Message (message/rfc822)
        return bytes(content.as_bytes())
    raise TypeError(f"Cannot attach {type(content).__name__}")


def _attachment(item: Any) -> Attachment:
    content_id = None
    if isinstance(item, MIMEBase):
        filename = item.get_filename()
        payload = item.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else item.as_bytes()
        mimetype = item.get_content_type()
        if item.get("Content-ID"):
            content_id = str(item["Content-ID"]).strip("<>")
    else:
        filename, content, mimetype = item
        data = _attachment_bytes(content)
    mimetype = mimetype or (mimetypes.guess_type(filename)[0] if filename else None) or "application/octet-stream"
    attachment = Attachment(
        FileContent(base64.b64encode(data).decode("ascii")),
        FileName(filename or "attachment"),
        FileType(mimetype),
        Disposition("inline" if content_id else "attachment"),
    )
    if content_id:
        attachment.content_id = ContentId(content_id)
    return attachment


def message_to_mail(message: EmailMessage) -> Mail | None:
    """The SendGrid ``Mail`` for ``message``, or ``None`` when it has no recipient."""
    headers = {name.lower(): (name, str(value)) for name, value in (message.extra_headers or {}).items()}
    from_email, from_name = _address(
        headers["from"][1] if "from" in headers else message.from_email or settings.DEFAULT_FROM_EMAIL
    )

    personalization, seen = Personalization(), set()
    for addresses, kind in ((message.to, To), (message.cc, Cc), (message.bcc, Bcc)):
        for value in addresses:
            email, name = _address(value)
            if email.lower() in seen:
                continue
            seen.add(email.lower())
            getattr(personalization, f"add_{kind.__name__.lower()}")(kind(email, name))
    if not seen:
        return None

    mail = Mail()
    mail.from_email = From(from_email, from_name)
    mail.subject = Subject(message.subject or "")
    mail.add_personalization(personalization)

    body_type = "text/html" if message.content_subtype == "html" else "text/plain"
    contents = [(body_type, message.body)] if message.body else []
    for alternative in getattr(message, "alternatives", None) or []:
        contents.append((alternative[1], str(alternative[0])))
    for mimetype, text in contents or [("text/plain", " ")]:  # SendGrid requires a non-empty content
        mail.add_content(Content(mimetype, text))

    reply_to = _split_addresses(headers["reply-to"][1]) if "reply-to" in headers else list(message.reply_to or [])
    if len(reply_to) == 1:
        mail.reply_to = ReplyTo(*_address(reply_to[0]))
    elif reply_to:
        mail.reply_to_list = [ReplyTo(*_address(value)) for value in reply_to]

    for item in reversed(message.attachments):  # Mail.add_attachment inserts at the front
        mail.add_attachment(_attachment(item))
    for lower, (name, value) in headers.items():
        if lower not in RESERVED_HEADERS:
            mail.add_header(Header(name, value))
    return mail


def _split_addresses(value: str) -> list[str]:
    """A header's comma-separated addresses, each as ``"Name <a@b>"`` or ``"a@b"``."""
    return [f"{name} <{email}>" if name else email for name, email in getaddresses([value]) if email]


class SendGridEmailBackend(BaseEmailBackend):
    """Sends each message with one ``POST /v3/mail/send`` call.

    ``send_messages`` returns how many were accepted; it raises ``SendGridError`` (or the
    network's ``OSError``) on the first failure unless ``fail_silently``.
    """

    def __init__(
        self,
        fail_silently: bool = False,
        *,
        api_key: str | None = None,
        host: str | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.api_key = api_key or settings.SENDGRID_API_KEY
        self.host = host or settings.SENDGRID_API_HOST
        self.timeout = timeout or getattr(settings, "EMAIL_TIMEOUT", None) or DEFAULT_TIMEOUT
        if not self.api_key:
            raise ImproperlyConfigured("SendGridEmailBackend needs SENDGRID_API_KEY.")

    def _client(self) -> SendGridAPIClient:
        client = SendGridAPIClient(api_key=self.api_key, host=self.host)
        client.client.timeout = self.timeout  # python_http_client passes it to urlopen
        return client

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if not email_messages:
            return 0
        client, sent = self._client(), 0
        for message in email_messages:
            try:
                sent += self._send(client, message)
            except Exception:
                if not self.fail_silently:
                    raise
                logger.warning("SendGrid: a message was not sent (fail_silently)", exc_info=True)
        return sent

    def _send(self, client: SendGridAPIClient, message: EmailMessage) -> int:
        mail = message_to_mail(message)
        if mail is None:
            return 0
        try:
            response = client.send(mail)
        except HTTPError as exc:
            status = int(exc.status_code)
            body = exc.body.decode("utf-8", "replace") if isinstance(exc.body, bytes) else str(exc.body)
            error = SendGridRejected if 400 <= status < 500 and status != 429 else SendGridError
            raise error(f"SendGrid answered {status}: {body[:500]}", status) from exc
        if not 200 <= response.status_code < 300:
            raise SendGridError(f"SendGrid answered {response.status_code}", response.status_code)
        return 1
