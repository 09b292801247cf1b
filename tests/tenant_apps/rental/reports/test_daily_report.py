"""The daily report: sent at the site's hour in its time zone, to its admins, once per day.

Properties and bookings are written with the ORM on purpose, not by the factories: the report
counts rows by ``created_at`` in the 24 hours before a fixed moment (``NOON`` of 2030-03-10), so
each row's ``created_at`` is set by hand (the services stamp the real now), and only the fields
the report reads are filled in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django_tenants.utils import tenant_context

from saas.db.tenant import tenant_connection
from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.rental.bookings.models import Booking
from tenant_apps.rental.properties.models import Property
from tenant_apps.rental.reports.models import DailyReport
from tenant_apps.rental.reports.services import daily_report_due, daily_report_send
from tenant_apps.rental.reports.tasks import send_daily_report
from tenant_apps.rental.site.models import RentalSettings
from tests.concurrency import in_thread, race
from tests.fixture_types import MakeUser

#: A moment after the default report hour (07:00 UTC) of 2030-03-10.
NOON = datetime(2030, 3, 10, 12, 0, tzinfo=UTC)


def _property(host: User, title: str, created_at: datetime, currency: str = "EUR") -> Property:
    prop = Property.objects.create(
        host=host,
        title=title,
        address="1 Main St",
        city="Lisbon",
        country="PT",
        latitude=Decimal("38.7"),
        longitude=Decimal("-9.1"),
        nightly_price=Decimal("100.00"),
        currency=currency,
        max_guests=2,
    )
    Property.objects.filter(pk=prop.pk).update(created_at=created_at)
    return prop


def _booking(prop: Property, guest: User, nights_from: date, created_at: datetime, total: str) -> Booking:
    booking = Booking.objects.create(
        property=prop,
        guest=guest,
        check_in=nights_from,
        check_out=nights_from + timedelta(days=2),
        guests=1,
        currency=prop.currency,
        nights=2,
        nightly_price=Decimal(total) / 2,
        cleaning_fee=Decimal("0.00"),
        total=Decimal(total),
    )
    Booking.objects.filter(pk=booking.pk).update(created_at=created_at)
    return booking


def _set_site(tenant: Tenant, *, report_hour: int, time_zone: str) -> None:
    with tenant_context(tenant):
        RentalSettings.objects.update_or_create(pk=1, defaults={"report_hour": report_hour, "time_zone": time_zone})


def test_the_report_counts_the_last_24_hours_and_reaches_each_admin_in_html_and_text(
    echo: Tenant, make_user: MakeUser
) -> None:
    # given a second admin, a host and a guest; two properties and two bookings in the 24 hours
    # before 07:00 UTC on March 10th, one property and one booking earlier
    second_admin = make_user(echo, "second-admin@echo.test", roles=["admin"])
    host = make_user(echo, "host@echo.test", roles=["host"], full_name="Hana Host")
    guest = make_user(echo, "guest@echo.test", roles=["guest"])
    moment = datetime(2030, 3, 10, 7, 0, tzinfo=UTC)
    with tenant_context(echo):
        sea = _property(host, "Sea view flat", moment - timedelta(hours=3))
        _property(host, "Tokyo loft", moment - timedelta(hours=20), currency="JPY")
        old = _property(host, "Old cabin", moment - timedelta(hours=30))
        _booking(sea, guest, date(2030, 4, 1), moment - timedelta(hours=1), "300.00")
        _booking(sea, guest, date(2030, 4, 5), moment - timedelta(hours=2), "200.00")
        gone = _booking(sea, guest, date(2030, 5, 1), moment - timedelta(hours=4), "700.00")
        Booking.objects.filter(pk=gone.pk).update(status="cancelled")
        _booking(old, guest, date(2030, 4, 1), moment - timedelta(hours=25), "999.00")
        # when the report of March 10th is sent at noon
        report = daily_report_send(report_date=date(2030, 3, 10), now=NOON)
    # then it covered 07:00 the day before to 07:00, and each admin got their own message
    assert report is not None
    assert (report.period_start, report.period_end) == (moment - timedelta(hours=24), moment)
    # (the cancelled one is counted, not valued)
    assert (report.properties_added, report.bookings_made, report.totals) == (2, 3, {"EUR": "500.00"})
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["admin@echo.test", second_admin.email])
    message = mail.outbox[0]
    assert message.subject == "Daily report 2030-03-10: 2 properties added, 3 bookings made"
    html = str(message.alternatives[0][0])  # type: ignore[attr-defined]
    assert message.alternatives[0][1] == "text/html"  # type: ignore[attr-defined]
    assert "Sea view flat" in html and "Tokyo loft" in html and "Old cabin" not in html
    assert "500.00 EUR" in html and "Hana Host" in html
    assert "Bookings made: 3" in message.body and "Old cabin" not in message.body


def test_a_second_run_for_the_same_day_sends_nothing(echo: Tenant) -> None:
    with tenant_context(echo):
        # given the report of March 10th was sent
        assert daily_report_send(report_date=date(2030, 3, 10), now=NOON) is not None
        sent = len(mail.outbox)
        # when it runs again later that day
        again = daily_report_send(report_date=date(2030, 3, 10), now=NOON + timedelta(hours=3))
    # then nothing more is sent
    assert again is None
    assert len(mail.outbox) == sent == 1


def test_the_report_is_due_from_the_sites_hour_in_its_own_time_zone(echo: Tenant) -> None:
    # given a site in Tokyo (UTC+9) reporting at 07:00
    _set_site(echo, report_hour=7, time_zone="Asia/Tokyo")
    with tenant_context(echo):
        # then at 06:59 Tokyo time (21:59 UTC the day before) nothing is due, at 07:00 the Tokyo day is
        assert daily_report_due(now=datetime(2030, 3, 9, 21, 59, tzinfo=UTC)) is None
        assert daily_report_due(now=datetime(2030, 3, 9, 22, 0, tzinfo=UTC)) == date(2030, 3, 10)


def test_a_report_failing_to_deliver_is_not_recorded_so_the_next_run_sends_it(
    echo: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given delivery fails once
    from tenant_apps.rental.reports import services

    def broken(**_: object) -> None:
        raise ConnectionError("smtp down")

    monkeypatch.setattr(services, "deliver_email", broken)
    with tenant_context(echo):
        with pytest.raises(ConnectionError):
            daily_report_send(report_date=date(2030, 3, 10), now=NOON)
        assert not DailyReport.objects.exists()
        # when delivery works again
        monkeypatch.undo()
        report = daily_report_send(report_date=date(2030, 3, 10), now=NOON)
    # then it is sent
    assert report is not None and len(mail.outbox) == 1


def test_the_beat_task_sends_only_in_rental_sites(echo: Tenant, gamma: Tenant) -> None:
    # given the report hour has passed (00:00 UTC)
    _set_site(echo, report_hour=0, time_zone="UTC")
    # when the task runs in a store site, then in a rental site, twice
    with tenant_context(gamma):
        assert send_daily_report.apply().get() is None
    assert mail.outbox == []
    with tenant_context(echo):
        first = send_daily_report.apply().get()
        second = send_daily_report.apply().get()
    # then the rental site's admins got today's report once
    assert first is not None and second is None
    assert [m.to for m in mail.outbox] == [["admin@echo.test"]]


def test_the_command_sends_on_demand_once(echo: Tenant, gamma: Tenant, capsys: pytest.CaptureFixture[str]) -> None:
    # when the operator asks for the report twice
    call_command("tenant_command", "send_daily_report", schema="echo")
    call_command("tenant_command", "send_daily_report", schema="echo")
    tenant_connection().set_schema_to_public()
    # then it was sent once, and a store site is refused
    out = capsys.readouterr().out
    assert "Sent the report of" in out and "already sent; nothing sent" in out
    assert len(mail.outbox) == 1
    with pytest.raises(Exception, match="not a rental site"):
        call_command("tenant_command", "send_daily_report", schema="gamma")


def test_two_runs_at_once_send_one_report(echo: Tenant) -> None:
    # given two beat workers run the report of one day at the same moment (committed rows; the
    # unique report date makes the second wait for the first, then find it sent)
    def send() -> DailyReport | None:
        return daily_report_send(report_date=date(2030, 3, 11), now=NOON + timedelta(days=1))

    def settings_exist() -> bool:
        with tenant_context(echo):
            return RentalSettings.objects.exists()

    had_settings = in_thread(settings_exist)
    try:
        results = race([send, send], tenant=echo)
        # then one sent it, the other found it sent
        assert sorted(result is None for result in results) == [False, True], results
        assert len(mail.outbox) == 1
    finally:

        def clean() -> None:
            from tenant_apps.audit.models import AuditLogEntry

            with tenant_context(echo):
                DailyReport.objects.filter(report_date=date(2030, 3, 11)).delete()
                AuditLogEntry.objects.filter(verb="rental.daily_report_sent").delete()
                if not had_settings:  # created with the defaults by the first run: it would leak into later runs
                    RentalSettings.objects.all().delete()

        in_thread(clean)
