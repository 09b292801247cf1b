"""``manage.py billing_dunning_sweep``: run the hourly dunning sweep now (``dunning.dunning_sweep``).

    python manage.py billing_dunning_sweep                      # what beat runs every hour
    python manage.py billing_dunning_sweep --end-grace school   # end school's grace period now, then sweep

``--end-grace SLUG`` sets the past-due site's ``grace_ends_at`` to now, so the sweep suspends it at
once (for staff, and for the README walk-through, which cannot wait ``BILLING_GRACE_DAYS``).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shared_apps.billing.dunning import dunning_sweep, grace_end_now
from shared_apps.billing.models import BillingAccount
from shared_apps.tenancy.models import Tenant


class Command(BaseCommand):
    """Suspend the sites whose grace period ended and remind those with a day left; ``--end-grace``
    first ends one site's grace period."""

    help = "Run the billing dunning sweep now (optionally ending one site's grace period first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--end-grace", metavar="SLUG", default=None, help="End this site's grace period now.")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["end_grace"]
        if slug:
            tenant = Tenant.objects.filter(schema_name=slug).first()
            if tenant is None:
                raise CommandError(f"no tenant {slug!r}")
            try:
                ended = grace_end_now(tenant=tenant)
            except BillingAccount.DoesNotExist:
                raise CommandError(f"{slug} has no billing account") from None
            self.stdout.write(f"{slug}: grace period {'ended' if ended else 'not running (not past_due)'}")
        report = dunning_sweep()
        self.stdout.write(f"suspended {report.suspended}, reminded {report.reminded}")
