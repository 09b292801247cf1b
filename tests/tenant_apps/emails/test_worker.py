"""The e-mail task on a real Celery worker thread runs in the schema it was sent from.

The worker (``tests/saas/test_celery.py``'s fixture) consumes the in-memory broker in its own
thread with its own database connection; the SendGrid backend posts to the local recorder.
"""

from __future__ import annotations

from celery.result import AsyncResult, EagerResult
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.emails.tasks import send_templated_email
from tests.tenant_apps.emails.conftest import SendGridRecorder

RESULT_TIMEOUT = 10


def send_from(tenant: Tenant, to: str) -> AsyncResult:
    with tenant_context(tenant):
        return send_templated_email.delay(
            to=[to],
            subject=f"Hello {to}",
            template="message",
            context={"title": "Hello", "paragraphs": ["From the worker."]},
        )


def test_email_task_on_the_worker_renders_and_sends_as_the_tenant_it_was_sent_from(
    db: None, worker: None, session_tenants: dict[str, Tenant], sendgrid: SendGridRecorder
) -> None:
    # when: two tenants send one after the other
    from_alpha = send_from(session_tenants["alpha"], "ann@alpha.test")
    from_beta = send_from(session_tenants["beta"], "bob@beta.test")
    # then: both ran on the worker, not eagerly
    assert not isinstance(from_alpha, EagerResult)
    from_alpha.get(timeout=RESULT_TIMEOUT, interval=0.01)
    from_beta.get(timeout=RESULT_TIMEOUT, interval=0.01)
    calls = sendgrid.wait_for(2)
    by_recipient = {call.payload["personalizations"][0]["to"][0]["email"]: call.payload for call in calls}
    for recipient, slug, other in (("ann@alpha.test", "alpha", "beta"), ("bob@beta.test", "beta", "alpha")):
        payload = by_recipient[recipient]
        text = next(c["value"] for c in payload["content"] if c["type"] == "text/plain")
        assert payload["from"]["name"] == slug.title()
        assert f"{slug.title()} - https://{slug}.localhost" in text
        assert other.title() not in text
