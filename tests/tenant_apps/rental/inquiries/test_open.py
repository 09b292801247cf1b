"""Opening an inquiry: signed-in guests (their account's address) and visitors (an e-mail of their
own, throttled), optionally about a published property or a booking of theirs; the queue is told and
the author gets an acknowledgement."""

from __future__ import annotations

from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import override_settings
from django_tenants.utils import tenant_context
from pytest_django import DjangoCaptureOnCommitCallbacks

from tenant_apps.notifications.models import Notification
from tenant_apps.rental.inquiries.models import Inquiry
from tests.api import error_code
from tests.factories import BookingFactory, PropertyFactory, UserFactory
from tests.tenant_apps.rental.conftest import Rental
from tests.tenant_apps.rental.inquiries.conftest import (
    INQUIRIES,
    in_rental,
    inquiry_url,
    open_inquiry,
)


def test_a_guest_opens_an_inquiry_under_their_accounts_address(rental: Rental) -> None:
    # when: gia sends another address and a name, which are ignored
    body = open_inquiry(
        rental.client("gia"), severity="high", email="someone@else.test", name="Not Me", subject="Noisy  \n street?"
    )
    # then
    assert body["status"] == "new" and body["severity"] == "high"
    assert body["subject"] == "Noisy street?"
    assert (body["email"], body["name"]) == ("gia@echo.test", "Gia Guest")
    assert body["created_by"]["id"] == rental.gia.pk and body["assigned_to"] is None
    assert rental.client("gia").get(inquiry_url(body["id"])).status_code == 200


def test_a_visitor_opens_an_inquiry_with_an_email_and_cannot_read_it_back(rental: Rental) -> None:
    # when
    body = open_inquiry(rental.client(None), email="Visitor@Example.test", name="Vera Visitor")
    # then
    assert body["created_by"] is None and body["email"] == "Visitor@Example.test"
    assert rental.client(None).get(inquiry_url(body["id"])).status_code == 401
    assert rental.client(None).get(INQUIRIES).status_code == 401
    with tenant_context(rental.tenant):
        assert Inquiry.objects.get(pk=body["id"]).name == "Vera Visitor"


def test_a_visitor_must_give_an_email(rental: Rental) -> None:
    for extra in ({}, {"email": ""}, {"email": "not-an-address"}):
        response = rental.client(None).post(INQUIRIES, {"subject": "Hi", "message": "Hello", **extra}, format="json")
        assert response.status_code == 400, extra
        assert error_code(response) == "validation_error"
        assert "email" in response.json()["error"]["details"]


def test_subject_message_and_severity_are_required_and_checked(rental: Rental) -> None:
    gia = rental.client("gia")
    for body in (
        {"message": "x"},
        {"subject": "x"},
        {"subject": "   ", "message": "x"},
        {"subject": "x", "message": "  "},
        {"subject": "x", "message": "y", "severity": "critical"},
        {"subject": 5, "message": "y"},
        {"subject": "x" * 201, "message": "y"},
    ):
        response = gia.post(INQUIRIES, body, format="json")
        assert response.status_code == 400, body
        assert error_code(response) == "validation_error"


def test_an_inquiry_may_name_a_published_property_not_an_unpublished_one(rental: Rental) -> None:
    # given
    listed = in_rental(rental, PropertyFactory, host=rental.hana)
    hidden = in_rental(rental, PropertyFactory, host=rental.hana, unpublished=True)
    # when
    about = open_inquiry(rental.client(None), email="v@example.test", property=listed.pk)
    refused = rental.client("gia").post(
        INQUIRIES, {"subject": "x", "message": "y", "property": hidden.pk}, format="json"
    )
    missing = rental.client("gia").post(INQUIRIES, {"subject": "x", "message": "y", "property": 10**9}, format="json")
    # then: an unpublished and a missing property are refused alike
    assert about["property"] == listed.pk
    assert refused.status_code == missing.status_code == 400
    assert refused.json()["error"] == missing.json()["error"]


