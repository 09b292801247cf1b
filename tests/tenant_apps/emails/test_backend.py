"""SendGridEmailBackend: Django messages become SendGrid v3 payloads, sent over real HTTP by the official SDK."""

from __future__ import annotations

import base64
from email.mime.image import MIMEImage

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from pytest_django import Settings

from tenant_apps.emails.backends import SendGridEmailBackend, SendGridError, SendGridRejected
from tests.tenant_apps.emails.conftest import API_KEY, SendGridRecorder

PDF = b"%PDF-1.4\n\x00\xff binary"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_message_is_posted_as_a_v3_payload_with_the_api_key(sendgrid: SendGridRecorder) -> None:
    # given
    message = EmailMultiAlternatives(
        subject="Your ticket #42",
        body="Plain text.",
        from_email='"Alpha School" <no-reply@localhost>',
        to=["ann@example.com", "Bob Example <bob@example.com>"],
        cc=["carol@example.com"],
        bcc=["dave@example.com"],
        reply_to=["Support <support@alpha.test>"],
        # not a string: Django stringifies header values, so must the backend (the stubs say str)
        headers={"X-Ticket": 42},  # type: ignore[dict-item]
    )
    message.attach_alternative("<p>HTML text.</p>", "text/html")
    message.attach("report.pdf", PDF, "application/pdf")
    message.attach("notes.txt", "héllo", None)
    # when
    sent = message.send()
    # then
    assert sent == 1
    [call] = sendgrid.calls
    assert (call.method, call.path) == ("POST", "/v3/mail/send")
    assert call.headers["Authorization"] == f"Bearer {API_KEY}"
    assert call.payload == {
        "from": {"email": "no-reply@localhost", "name": "Alpha School"},
        "subject": "Your ticket #42",
        "personalizations": [
            {
                "to": [{"email": "ann@example.com"}, {"email": "bob@example.com", "name": "Bob Example"}],
                "cc": [{"email": "carol@example.com"}],
                "bcc": [{"email": "dave@example.com"}],
            }
        ],
        "content": [
            {"type": "text/plain", "value": "Plain text."},
            {"type": "text/html", "value": "<p>HTML text.</p>"},
        ],
        "attachments": [
            {"content": b64(PDF), "filename": "report.pdf", "type": "application/pdf", "disposition": "attachment"},
            {
                "content": b64("héllo".encode()),
                "filename": "notes.txt",
                "type": "text/plain",
                "disposition": "attachment",
            },
        ],
        "headers": {"X-Ticket": "42"},
        "reply_to": {"email": "support@alpha.test", "name": "Support"},
    }


def test_html_only_message_and_inline_image(sendgrid: SendGridRecorder) -> None:
    # given
    message = EmailMessage(
        subject="Hi", body="<p>Only HTML</p>", from_email="no-reply@localhost", to=["ann@example.com"]
    )
    message.content_subtype = "html"
    image = MIMEImage(b"\x89PNG\r\n\x1a\n", "png")
    image.add_header("Content-ID", "<logo>")
    image.add_header("Content-Disposition", "inline", filename="logo.png")
    message.attach(image)
    # when
    message.send()
    # then
    payload = sendgrid.payloads[0]
    assert payload["content"] == [{"type": "text/html", "value": "<p>Only HTML</p>"}]
    assert payload["attachments"] == [
        {
            "content": b64(b"\x89PNG\r\n\x1a\n"),
            "filename": "logo.png",
            "type": "image/png",
            "disposition": "inline",
            "content_id": "logo",
        }
    ]


def test_an_address_is_listed_once_across_to_cc_and_bcc(sendgrid: SendGridRecorder) -> None:
    # given: SendGrid answers 400 to duplicates across to/cc/bcc
    message = EmailMessage(
        subject="Hi",
        body="x",
        to=["ann@example.com"],
        cc=["ANN@example.com", "bob@example.com"],
        bcc=["bob@example.com", "carol@example.com"],
    )
    # when
    message.send()
    # then
    assert sendgrid.payloads[0]["personalizations"] == [
        {
            "to": [{"email": "ann@example.com"}],
            "cc": [{"email": "bob@example.com"}],
            "bcc": [{"email": "carol@example.com"}],
        }
    ]


def test_several_reply_to_addresses_and_header_overrides(sendgrid: SendGridRecorder) -> None:
    # given: From and Reply-To in the headers win, as with Django's SMTP backend; reserved headers are dropped
    message = EmailMessage(
        subject="Hi",
        body="x",
        from_email="no-reply@localhost",
        to=["ann@example.com"],
        headers={
            "From": "Beta <no-reply@localhost>",
            "Reply-To": "a@beta.test, B <b@beta.test>",
            "Cc": "ignored@example.com",
            "X-Kept": "yes",
        },
    )
    # when
    message.send()
    # then
    payload = sendgrid.payloads[0]
    assert payload["from"] == {"email": "no-reply@localhost", "name": "Beta"}
    assert payload["reply_to_list"] == [{"email": "a@beta.test"}, {"email": "b@beta.test", "name": "B"}]
    assert "reply_to" not in payload
    assert payload["headers"] == {"X-Kept": "yes"}
    assert "cc" not in payload["personalizations"][0]


def test_send_messages_returns_the_number_sent_and_skips_messages_without_recipients(
    sendgrid: SendGridRecorder,
) -> None:
    # given
    backend = get_connection()
    messages = [
        EmailMessage(subject="1", body="x", to=["a@example.com"]),
        EmailMessage(subject="2", body="x"),
        EmailMessage(subject="3", body="x", bcc=["b@example.com"]),
    ]
    # when
    sent = backend.send_messages(messages)
    # then
    assert isinstance(backend, SendGridEmailBackend)
    assert sent == 2
    assert [p["subject"] for p in sendgrid.payloads] == ["1", "3"]


@pytest.mark.parametrize(("status", "error"), [(500, SendGridError), (429, SendGridError), (400, SendGridRejected)])
def test_http_errors_raise(sendgrid: SendGridRecorder, status: int, error: type[SendGridError]) -> None:
    # given
    sendgrid.status = status
    # when
    with pytest.raises(SendGridError) as raised:
        EmailMessage(subject="Hi", body="x", to=["ann@example.com"]).send()
    # then
    assert type(raised.value) is error
    assert raised.value.status_code == status
    assert f"SendGrid answered {status}" in str(raised.value)


def test_http_errors_are_swallowed_when_failing_silently(sendgrid: SendGridRecorder) -> None:
    # given
    sendgrid.status = 500
    # when
    sent = EmailMessage(subject="Hi", body="x", to=["ann@example.com"]).send(fail_silently=True)
    # then: it was tried, and reported as not sent
    assert sent == 0
    assert len(sendgrid.calls) == 1


def test_backend_needs_an_api_key(settings: Settings) -> None:
    settings.SENDGRID_API_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        SendGridEmailBackend()
