"""``manage.py tenant_command send_daily_report --schema=<slug> [--date YYYY-MM-DD]``: send a rental
site's daily report now (``reports.services.daily_report_send``); a report already sent for that
day is not sent again.

Run through django-tenants' ``tenant_command``, which sets the site's schema (``--schema``) before
the command runs, as for any tenant command.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from saas.db.tenant import current_kind, current_schema


class Command(BaseCommand):
    """Send the daily report of the current site (a rental site) for ``--date`` (default: its today)."""

    help = "Send a rental site's daily report now, once per site-local day (run with tenant_command --schema)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=date.fromisoformat, help="The site-local day (default: today).")

    def handle(self, *args: Any, **options: Any) -> None:
        if current_kind() != "rental":
            raise CommandError(
                f"The schema {current_schema()!r} is not a rental site: "
                "run `manage.py tenant_command send_daily_report --schema=<rental site>`."
            )
        from tenant_apps.rental.reports.services import daily_report_send

        report = daily_report_send(report_date=options["date"])
        if report is None:
            self.stdout.write(f"The report of {options['date'] or 'today'} was already sent; nothing sent.")
        else:
            self.stdout.write(
                f"Sent the report of {report.report_date} to {len(report.recipients)} admin(s): "
                f"{report.properties_added} properties added, {report.bookings_made} bookings made."
            )
