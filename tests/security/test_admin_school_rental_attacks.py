"""Attacks on the school and rental admin pages: a session that lost its admin role, writes forged
on read-only pages, Django's own delete action, values outside an action's form, fields the
settings form does not have, and markup in what users wrote.

Each test fails on code that lets the attack through: the state is read back from the database.
"""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import user_update
from tenant_apps.rental.bookings.models import Booking, BookingStatus
from tenant_apps.rental.inquiries.models import Inquiry, InquiryStatus
from tenant_apps.rental.site.models import RentalSettings
from tenant_apps.rental.site.services import rental_settings
from tenant_apps.school.lessons.models import GroupMembership
from tenant_apps.school.programs.models import Bootcamp, BootcampEnrolment, EnrolmentStatus, ProgramStatus
from tests.admin import admin_client, admin_url
from tests.conftest import host_of
from tests.factories import UserFactory
from tests.factories.lessons import GroupMembershipFactory, ProductFactory
from tests.factories.programs import BootcampEnrolmentFactory, BootcampFactory
from tests.factories.rental_bookings import BookingFactory
from tests.factories.rental_inquiries import InquiryFactory

pytestmark = pytest.mark.django_db


def test_a_session_that_lost_the_admin_role_runs_no_action(alpha: Tenant) -> None:
    # given a second admin, signed in, then demoted to support
    with tenant_context(alpha):
        mallory = UserFactory(email="mallory@alpha.test", roles=["admin"])
        draft = BootcampFactory()
    client = admin_client(alpha, "mallory@alpha.test")
    assert client.get(admin_url(Bootcamp)).status_code == 200
    with tenant_context(alpha):
        user_update(mallory, roles=["support"], actor=User.objects.get(email="admin@alpha.test"))

    # when the old session posts an action
    response = client.post(admin_url(Bootcamp), {"action": "open_registration", "_selected_action": [draft.pk]})

    # then it is sent to log in and the draft stays a draft
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    with tenant_context(alpha):
        assert Bootcamp.objects.get(pk=draft.pk).status == ProgramStatus.DRAFT


def test_an_action_posted_without_a_session_changes_nothing(alpha: Tenant) -> None:
    with tenant_context(alpha):
        enrolment = BootcampEnrolmentFactory()

    response = Client(HTTP_HOST=host_of(alpha)).post(
        admin_url(BootcampEnrolment), {"action": "approve", "_selected_action": [enrolment.pk]}
    )

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    with tenant_context(alpha):
        assert BootcampEnrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.REQUESTED


def test_read_only_pages_refuse_forged_writes_and_djangos_delete_action(echo: Tenant) -> None:
    with tenant_context(echo):
        booking = BookingFactory()
    admin = admin_client(echo, "admin@echo.test")

    changed = admin.post(admin_url(booking, "change"), {"status": "completed", "total": "1.00", "refund_amount": "0"})
    added = admin.post(admin_url(Booking, "add"), {"status": "confirmed"})
    deleted = admin.post(admin_url(booking, "delete"), {"post": "yes"})
    bulk = admin.post(
        admin_url(Booking), {"action": "delete_selected", "_selected_action": [booking.pk], "post": "yes"}
    )

    assert (changed.status_code, added.status_code, deleted.status_code) == (403, 403, 403)
    assert bulk.status_code in (200, 302)
    with tenant_context(echo):
        kept = Booking.objects.get(pk=booking.pk)
        assert (kept.status, kept.total) == (BookingStatus.PENDING, booking.total)
        assert Booking.objects.count() == 1


def test_the_settings_form_ignores_fields_it_does_not_have(echo: Tenant) -> None:
    with tenant_context(echo):
        row = rental_settings()
        before = row.updated_at
    admin = admin_client(echo, "admin@echo.test")

    response = admin.post(
        admin_url(row, "change"),
        {"commission_percent": "15.00", "report_hour": "7", "time_zone": "UTC", "id": "2", "updated_at": "2000-01-01"},
    )

    assert response.status_code == 302
    with tenant_context(echo):
        assert list(RentalSettings.objects.values_list("pk", flat=True)) == [1]
        assert RentalSettings.objects.get(pk=1).updated_at == before  # nothing changed, nothing saved


def test_an_agent_outside_the_forms_choices_is_refused(echo: Tenant) -> None:
    with tenant_context(echo):
        inquiry = InquiryFactory()
        host = UserFactory(email="host@echo.test", roles=["host"])
    admin = admin_client(echo, "admin@echo.test")

    response = admin.post(
        admin_url(Inquiry),
        {"action": "assign", "_selected_action": [inquiry.pk], "apply": "1", "agent": host.pk},
    )

    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    with tenant_context(echo):
        kept = Inquiry.objects.get(pk=inquiry.pk)
        assert (kept.status, kept.assigned_to_id) == (InquiryStatus.NEW, None)


def test_a_group_of_another_product_is_refused(alpha: Tenant) -> None:
    with tenant_context(alpha):
        membership = GroupMembershipFactory(product=ProductFactory(published=True))
        foreign = GroupMembershipFactory(product=ProductFactory(published=True)).group
    admin = admin_client(alpha, "admin@alpha.test")

    response = admin.post(
        admin_url(GroupMembership),
        {"action": "move", "_selected_action": [membership.pk], "apply": "1", "to_group": foreign.pk},
    )

    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not [str(m) for m in get_messages(response.wsgi_request)]
    with tenant_context(alpha):
        assert GroupMembership.objects.get(pk=membership.pk).group_id == membership.group_id


def test_markup_in_a_reason_is_shown_as_text(alpha: Tenant) -> None:
    with tenant_context(alpha):
        enrolment = BootcampEnrolmentFactory(rejected=True, reason="<script>alert('x')</script>")
    admin = admin_client(alpha, "admin@alpha.test")

    page = admin.get(admin_url(enrolment, "change")).content.decode()

    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(" in page
