"""Rental sites are isolated from one another across the whole kind: ``echo`` and ``foxtrot``.

What the per-app tests already prove is not repeated here:

* foxtrot's lists show none of echo's properties, amenities or blocked periods, echo's property
  ids answer 404 and echo's iCal feed URL answers 404 on foxtrot's host
  (``properties/test_isolation.py``);
* foxtrot's people list no echo booking and get 404 for one, and an echo token is refused by
  foxtrot's bookings list (``bookings/test_access.py``);
* echo's inquiries, messages and object permissions are invisible from foxtrot
  (``inquiries/test_isolation.py``).

Added here: an echo token refused by foxtrot on every rental list endpoint, and the rental Celery
tasks, sent for echo (the ``_schema_name`` header tenant-schemas-celery puts on every message)
while the sender's connection is in foxtrot, touching only echo's rows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import icalendar
import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import tenant_context
from pytest_django import DjangoCaptureOnCommitCallbacks

from shared_apps.tenancy.models import Tenant
from tenant_apps.rental.bookings.models import Booking
from tenant_apps.rental.bookings.tasks import bookings_expire_due_task
from tenant_apps.rental.properties.models import BlockedPeriod, BlockSource, Property
from tenant_apps.rental.properties.services import calendar as calendar_services
from tenant_apps.rental.properties.tasks import properties_calendar_import_all
from tenant_apps.rental.reports.models import DailyReport
from tenant_apps.rental.reports.tasks import send_daily_report
from tenant_apps.rental.site.models import RentalSettings
from tests.factories import BookingFactory, PropertyFactory, in_days
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.rental.conftest import Rental

#: Every list endpoint of the rental kind (``rental/settings/`` is the site's one settings object).
RENTAL_LISTS = (
    "/api/v1/properties/",
    "/api/v1/amenities/",
    "/api/v1/bookings/",
    "/api/v1/inquiries/",
    "/api/v1/rental/settings/",
)


def for_echo(task: Any, *args: Any) -> Any:
    """Run ``task`` as a message sent for echo (eager in the tests): its result."""
    return task.apply(args=args, headers={"_schema_name": "echo"}).get()


@pytest.mark.parametrize("path", RENTAL_LISTS)
def test_an_echo_token_is_refused_on_foxtrot(
    rental: Rental, foxtrot: Tenant, client_for: ClientFor, login: Login, path: str
) -> None:
    # given echo's admin and guest tokens, which echo accepts (200; the guest may get 403 where
    # only admins go, but is known)
    for email in (rental.admin.email, rental.gia.email):
        token = login(rental.tenant, email)["access"]
        assert client_for(rental.tenant, token).get(path).status_code in (200, 403), (email, path)
        # when presented to foxtrot
        response = client_for(foxtrot, token).get(path)
        # then foxtrot does not know it, in JSON
        assert response.status_code == 401, (email, path, response.content)
        assert response["Content-Type"].startswith("application/json")


def test_the_daily_report_sent_for_echo_counts_and_records_only_echo(rental: Rental, foxtrot: Tenant) -> None:
    # given both sites past today's report hour (00:00 UTC); echo listed one property in the
    # report's 24 hours, foxtrot two (back-dated: the report counts what was made before its hour)
    in_window = datetime.combine(timezone.now().astimezone(UTC).date(), datetime.min.time(), tzinfo=UTC)
    for tenant, listed in ((rental.tenant, 1), (foxtrot, 2)):
        with tenant_context(tenant):
            RentalSettings.objects.update_or_create(pk=1, defaults={"report_hour": 0, "time_zone": "UTC"})
            for _ in range(listed):
                prop = PropertyFactory()
                Property.objects.filter(pk=prop.pk).update(created_at=in_window - timedelta(hours=1))
    # when the beat's message for echo runs, sent while the connection is in foxtrot
    with tenant_context(foxtrot):
        sent = for_echo(send_daily_report)
    # then echo's admins got echo's report, counting echo's property only; foxtrot has none yet
    assert sent is not None
    assert [m.to for m in mail.outbox] == [["admin@echo.test"]]
    with tenant_context(rental.tenant):
        assert list(DailyReport.objects.values_list("properties_added", flat=True)) == [1]
    with tenant_context(foxtrot):
        assert not DailyReport.objects.exists()


def _one_event_feed(uid: str, start: date, end: date) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//other channel//EN")
    cal.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstart", start)
    event.add("dtend", end)
    cal.add_component(event)
    return bytes(cal.to_ical())


def test_the_hourly_calendar_import_sent_for_echo_imports_only_echos_feeds(
    rental: Rental,
    foxtrot: Tenant,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given a property with an import URL on each site, and the other channel serving one event
    asked: list[str] = []

    def fake_fetch(url: str) -> bytes:
        asked.append(url)
        return _one_event_feed("elsewhere-1", in_days(40), in_days(42))

    monkeypatch.setattr(calendar_services, "fetch_calendar", fake_fetch)
    props: dict[str, Property] = {}
    for tenant in (rental.tenant, foxtrot):
        with tenant_context(tenant):
            props[tenant.schema_name] = PropertyFactory(
                ical_import_url=f"https://channel.example.com/{tenant.schema_name}.ics"
            )
    # when the hourly message for echo runs (sent from foxtrot), and the imports it queues
    with tenant_context(foxtrot), django_capture_on_commit_callbacks(execute=True):
        queued = for_echo(properties_calendar_import_all)
    # then only echo's feed was fetched and only echo's property got the block
    assert queued == [props["echo"].pk]
    assert asked == ["https://channel.example.com/echo.ics"]

    def imported(tenant: Tenant) -> list[tuple[str, date, date]]:
        with tenant_context(tenant):
            rows = BlockedPeriod.objects.filter(source=BlockSource.ICAL).order_by("pk")
            return [(b.uid, b.start, b.end) for b in rows]

    assert imported(rental.tenant) == [("elsewhere-1", in_days(40), in_days(42))]
    assert imported(foxtrot) == []


def test_the_expiry_sent_for_echo_frees_only_echos_holds(rental: Rental, foxtrot: Tenant) -> None:
    # given a pending booking on each site whose hold ran out a minute ago (the hold's end is
    # written directly: no service moves it, and waiting for it would take the hold's minutes)
    held: dict[str, Booking] = {}
    for tenant in (rental.tenant, foxtrot):
        with tenant_context(tenant):
            booking = BookingFactory()
            Booking.objects.filter(pk=booking.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
            held[tenant.schema_name] = booking
    # when the expiry's message for echo runs, sent from foxtrot
    with tenant_context(foxtrot):
        expired = for_echo(bookings_expire_due_task)
    # then echo's booking expired; foxtrot's waits for foxtrot's own message
    assert expired == [held["echo"].pk]
    with tenant_context(rental.tenant):
        assert Booking.objects.get(pk=held["echo"].pk).status == "expired"
    with tenant_context(foxtrot):
        assert Booking.objects.get(pk=held["foxtrot"].pk).status == "pending"
        assert for_echo(bookings_expire_due_task) == []  # echo has nothing left to expire