def test_an_inquiry_may_name_only_a_booking_its_author_may_see(rental: Rental) -> None:
    # given gia's booking of hana's flat
    prop = in_rental(rental, PropertyFactory, host=rental.hana)
    booking = in_rental(rental, BookingFactory, property=prop, guest=rental.gia, confirmed=True)
    # when
    mine = open_inquiry(rental.client("gia"), booking=booking.pk)
    theirs = rental.client("gus").post(
        INQUIRIES, {"subject": "x", "message": "y", "booking": booking.pk}, format="json"
    )
    visitor = rental.client(None).post(
        INQUIRIES, {"subject": "x", "message": "y", "email": "v@example.test", "booking": booking.pk}, format="json"
    )
    # then: the booking's property comes with it; gus and a visitor are refused
    assert (mine["booking"], mine["property"]) == (booking.pk, prop.pk)
    assert theirs.status_code == visitor.status_code == 400
    assert error_code(theirs) == "validation_error" and "booking" in theirs.json()["error"]["details"]


def test_a_booking_of_another_property_than_the_one_named_is_refused(rental: Rental) -> None:
    prop, other = (
        in_rental(rental, PropertyFactory, host=rental.hana),
        in_rental(rental, PropertyFactory, host=rental.hugo),
    )
    booking = in_rental(rental, BookingFactory, property=prop, guest=rental.gia, confirmed=True)
    response = rental.client("gia").post(
        INQUIRIES, {"subject": "x", "message": "y", "booking": booking.pk, "property": other.pk}, format="json"
    )
    assert response.status_code == 400


def test_a_new_inquiry_notifies_the_admins_and_agents_and_acknowledges_to_the_author(
    rental: Rental, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # given an agent who left
    in_rental(rental, UserFactory, email="gone@echo.test", roles=["customer_service"], is_active=False)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        body = open_inquiry(rental.client("gia"), subject="Late <check-in>", message="We land at 23:00 & then?")
    # then: the queue is notified, nobody else
    with tenant_context(rental.tenant):
        told = set(
            Notification.objects.filter(verb="inquiry.opened", object_id=str(body["id"])).values_list(
                "recipient__email", flat=True
            )
        )
    assert told == {"admin@echo.test", "cora@echo.test", "cole@echo.test"}
    # and gia alone is e-mailed, an acknowledgement with text and HTML parts
    assert [m.to for m in mail.outbox] == [["gia@echo.test"]]
    message = mail.outbox[0]
    assert message.subject == f"We received your inquiry #{body['id']}: Late <check-in>"
    assert "We land at 23:00 & then?" in message.body
    assert isinstance(message, EmailMultiAlternatives)
    html = str(message.alternatives[0][0])
    assert "Late &lt;check-in&gt;" in html


def test_a_visitor_gets_the_acknowledgement_at_the_address_they_gave(
    rental: Rental, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        open_inquiry(rental.client(None), email="vera@example.test", name="Vera")
    assert [m.to for m in mail.outbox] == [["vera@example.test"]]
    assert "Hello Vera" in mail.outbox[0].body


@override_settings(RENTAL_INQUIRY_VISITOR_RATES={"address": "2/h", "ip": "4/h"})
def test_visitors_are_throttled_per_address_and_per_ip_and_guests_are_not(rental: Rental) -> None:
    visitor = rental.client(None)

    def post(email: str) -> int:
        body = {"subject": "x", "message": "y", "email": email}
        return int(visitor.post(INQUIRIES, body, format="json").status_code)

    # when: two from one address pass, the third is refused
    assert [post("v@example.test"), post("V@example.test"), post("v@example.test")] == [201, 201, 429]
    # and the IP's budget (4, the refused request counted) runs out on another address
    assert post("w@example.test") == 201
    refused = visitor.post(INQUIRIES, {"subject": "x", "message": "y", "email": "z@example.test"}, format="json")
    assert refused.status_code == 429 and error_code(refused) == "throttled"
    assert "Retry-After" in refused.headers
    # then a signed-in guest is not counted
    for _ in range(4):
        open_inquiry(rental.client("gia"))
