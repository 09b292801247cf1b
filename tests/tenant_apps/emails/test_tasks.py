"""The templated e-mail task: rendered and sent in the tenant it was sent from, retried with backoff.

Tasks run eagerly here (the test profile); ``test_worker.py`` runs them on a real worker.
"""

from __future__ import annotations

from typing import Any

import pytest
from celery.exceptions import Retry
from django.conf import settings as django_settings
from django_tenants.utils import tenant_context
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from shared_apps.tenancy.models import Tenant
from tenant_apps.emails.backends import SendGridError, SendGridRejected
from tenant_apps.emails.services import email_send
from tenant_apps.emails.tasks import send_templated_email
from tests.tenant_apps.emails.conftest import SendGridRecorder

CONTEXT = {
    "title": "Welcome & hello",
    "paragraphs": ["Your course <b>starts</b> Monday."],
    "action_url": "https://example.com/next",
    "action_label": "Open the course",
}


def task_kwargs(**overrides: Any) -> dict[str, Any]:
    return {"to": ["ann@example.com"], "subject": "Welcome", "template": "message", "context": CONTEXT, **overrides}


def content_of(payload: dict[str, Any], mimetype: str) -> str:
    return next(c["value"] for c in payload["content"] if c["type"] == mimetype)


@pytest.mark.parametrize(("slug", "other"), [("alpha", "beta"), ("beta", "alpha")])
def test_templated_email_sent_from_a_tenant_uses_that_tenants_name_and_site(
    session_tenants: dict[str, Tenant],
    db: None,
    sendgrid: SendGridRecorder,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    slug: str,
    other: str,
) -> None:
    # given
    tenant = session_tenants[slug]
    # when: a service asks for the e-mail; the task runs once the transaction commits
    with tenant_context(tenant), django_capture_on_commit_callbacks(execute=True):
        email_send(to=["ann@example.com"], subject="Welcome", template="message", context=CONTEXT)
    # then
    [payload] = sendgrid.payloads
    assert payload["from"] == {"email": "no-reply@localhost", "name": slug.title()}
    assert payload["subject"] == "Welcome"
    assert payload["personalizations"] == [{"to": [{"email": "ann@example.com"}]}]
    text, html = content_of(payload, "text/plain"), content_of(payload, "text/html")
    assert f"{slug.title()} - https://{slug}.localhost" in text
    assert "Welcome & hello" in text and "Your course <b>starts</b> Monday." in text  # plain text: not escaped
    assert "Open the course: https://example.com/next" in text
    assert f'<h2 style="font-weight: normal;">{slug.title()}</h2>' in html
    assert "Welcome &amp; hello" in html and "Your course &lt;b&gt;starts&lt;/b&gt; Monday." in html
    assert f'href="https://{slug}.localhost"' in html
    assert other.title() not in text + html and f"{other}.localhost" not in text + html


def test_nothing_is_sent_when_the_transaction_rolls_back(
    alpha: Tenant, sendgrid: SendGridRecorder, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # when: the callbacks are dropped, as on rollback
    with tenant_context(alpha), django_capture_on_commit_callbacks(execute=False) as callbacks:
        email_send(to=["ann@example.com"], subject="Welcome", template="message", context=CONTEXT)
    # then
    assert len(callbacks) == 1
    assert sendgrid.calls == []


def retry_requested(**apply_options: Any) -> Retry:
    """Run the task eagerly; return the ``Retry`` it raised (eager runs propagate it)."""
    with pytest.raises(Retry) as raised:
        send_templated_email.apply(kwargs=task_kwargs(), **apply_options)
    return raised.value


@pytest.mark.parametrize("status", [500, 429])
def test_failed_send_is_retried_with_exponential_backoff(
    alpha: Tenant, sendgrid: SendGridRecorder, monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    # given: SendGrid fails; full jitter pinned to its upper bound to read the schedule
    sendgrid.status = status
    monkeypatch.setattr("celery.utils.time.random.randrange", lambda stop: stop - 1)
    countdowns = []
    # when: attempt n (0 = the first run) fails
    with tenant_context(alpha):
        for attempt in range(django_settings.EMAIL_MAX_RETRIES):
            retry = retry_requested(retries=attempt)
            # then: each one asks for another attempt later
            assert isinstance(retry.exc, SendGridError) and retry.exc.status_code == status
            countdowns.append(retry.when)
    assert countdowns == [10, 20, 40, 80, 160][: django_settings.EMAIL_MAX_RETRIES]
    assert len(sendgrid.calls) == django_settings.EMAIL_MAX_RETRIES


def test_jittered_retry_delay_stays_within_the_backoff_bound(alpha: Tenant, sendgrid: SendGridRecorder) -> None:
    # given
    sendgrid.status = 500
    # when
    with tenant_context(alpha):
        delays = [retry_requested(retries=2).when for _ in range(5)]
    # then
    assert all(0 <= delay <= 40 for delay in delays)


def test_last_retry_failing_gives_up_with_the_error(alpha: Tenant, sendgrid: SendGridRecorder) -> None:
    # given
    sendgrid.status = 500
    # when / then
    with tenant_context(alpha), pytest.raises(SendGridError):
        send_templated_email.apply(kwargs=task_kwargs(), retries=django_settings.EMAIL_MAX_RETRIES)
    assert len(sendgrid.calls) == 1


def test_network_failure_is_retried(alpha: Tenant, sendgrid: SendGridRecorder, settings: Settings) -> None:
    # given: nothing listens there
    settings.SENDGRID_API_HOST = "http://127.0.0.1:1"
    # when
    with tenant_context(alpha):
        retry = retry_requested()
    # then
    assert isinstance(retry.exc, OSError)


def test_rejected_payload_is_not_retried(alpha: Tenant, sendgrid: SendGridRecorder) -> None:
    # given: a 400 means the request is wrong; sending it again cannot help
    sendgrid.status = 400
    # when / then
    with tenant_context(alpha), pytest.raises(SendGridRejected):
        send_templated_email.apply(kwargs=task_kwargs())
    assert len(sendgrid.calls) == 1


def test_missing_template_is_not_retried(alpha: Tenant, sendgrid: SendGridRecorder) -> None:
    from django.template import TemplateDoesNotExist

    with tenant_context(alpha), pytest.raises(TemplateDoesNotExist):
        send_templated_email.apply(kwargs=task_kwargs(template="no-such-template"))
    assert sendgrid.calls == []
