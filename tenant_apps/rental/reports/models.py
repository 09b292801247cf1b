"""The daily reports sent (seed 003's daily property report).

One row per site-local day (``report_date`` in the site's time zone), inserted before the e-mail
goes out: a second run for the same day finds it and sends nothing. The figures are kept as sent.
"""

from __future__ import annotations

from django.db import models


class DailyReport(models.Model):
    """The report of ``report_date``: the 24 hours before ``period_end`` (aware, UTC)."""

    report_date = models.DateField(unique=True, help_text="The site-local day the report was due.")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    properties_added = models.PositiveIntegerField(default=0)
    bookings_made = models.PositiveIntegerField(default=0)
    totals = models.JSONField(
        default=dict, help_text='Value of the bookings still standing, per currency: {"EUR": "1234.00"}.'
    )
    recipients = models.JSONField(default=list, help_text="The admins' addresses it was sent to.")
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-report_date",)

    def __str__(self) -> str:
        return f"daily report of {self.report_date}"
