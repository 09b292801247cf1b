"""An inquiry of one rental site is invisible from another: through the API and the ORM."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.rental.inquiries.models import Inquiry, InquiryMessage, InquiryUserObjectPermission
from tests.factories import InquiryFactory, InquiryMessageFactory
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.rental.conftest import Rental, make_rental
from tests.tenant_apps.rental.inquiries.conftest import INQUIRIES, ids, in_rental, inquiry_url


def test_an_inquiry_of_echo_is_invisible_to_foxtrots_admin_and_agents(
    rental: Rental, foxtrot: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given an inquiry of echo's, new (in every echo agent's queue), and foxtrot's people
    inquiry = in_rental(rental, InquiryFactory, author=rental.gia, subject="Echo only")
    other = make_rental(foxtrot, client_for, login)
    for who in ("admin", "cora"):
        client = other.client(who)
        # when
        listed = client.get(INQUIRIES)
        detail = client.get(inquiry_url(inquiry.pk))
        messages = client.get(inquiry_url(inquiry.pk, "messages"))
        posted = client.post(inquiry_url(inquiry.pk, "messages"), {"body": "hi"}, format="json")
        status = client.post(inquiry_url(inquiry.pk, "status"), {"status": "closed"}, format="json")
        # then
        assert inquiry.pk not in ids(listed)
        assert detail.status_code == messages.status_code == posted.status_code == status.status_code == 404
    assert in_rental(rental, lambda: Inquiry.objects.get(pk=inquiry.pk).status) == "new"


def test_the_same_email_on_another_site_is_another_user_without_the_inquiry(
    rental: Rental, foxtrot: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given gia of echo, and a gia@echo.test registered on foxtrot
    inquiry = in_rental(rental, InquiryFactory, author=rental.gia)
    with tenant_context(foxtrot):
        from tests.factories import UserFactory

        UserFactory(email="gia@echo.test", roles=["guest"])
    twin = client_for(foxtrot, login(foxtrot, "gia@echo.test")["access"])
    # when, then
    assert inquiry.pk not in ids(twin.get(INQUIRIES))
    assert twin.get(inquiry_url(inquiry.pk)).status_code == 404


def test_inquiries_messages_and_grants_stay_in_their_schema(rental: Rental, foxtrot: Tenant) -> None:
    # given
    inquiry = in_rental(rental, InquiryFactory, author=rental.gia, subject="Echo only")
    in_rental(rental, InquiryMessageFactory, inquiry=inquiry, body="Echo message")
    # when
    with tenant_context(foxtrot):
        in_foxtrot = (
            Inquiry.objects.filter(subject="Echo only").count(),
            InquiryMessage.objects.filter(body="Echo message").count(),
            InquiryUserObjectPermission.objects.filter(
                content_object_id=inquiry.pk, user__email="gia@echo.test"
            ).count(),
        )
    # then
    assert in_foxtrot == (0, 0, 0)
    with tenant_context(rental.tenant):
        assert InquiryUserObjectPermission.objects.filter(content_object=inquiry).count() == 2  # view, change
