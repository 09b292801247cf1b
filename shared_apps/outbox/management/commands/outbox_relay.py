"""``manage.py outbox_relay [--once] [--interval SECONDS]``: publish the outbox's unsent tasks."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from saas.db.tenant import use_public_schema
from shared_apps.outbox.services import outbox_lag_seconds, outbox_relay


class Command(BaseCommand):
    """Publish the outbox's unsent, due rows (``shared_apps/outbox/services.py`` ``outbox_relay``):
    once with ``--once``, else every ``--interval`` seconds until stopped. The same work as the
    beat entry ``outbox-relay``, for a shell or a sidecar that does not depend on beat."""

    help = "Publish the outbox's unsent tasks to the broker (once, or in a loop)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between passes (default 5).")

    def handle(self, *args: Any, **options: Any) -> None:
        use_public_schema()
        while True:
            report = outbox_relay()
            self.stdout.write(
                f"sent {report.sent}, failed {report.failed}, deleted {report.deleted}; "
                f"oldest unsent waited {outbox_lag_seconds():.1f}s"
            )
            if options["once"]:
                return
            time.sleep(options["interval"])
