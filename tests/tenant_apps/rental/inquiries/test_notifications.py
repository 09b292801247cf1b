"""Every change tells the other side, by a notification (users) and an e-mail: assignment, status,
messages. Nobody is told about what they did themselves; a visitor reads everything by e-mail."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django_tenants.utils import tenant_context
from pytest_django import DjangoCaptureOnCommitCallbacks

from tenant_apps.notifications.models import Notification
from tenant_apps.rental.inquiries.models import Inquiry
from tests.factories import InquiryFactory
from tests.tenant_apps.rental.conftest import Rental
from tests.tenant_apps.rental.inquiries.conftest import in_rental, inquiry_url


def _told(rental: Rental, inquiry: Inquiry, verb: str) -> set[str]:
    with tenant_context(rental.tenant):
        rows = Notification.objects.filter(verb=verb, object_id=str(inquiry.pk))
        return set(rows.values_list("recipient__email", flat=True))


def _forget(rental: Rental) -> None:
    """Drop what the setup sent (notifications, e-mails): the test looks at its own change only."""
    with tenant_context(rental.tenant):
        Notification.objects.all().delete()
    mail.outbox.clear()


def _mailed() -> list[list[str]]:
    return [list(message.to) for message in mail.outbox]


def _post(rental: Rental, who: str, inquiry: Inquiry, action: str, body: dict[str, Any]) -> Any:
    response = rental.client(who).post(inquiry_url(inquiry.pk, action), body, format="json")
    assert response.status_code in (200, 201), response.content
    return response


def test_an_assignment_notifies_the_agent_and_tells_the_author(
    rental: Rental, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # given
    inquiry = in_rental(rental, InquiryFactory, author=rental.gia)
    _forget(rental)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        _post(rental, "admin", inquiry, "assign", {"agent": rental.cora.pk})
    # then
    assert _told(rental, inquiry, "inquiry.assigned") == {"cora@echo.test", "gia@echo.test"}
    assert _mailed() == [["gia@echo.test"]]
    assert "Cora Agent is now looking after your inquiry." in mail.outbox[0].body


def test_a_reassignment_tells_the_previous_agent_its_id_only(rental: Rental) -> None:
    inquiry = in_rental(rental, InquiryFactory, author=rental.gia, agent=rental.cora, status="assigned")
    _post(rental, "admin", inquiry, "assign", {"agent": rental.cole.pk})
    assert _told(rental, inquiry, "inquiry.unassigned") == {"cora@echo.test"}
    with tenant_context(rental.tenant):
        extra = Notification.objects.get(verb="inquiry.unassigned", object_id=str(inquiry.pk)).extra_data
    assert extra == {"inquiry_id": inquiry.pk}


def test_an_agent_claiming_is_not_told_about_it(rental: Rental) -> None:
    inquiry = in_rental(rental, InquiryFactory, author=rental.gia)
    _post(rental, "cora", inquiry, "assign", {"agent": rental.cora.pk})
    assert _told(rental, inquiry, "inquiry.assigned") == {"gia@echo.test"}


def test_the_agents_status_change_goes_to_the_author(
    rental: Rental, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # given
    inquiry = in_rental(rental, InquiryFactory, author=rental.gia, agent=rental.cora, status="in_progress")
    _forget(rental)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        _post(rental, "cora", inquiry, "status", {"status": "resolved"})
    # then
    assert _told(rental, inquiry, "inquiry.status_changed") == {"gia@echo.test"}
    assert _mailed() == [["gia@echo.test"]]
    assert "Your inquiry is now resolved." in mail.outbox[0].body


def test_the_authors_reopening_goes_to_the_agent(
    rental: Rental, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    inquiry = in_rental(rental, InquiryFactory, author=rental.gia, agent=rental.cora, status="resolved")
    _forget(rental)
    with django_capture_on_commit_callbacks(execute=True):
        _post(rental, "gia", inquiry, "status", {"status": "in_progress"})
    assert _told(rental, inquiry, "inquiry.status_changed") == {"cora@echo.test"}
    assert _mailed() == [["cora@echo.test"]]


def test_an_admins_change_goes_to_the_author_and_the_agent(
    rental: Rental, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    inquiry = in_rental(rental, InquiryFactory, author=rental.gia, agent=rental.cora, status="assigned")
    _forget(rental)
    with django_capture_on_commit_callbacks(execute=True):
        _post(rental, "admin", inquiry, "status", {"status": "closed"})
    assert _told(rental, inquiry, "inquiry.status_changed") == {"gia@echo.test", "cora@echo.test"}
    assert sorted(_mailed()) == [["cora@echo.test"], ["gia@echo.test"]]


def test_an_agents_message_reaches_the_author_with_its_text(
    rental: Rental, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # given
    inquiry = in_rental(rental, InquiryFactory, author=rental.gia, agent=rental.cora, status="in_progress")
    _forget(rental)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        message = _post(rental, "cora", inquiry, "messages", {"body": "Quiet after 22:00 & double glazing."}).json()
    # then
    assert message["author"]["id"] == rental.cora.pk and message["body"] == "Quiet after 22:00 & double glazing."
    assert _told(rental, inquiry, "inquiry.message_added") == {"gia@echo.test"}
    assert _mailed() == [["gia@echo.test"]]
    assert "Quiet after 22:00 & double glazing." in mail.outbox[0].body
    conversation = rental.client("gia").get(inquiry_url(inquiry.pk, "messages")).json()
    assert [m["body"] for m in conversation] == ["Quiet after 22:00 & double glazing."]


def test_an_authors_message_reaches_the_agent_or_the_queue(
    rental: Rental, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # given one inquiry assigned to cora, one still new
    assigned = in_rental(rental, InquiryFactory, author=rental.gia, agent=rental.cora, status="assigned")
    queued = in_rental(rental, InquiryFactory, author=rental.gia)
    _forget(rental)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        _post(rental, "gia", assigned, "messages", {"body": "Any news?"})
        _post(rental, "gia", queued, "messages", {"body": "Anyone?"})
    # then: cora (notified and e-mailed); the queue (notified)
    assert _told(rental, assigned, "inquiry.message_added") == {"cora@echo.test"}
    assert _told(rental, queued, "inquiry.message_added") == {"admin@echo.test", "cora@echo.test", "cole@echo.test"}
    assert _mailed() == [["cora@echo.test"]]


def test_a_visitor_gets_every_answer_by_email(
    rental: Rental, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # given
    inquiry = in_rental(rental, InquiryFactory, visitor=True, email="vera@example.test")
    _forget(rental)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        _post(rental, "admin", inquiry, "assign", {"agent": rental.cora.pk})
        _post(rental, "cora", inquiry, "status", {"status": "in_progress"})
        _post(rental, "cora", inquiry, "messages", {"body": "Yes, it is quiet."})
    # then
    assert _mailed() == [["vera@example.test"]] * 3
    assert "Yes, it is quiet." in mail.outbox[2].body
    assert "/api/v1/" not in mail.outbox[2].body  # no link a visitor could not open


def test_a_closed_inquiry_takes_no_more_messages(rental: Rental) -> None:
    from tests.api import error_code

    inquiry = in_rental(rental, InquiryFactory, author=rental.gia, agent=rental.cora, status="closed")
    response = rental.client("gia").post(inquiry_url(inquiry.pk, "messages"), {"body": "One more"}, format="json")
    assert response.status_code == 409 and error_code(response) == "inquiry_closed"


def test_every_change_is_audited(rental: Rental) -> None:
    from tenant_apps.audit.models import AuditLogEntry

    inquiry = in_rental(rental, InquiryFactory, author=rental.gia, agent=rental.cora, status="resolved")
    _post(rental, "gia", inquiry, "messages", {"body": "Thanks"})
    with tenant_context(rental.tenant):
        verbs = list(
            AuditLogEntry.objects.filter(target_id=str(inquiry.pk), verb__startswith="inquiry.")
            .order_by("id")
            .values_list("verb", flat=True)
        )
    assert verbs == [
        "inquiry.opened",
        "inquiry.assigned",
        "inquiry.status_changed",
        "inquiry.status_changed",
        "inquiry.message_added",
    ]
