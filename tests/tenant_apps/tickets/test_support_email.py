"""A new ticket e-mails the support team of its own site (active members, one message each),
through the e-mail task, after the ticket is committed."""

from __future__ import annotations

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from pytest_django import DjangoCaptureOnCommitCallbacks

from shared_apps.tenancy.models import Tenant
from tests.fixture_types import MakePerson, MakeUser
from tests.tenant_apps.tickets.conftest import TICKETS, School, open_ticket


def _recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_a_new_ticket_emails_the_sites_active_support_staff_only(
    school: School,
    beta: Tenant,
    person: MakePerson,
    make_user: MakeUser,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given
    make_user(school.tenant, "gone@alpha.test", roles=["support"], is_active=False)
    make_user(school.tenant, "fin@alpha.test", roles=["financial"])
    make_user(beta, "sue@beta.test", roles=["support"])
    # when
    with django_capture_on_commit_callbacks(execute=True):
        open_ticket(school.ann.client)
    # then
    assert _recipients() == ["admin@alpha.test", "sue@alpha.test"]
    assert all(len(message.to) == 1 for message in mail.outbox)  # nobody sees the others' addresses


def test_the_support_email_names_the_ticket_and_quotes_the_message(
    school: School, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # when
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(
            school.ann.client, subject="Certificate <missing>", body="I finished & passed.", priority="high"
        )
    # then
    message = next(m for m in mail.outbox if m.to == ["sue@alpha.test"])
    assert message.subject == f"New ticket #{ticket['id']}: Certificate <missing>"
    assert "I finished & passed." in message.body  # the text part is not HTML-escaped
    assert "Priority: High" in message.body
    assert "Ann Student <ann@alpha.test>" in message.body
    site = settings.SITE_URL_FORMAT.format(host="alpha.localhost")
    assert f"{site}/api/v1/tickets/{ticket['id']}/" in message.body
    assert "Alpha" in message.from_email
    assert isinstance(message, EmailMultiAlternatives)
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert isinstance(html, str)
    assert "Certificate &lt;missing&gt;" in html


def test_a_ticket_opened_by_support_staff_is_not_emailed_to_its_author(
    school: School, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # when
    with django_capture_on_commit_callbacks(execute=True):
        open_ticket(school.sue.client)
    # then
    assert _recipients() == ["admin@alpha.test"]


def test_on_a_store_site_the_admins_receive_the_email(
    gamma: Tenant,
    person: MakePerson,
    make_user: MakeUser,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given
    customer = person(gamma, "cara@gamma.test", ["customer"])
    make_user(gamma, "sam@gamma.test", roles=["seller"])
    # when
    with django_capture_on_commit_callbacks(execute=True):
        open_ticket(customer.client, subject="Where is my parcel?")
    # then
    assert _recipients() == ["admin@gamma.test"]


def test_a_refused_ticket_sends_no_email(
    school: School, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = school.ann.client.post(TICKETS, {"subject": "S", "body": "B", "attachments": ["not-a-uuid"]})
    # then
    assert response.status_code == 400
    assert callbacks == []
    assert mail.outbox == []


def test_replies_send_no_email(
    school: School, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # given
    ticket = open_ticket(school.ann.client)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        school.ann.client.post(f"{TICKETS}{ticket['id']}/messages/", {"body": "More details."})
    # then
    assert mail.outbox == []
