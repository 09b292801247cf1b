"""The rental site's admin pages: settings, properties, blocked dates, bookings, inquiries, reports.

Every page answers the site's admin and sends anyone else to the login page; every action does
what the API's service does (state, audit row, notification, ledger row) and shows a refusal as a
message without changing anything; the settings form saves through the service; a list costs as
many queries for 10 rows as for 2; one site's admin never sees another's rows, nor the models of
another kind.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from saas.admin import tenant_admin_site
from shared_apps.tenancy.models import Tenant
from tenant_apps.notifications.models import Notification
from tenant_apps.rental.bookings.models import Booking, BookingStatus
from tenant_apps.rental.inquiries.models import Inquiry, InquiryMessage, InquiryStatus
from tenant_apps.rental.properties.models import Amenity, BlockedPeriod, Property, PropertyStatus
from tenant_apps.rental.reports.models import DailyReport
from tenant_apps.rental.reports.services import daily_report_send
from tenant_apps.rental.site.models import RentalSettings
from tenant_apps.rental.site.services import rental_settings
from tenant_apps.wallet.models import LedgerEntry
from tests.admin import (
    admin_client,
    admin_url,
    assert_admin_pages,
    assert_list_queries_fixed,
    audit_entries,
    messages_of,
    reload,
    run_action,
)
from tests.factories import UserFactory
from tests.factories.base import at
from tests.factories.rental_bookings import BookingFactory
from tests.factories.rental_inquiries import InquiryFactory, InquiryMessageFactory
from tests.factories.rental_properties import AmenityFactory, BlockedPeriodFactory, PropertyFactory

pytestmark = pytest.mark.django_db


# -- every page: the admin sees it, anyone else is sent to log in -----------------------------
PAGES: list[tuple[Callable[[], Any], str, str]] = [
    # (row maker, a filter, a search)
    (rental_settings, "time_zone=UTC", "UTC"),
    (lambda: AmenityFactory(name="Sauna"), "", "Sauna"),
    (lambda: PropertyFactory(title="Seaside Loft"), "status__exact=published", "Seaside"),
    (lambda: BlockedPeriodFactory(property=PropertyFactory(title="Seaside Loft")), "source__exact=manual", "Seaside"),
    (lambda: BookingFactory(property=PropertyFactory(title="Seaside Loft")), "status__exact=pending", "Seaside"),
    (lambda: InquiryFactory(subject="Noisy neighbours"), "status__exact=new", "Noisy"),
    (lambda: InquiryMessageFactory(body="Is there parking?"), "inquiry__status__exact=new", "parking"),
    (lambda: daily_report_send(), "", ""),
]
PAGE_IDS = ["settings", "amenity", "property", "blocked_period", "booking", "inquiry", "message", "report"]


@pytest.mark.parametrize(("make", "query", "search"), PAGES, ids=PAGE_IDS)
def test_each_page_answers_the_admin_and_sends_others_to_log_in(
    echo: Tenant, make: Callable[[], Any], query: str, search: str
) -> None:
    with tenant_context(echo):
        obj = make()
        model = type(obj)
        if model is Amenity:
            PropertyFactory(amenities=[obj])
            query = "properties__status__exact=published"
        if model is DailyReport:
            query, search = f"report_date__gte={obj.report_date}", obj.report_date.isoformat()
        UserFactory(email="guest@echo.test", roles=["guest"])
    # then the admin's list (filtered, searched) shows the row's link, its page its history link;
    # a guest (who cannot sign in here) is sent to the login page
    assert_admin_pages(
        echo,
        model,
        obj.pk,
        query=f"?{query}&q={search}",
        shows=admin_url(model, "change", obj.pk),
        page_shows=admin_url(model, "history", obj.pk),
        non_admin="guest@echo.test",
    )


def test_the_calendar_secret_is_not_shown(echo: Tenant) -> None:
    with tenant_context(echo):
        prop = PropertyFactory()

    page = admin_client(echo).get(admin_url(Property, "change", prop.pk)).content.decode()

    assert prop.title in page and prop.calendar_token not in page


# -- settings: the change form saves through the service ---------------------------------------
def test_the_settings_form_saves_through_the_service_and_is_audited(echo: Tenant) -> None:
    with tenant_context(echo):
        row = rental_settings()
    admin = admin_client(echo)

    response = admin.post(
        admin_url(RentalSettings, "change", row.pk),
        {"commission_percent": "12.50", "report_hour": "9", "time_zone": "Europe/Lisbon"},
    )

    assert response.status_code == 302
    saved = reload(echo, row)
    assert (saved.commission_percent, saved.report_hour, saved.time_zone) == (Decimal("12.50"), 9, "Europe/Lisbon")
    [entry] = audit_entries(echo, row, "rental.settings_updated")
    assert entry.changes["time_zone"] == ["UTC", "Europe/Lisbon"] and entry.actor_repr == "admin@echo.test"
    assert audit_entries(echo, row, "admin.changed")  # the admin's own record of the change


@pytest.mark.parametrize(
    ("field", "value"), [("time_zone", "Mars/Olympus"), ("commission_percent", "100.01"), ("report_hour", "24")]
)
def test_settings_out_of_range_are_refused_by_the_form_and_nothing_changes(
    echo: Tenant, field: str, value: str
) -> None:
    with tenant_context(echo):
        row = rental_settings()
    form = {"commission_percent": "10.00", "report_hour": "7", "time_zone": "UTC", field: value}

    response = admin_client(echo).post(admin_url(RentalSettings, "change", row.pk), form)

    assert response.status_code == 200 and "errornote" in response.content.decode()
    assert reload(echo, row).commission_percent == row.commission_percent
    assert not audit_entries(echo, row, "rental.settings_updated")


# -- properties -------------------------------------------------------------------------------
def test_unpublishing_a_property_hides_it_and_audits_it(echo: Tenant) -> None:
    with tenant_context(echo):
        prop = PropertyFactory()
    admin = admin_client(echo)

    response = run_action(admin, Property, "unpublish", [prop])

    assert messages_of(response) == ["1 unpublished."]
    assert reload(echo, prop).status == PropertyStatus.UNPUBLISHED
    [entry] = audit_entries(echo, prop, "property.unpublished")
    assert entry.actor_repr == "admin@echo.test"


def test_rotating_the_calendar_secret_changes_the_feed_url(echo: Tenant) -> None:
    with tenant_context(echo):
        prop = PropertyFactory()

    run_action(admin_client(echo), Property, "rotate_calendar_token", [prop])

    assert reload(echo, prop).calendar_token != prop.calendar_token
    assert audit_entries(echo, prop, "property.calendar_token_rotated")


def test_importing_a_calendar_queues_it_and_refuses_a_property_without_a_feed(
    echo: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    with tenant_context(echo):
        with_feed = PropertyFactory(title="With feed", ical_import_url="https://calendar.example.com/a.ics")
        without = PropertyFactory(title="Without feed")
    admin = admin_client(echo)

    with (
        mock.patch("tenant_apps.rental.properties.tasks.property_calendar_import_task.apply_async") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = run_action(admin, Property, "import_calendar", [with_feed, without])

    assert sorted(messages_of(response)) == [
        "1 imports queued.",
        "Without feed: Set the property's ical_import_url first.",
    ]
    assert audit_entries(echo, with_feed, "property.calendar_import_requested")
    assert not audit_entries(echo, without, "property.calendar_import_requested")
    queued.assert_called_once()  # published after commit, through the outbox
    assert queued.call_args.kwargs["args"] == (with_feed.pk,)


def test_unblocking_frees_the_dates(echo: Tenant) -> None:
    with tenant_context(echo):
        block = BlockedPeriodFactory()

    response = run_action(admin_client(echo), BlockedPeriod, "unblock", [block])

    assert messages_of(response) == ["1 unblocked."]
    with tenant_context(echo):
        assert not BlockedPeriod.objects.filter(pk=block.pk).exists()
    assert audit_entries(echo, block.property, "property.dates_unblocked")


# -- bookings ---------------------------------------------------------------------------------
def test_cancelling_asks_for_a_reason_then_cancels_calls_off_the_invoice_and_tells_both_sides(echo: Tenant) -> None:
    with tenant_context(echo):
        booking = BookingFactory()
    admin = admin_client(echo)

    page = run_action(admin, Booking, "cancel", [booking])
    assert page.status_code == 200 and 'name="reason"' in page.content.decode()
    assert reload(echo, booking).status == BookingStatus.PENDING

    done = run_action(admin, Booking, "cancel", [booking], reason="The host cannot receive guests.")

    assert messages_of(done) == ["1 cancelled."]
    cancelled = reload(echo, booking)
    assert cancelled.status == BookingStatus.CANCELLED and cancelled.cancel_reason == "The host cannot receive guests."
    with tenant_context(echo):
        assert cancelled.invoice is not None and cancelled.invoice.status == "cancelled"
        for who in (booking.guest, booking.property.host):
            assert Notification.objects.filter(recipient=who, verb="booking.cancelled").exists()
    [entry] = audit_entries(echo, booking, "booking.cancelled")
    assert entry.actor_repr == "admin@echo.test"


def test_a_booking_already_cancelled_cannot_be_cancelled_again(echo: Tenant) -> None:
    with tenant_context(echo):
        booking = BookingFactory(cancelled=True)

    response = run_action(admin_client(echo), Booking, "cancel", [booking], reason="Again.")

    assert messages_of(response) == [f"{booking.number}: This booking is cancelled: it cannot be cancelled."]
    assert reload(echo, booking).cancel_reason == "Plans changed."


def test_completing_an_ended_stay_pays_the_host_once(echo: Tenant) -> None:
    with tenant_context(echo):
        ended = BookingFactory(confirmed=True)
        upcoming = BookingFactory(confirmed=True, check_in=ended.check_out + timedelta(days=5))
    after = datetime.combine(ended.check_out + timedelta(days=1), time(12), tzinfo=timezone.get_current_timezone())

    with at(after):
        admin = admin_client(echo)
        response = run_action(admin, Booking, "complete", [ended, upcoming])
        again = run_action(admin_client(echo), Booking, "complete", [ended])  # a fresh page: its own messages only

    assert sorted(messages_of(response)) == sorted(
        [
            "1 completed.",
            f"{upcoming.number}: Only a confirmed booking whose check-out day has passed can be completed.",
        ]
    )
    assert messages_of(again) == [
        f"{ended.number}: Only a confirmed booking whose check-out day has passed can be completed."
    ]
    completed = reload(echo, ended)
    assert completed.status == BookingStatus.COMPLETED and completed.host_payout > 0
    assert reload(echo, upcoming).status == BookingStatus.CONFIRMED
    with tenant_context(echo):
        [credit] = LedgerEntry.objects.filter(reference=f"booking:{ended.pk}:payout")
        assert credit.balance_delta == completed.host_payout
    assert audit_entries(echo, ended, "booking.completed")[0].actor_repr == "admin@echo.test"


# -- inquiries --------------------------------------------------------------------------------
def test_assigning_asks_for_the_agent_then_assigns_and_tells_them(echo: Tenant) -> None:
    with tenant_context(echo):
        inquiry = InquiryFactory()
        agent = UserFactory(email="cora@echo.test", roles=["customer_service"])
        UserFactory(email="hana@echo.test", roles=["host"])
    admin = admin_client(echo)

    page = run_action(admin, Inquiry, "assign", [inquiry])
    assert page.status_code == 200
    assert "cora@echo.test" in page.content.decode() and "hana@echo.test" not in page.content.decode()

    done = run_action(admin, Inquiry, "assign", [inquiry], agent=agent.pk)

    assert messages_of(done) == ["1 assigned."]
    assigned = reload(echo, inquiry)
    assert assigned.status == InquiryStatus.ASSIGNED and assigned.assigned_to_id == agent.pk
    with tenant_context(echo):
        assert Notification.objects.filter(recipient=agent, verb="inquiry.assigned").exists()
    assert audit_entries(echo, inquiry, "inquiry.assigned")[0].changes["assigned_to"] == [None, agent.pk]


def test_a_move_the_transition_table_refuses_changes_nothing(echo: Tenant) -> None:
    with tenant_context(echo):
        new = InquiryFactory(subject="Fresh one")
        working = InquiryFactory(subject="Being worked", in_progress=True)
    admin = admin_client(echo)

    response = run_action(admin, Inquiry, "resolve", [new, working])

    assert sorted(messages_of(response)) == ["1 resolved.", "Fresh one: An inquiry that is new cannot become resolved."]
    assert reload(echo, new).status == InquiryStatus.NEW
    assert reload(echo, working).status == InquiryStatus.RESOLVED
    assert audit_entries(echo, working, "inquiry.status_changed")[-1].changes["status"] == ["in_progress", "resolved"]


def test_replying_adds_the_admins_message_and_refuses_a_closed_inquiry(echo: Tenant) -> None:
    with tenant_context(echo):
        open_one = InquiryFactory(subject="Open one")
        closed = InquiryFactory(subject="Closed one", closed=True)
    admin = admin_client(echo)

    response = run_action(admin, Inquiry, "reply", [open_one, closed], body="Yes, there is a lift.")

    assert sorted(messages_of(response)) == ["1 answered.", "Closed one: This inquiry is closed."]
    with tenant_context(echo):
        [message] = InquiryMessage.objects.filter(inquiry=open_one)
        assert (
            message.body == "Yes, there is a lift."
            and message.author is not None
            and message.author.email == "admin@echo.test"
        )
        assert not InquiryMessage.objects.filter(inquiry=closed).exists()
    assert audit_entries(echo, open_one, "inquiry.message_added")


# -- what a list costs, what the site shows, who sees what ---------------------------------------
@pytest.mark.parametrize(
    ("model", "make"),
    [
        (Property, lambda: PropertyFactory(amenities=[AmenityFactory()])),
        (Booking, lambda: BookingFactory()),
        (Inquiry, lambda: InquiryFactory(assigned=True)),
        (BlockedPeriod, lambda: BlockedPeriodFactory()),
        (InquiryMessage, lambda: InquiryMessageFactory()),
    ],
    ids=["properties", "bookings", "inquiries", "blocked_periods", "messages"],
)
def test_a_list_costs_the_same_queries_for_10_rows_as_for_2(
    echo: Tenant, model: type[Any], make: Callable[[], Any]
) -> None:
    assert_list_queries_fixed(echo, model, make)


def test_the_rental_site_shows_no_model_of_another_kind() -> None:
    registry = tenant_admin_site("rental")._registry
    modules = {model.__module__ for model in registry}

    assert {"bookings", "properties", "inquiries", "rental_site", "rental_reports"} <= {
        model._meta.app_label for model in registry
    }
    assert not any(
        module.startswith(("tenant_apps.school", "tenant_apps.store", "tenant_apps.writing")) for module in modules
    )


def test_one_sites_admin_never_sees_anothers_rows(echo: Tenant, foxtrot: Tenant) -> None:
    with tenant_context(foxtrot):
        theirs = BookingFactory(property=PropertyFactory(title="Foxtrot Only Villa"))
    admin = admin_client(echo)

    listing = admin.get(admin_url(Property))
    page = admin.get(admin_url(Property, "change", theirs.property_id))
    cancel = run_action(admin, Booking, "cancel", [theirs], reason="Not mine to cancel.")

    assert "Foxtrot Only Villa" not in listing.content.decode()
    assert page.status_code in (302, 404) and "Foxtrot Only Villa" not in page.content.decode()
    assert not any("cancelled" in message for message in messages_of(cancel))
    assert reload(foxtrot, theirs).status == BookingStatus.PENDING


def test_the_index_lists_the_rental_pages(echo: Tenant) -> None:
    index = admin_client(echo).get("/admin/")

    assert index.status_code == 200
    for name in ("Bookings", "Properties", "Blocked periods", "Inquiries", "Rental settings", "Daily reports"):
        assert f">{name}<" in index.content.decode()
