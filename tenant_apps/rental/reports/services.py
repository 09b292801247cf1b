"""The daily report: what was listed and booked in the last 24 hours, e-mailed to the site's admins.

Seed 003 e-mails the administrators an HTML report of the properties added each day; a rental
site here also reports the bookings made, with their value per currency.

* **When.** Each site sets ``report_hour`` and ``time_zone`` (``RentalSettings``). Beat asks every
  rental site every 15 minutes (``tasks.send_daily_report``); the report of a site-local day is
  due from that day's ``report_hour`` on, and covers the 24 hours before that moment. Sent on
  demand (``manage.py send_daily_report``) before the hour, it covers the 24 hours before now.
* **Once.** One ``DailyReport`` row per site-local day (unique ``report_date``), inserted in the
  transaction that sends the e-mails and marks it ``sent_at``: a second run, at once or later,
  waits on the unique index or finds the row, and sends nothing; a failed delivery rolls the row
  back, so the next tick tries again. (The unique index is the lock: no row lock is needed.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from tenant_apps.accounts.models import User
from tenant_apps.audit.services import audit_record
from tenant_apps.emails.services import deliver_email, render_email
from tenant_apps.kinds import ADMIN
from tenant_apps.rental.bookings.models import OCCUPIES, Booking
from tenant_apps.rental.properties.models import Property
from tenant_apps.rental.reports.models import DailyReport
from tenant_apps.rental.site.models import RentalSettings
from tenant_apps.rental.site.services import rental_settings

#: The report covers this long before its moment.
PERIOD = timedelta(hours=24)


def _site_settings() -> RentalSettings:
    return rental_settings()


@dataclass(frozen=True)
class ReportFigures:
    """What happened in ``[period_start, period_end)`` (aware UTC datetimes): the properties added and
    the bookings made (their rows, at most ``ROWS`` each, newest first), and the value per currency
    (``{"EUR": Decimal("1234.00")}``) of those still standing (pending, confirmed or completed now;
    cancelled and expired ones are listed and counted, not valued)."""

    period_start: datetime
    period_end: datetime
    properties_added: int
    bookings_made: int
    totals: dict[str, Decimal] = field(default_factory=dict)
    properties: list[Property] = field(default_factory=list)
    bookings: list[Booking] = field(default_factory=list)


#: Rows listed in the e-mail (the counts and totals cover everything).
ROWS = 50


def report_figures(*, period_start: datetime, period_end: datetime) -> ReportFigures:
    """The figures of ``[period_start, period_end)``, read in the current site's schema."""
    properties = Property.objects.filter(created_at__gte=period_start, created_at__lt=period_end)
    bookings = Booking.objects.filter(created_at__gte=period_start, created_at__lt=period_end)
    standing = bookings.filter(OCCUPIES)  # cancelled and expired bookings are counted, not valued
    totals = {
        row["currency"]: row["value"]
        for row in standing.values("currency").annotate(value=Sum("total")).order_by("currency")
    }
    return ReportFigures(
        period_start=period_start,
        period_end=period_end,
        properties_added=properties.count(),
        bookings_made=bookings.count(),
        totals=totals,
        properties=list(properties.select_related("host").order_by("-created_at", "-id")[:ROWS]),
        bookings=list(bookings.select_related("property").order_by("-created_at", "-id")[:ROWS]),
    )


def report_moment(*, report_date: date, site: RentalSettings) -> datetime:
    """When the report of the site-local ``report_date`` is due: that day at ``report_hour`` in the
    site's time zone, as an aware UTC datetime."""
    local = datetime.combine(report_date, time(hour=site.report_hour), tzinfo=ZoneInfo(site.time_zone))
    return local.astimezone(ZoneInfo("UTC"))


def daily_report_due(*, now: datetime | None = None) -> date | None:
    """The site-local date whose report is due at ``now`` (default: now), or ``None`` before the
    site's ``report_hour`` (whether it was already sent is ``daily_report_send``'s business)."""
    site = _site_settings()
    now = now or timezone.now()
    today = now.astimezone(ZoneInfo(site.time_zone)).date()
    return today if now >= report_moment(report_date=today, site=site) else None


def daily_report_send(*, report_date: date | None = None, now: datetime | None = None) -> DailyReport | None:
    """Send the report of the site-local ``report_date`` (default: today) to the site's active
    admins, once; returns the ``DailyReport`` when this call sent it, ``None`` when it had been sent.

    The period is the 24 hours before the day's report moment, or before ``now`` when that moment
    has not come yet (a report asked for early). Each admin gets their own message (HTML and text).
    Raises what delivery raises (the row is rolled back, so a retry sends it).
    """
    site = _site_settings()
    now = now or timezone.now()
    report_date = report_date or now.astimezone(ZoneInfo(site.time_zone)).date()
    period_end = min(report_moment(report_date=report_date, site=site), now)
    period_start = period_end - PERIOD
    with transaction.atomic():
        # A concurrent run's INSERT waits on the unique index until this transaction ends, then
        # finds the row (sent); a row left by a rolled-back delivery does not exist.
        row, created = DailyReport.objects.get_or_create(
            report_date=report_date, defaults={"period_start": period_start, "period_end": period_end}
        )
        if not created:
            return None
        figures = report_figures(period_start=period_start, period_end=period_end)
        recipients = list(
            User.objects.filter(groups__name=ADMIN, is_active=True).order_by("pk").values_list("email", flat=True)
        )
        text, html = render_email("rental_reports/daily_report", _context(figures, report_date, site))
        subject = (
            f"Daily report {report_date.isoformat()}: "
            f"{figures.properties_added} properties added, {figures.bookings_made} bookings made"
        )
        for address in recipients:
            deliver_email(to=[address], subject=subject, text=text, html=html)
        row.period_start, row.period_end = period_start, period_end
        row.properties_added, row.bookings_made = figures.properties_added, figures.bookings_made
        row.totals = {currency: str(value) for currency, value in figures.totals.items()}
        row.recipients, row.sent_at = recipients, timezone.now()
        row.save()
        audit_record(
            actor=None,
            verb="rental.daily_report_sent",
            target=row,
            changes={"report_date": report_date.isoformat(), "recipients": len(recipients)},
        )
    return row


def _context(figures: ReportFigures, report_date: date, site: RentalSettings) -> dict[str, Any]:
    zone = ZoneInfo(site.time_zone)
    return {
        "report_date": report_date.isoformat(),
        "time_zone": site.time_zone,
        "period_start": figures.period_start.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "period_end": figures.period_end.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "properties_added": figures.properties_added,
        "bookings_made": figures.bookings_made,
        "totals": [{"currency": c, "value": str(v)} for c, v in figures.totals.items()],
        "properties": [
            {
                "title": p.title,
                "city": p.city,
                "country": p.country,
                "host": p.host.get_full_name() or p.host.email,
                "nightly_price": str(p.nightly_price),
                "currency": p.currency,
            }
            for p in figures.properties
        ],
        "bookings": [
            {
                "number": b.number,
                "property": b.property.title,
                "check_in": b.check_in.isoformat(),
                "check_out": b.check_out.isoformat(),
                "status": b.get_status_display(),
                "total": str(b.total),
                "currency": b.currency,
            }
            for b in figures.bookings
        ],
        "more_properties": max(0, figures.properties_added - len(figures.properties)),
        "more_bookings": max(0, figures.bookings_made - len(figures.bookings)),
    }
