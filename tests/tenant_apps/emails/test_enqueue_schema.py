"""An e-mail queued in one tenant is sent from that tenant even if the schema changed before commit."""

from __future__ import annotations

from django.core import mail
from django_tenants.utils import tenant_context
from pytest_django import DjangoCaptureOnCommitCallbacks

from saas.db.tenant import tenant_connection
from shared_apps.tenancy.models import Tenant
from tenant_apps.emails.services import email_send


def test_email_queued_in_alpha_is_rendered_for_alpha_after_a_schema_switch(
    alpha: Tenant, beta: Tenant, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with tenant_context(alpha):
            email_send(to=["x@example.com"], subject="Hello", template="message", context={"body": "Hi from the site."})
        tenant_connection().set_tenant(beta)  # the commit happens later, elsewhere
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].from_email == "Alpha <no-reply@localhost>"
