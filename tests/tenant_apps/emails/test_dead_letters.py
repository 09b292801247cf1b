"""E-mails the provider keeps refusing (issue 18, point 2): retried with backoff, then kept as a
dead letter (``FailedEmail``) the site's admins see and send again; other sites never see them."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django_tenants.utils import tenant_context
from pytest_django import DjangoCaptureOnCommitCallbacks

from shared_apps.tenancy.models import Tenant
from tenant_apps.emails.backends import SendGridError, SendGridRejected
from tenant_apps.emails.models import FailedEmail
from tenant_apps.emails.tasks import send_templated_email
from tests.fixture_types import ClientFor, Login, MakeUser
from tests.tenant_apps.emails.conftest import SendGridRecorder

FAILED = "/api/v1/emails/failed/"


def kwargs(**overrides: Any) -> dict[str, Any]:
    return {"to": ["ann@example.com"], "subject": "Your invoice", "template": "message", "context": {}, **overrides}


def test_an_email_that_fails_every_retry_becomes_a_dead_letter(alpha: Tenant, sendgrid: SendGridRecorder) -> None:
    # given: SendGrid answers 500 to everything
    sendgrid.status = 500
    # when: the last allowed attempt fails too
    with tenant_context(alpha), pytest.raises(SendGridError):
        send_templated_email.apply(
            kwargs=kwargs(headers={"X-Impersonated-By": "staff@localhost"}), retries=django_settings.EMAIL_MAX_RETRIES
        )
    # then
    with tenant_context(alpha):
        [failed] = FailedEmail.objects.all()
    assert (failed.to, failed.subject, failed.template) == (["ann@example.com"], "Your invoice", "message")
    assert failed.attempts == django_settings.EMAIL_MAX_RETRIES + 1
    assert failed.error.startswith("SendGridError") and failed.headers == {"X-Impersonated-By": "staff@localhost"}


def test_a_failure_that_is_retried_leaves_no_dead_letter_and_a_rejected_one_does_at_once(
    alpha: Tenant, sendgrid: SendGridRecorder
) -> None:
    from celery.exceptions import Retry

    sendgrid.status = 500
    with tenant_context(alpha), pytest.raises(Retry):
        send_templated_email.apply(kwargs=kwargs(), retries=0)
    with tenant_context(alpha):
        assert not FailedEmail.objects.exists()
    sendgrid.status = 400
    with tenant_context(alpha), pytest.raises(SendGridRejected):
        send_templated_email.apply(kwargs=kwargs())
    with tenant_context(alpha):
        assert FailedEmail.objects.get().attempts == 1


def test_the_admin_sees_the_dead_letters_and_sends_one_again_once(
    alpha: Tenant,
    beta: Tenant,
    sendgrid: SendGridRecorder,
    client_for: ClientFor,
    login: Login,
    make_user: MakeUser,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given: a dead letter on alpha
    sendgrid.status = 503
    with tenant_context(alpha), pytest.raises(SendGridError):
        send_templated_email.apply(kwargs=kwargs(), retries=django_settings.EMAIL_MAX_RETRIES)
    admin = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    [listed] = admin.get(FAILED).json()["results"]
    assert (listed["subject"], listed["retried_at"]) == ("Your invoice", None)
    # when SendGrid is back and the admin sends it again
    sendgrid.status = 202
    sent_before = len(sendgrid.calls)
    with django_capture_on_commit_callbacks(execute=True):
        retried = admin.post(f"{FAILED}{listed['id']}/retry/")
    again = admin.post(f"{FAILED}{listed['id']}/retry/")
    # then it went out once, and the row says who sent it again
    assert retried.status_code == 202, retried.content
    assert retried.json()["retried_by"] == "admin@alpha.test"
    assert len(sendgrid.calls) == sent_before + 1
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_retried"
    # and neither another site's admin nor a non-admin of the site sees it
    beta_admin = client_for(beta, login(beta, "admin@beta.test")["access"])
    assert beta_admin.get(FAILED).json()["count"] == 0
    assert beta_admin.post(f"{FAILED}{listed['id']}/retry/").status_code == 404
    make_user(alpha, "support-dl@alpha.test", roles=["support"])
    support = client_for(alpha, login(alpha, "support-dl@alpha.test")["access"])
    assert support.get(FAILED).status_code == 403
    assert support.post(f"{FAILED}{listed['id']}/retry/").status_code == 403
    assert admin.post(f"{FAILED}abc/retry/").status_code == 404
