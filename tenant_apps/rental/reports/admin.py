"""The rental site's daily reports in its admin: read-only, as they were sent (``services.daily_report_send``
inserts one row per site-local day before e-mailing the admins; nothing changes one afterwards)."""

from __future__ import annotations

from saas.admin import ServiceModelAdmin, register
from tenant_apps.rental.reports.models import DailyReport


@register(DailyReport)
class DailyReportAdmin(ServiceModelAdmin):
    """Daily reports, newest first, with their figures and recipients."""

    list_display = ("report_date", "properties_added", "bookings_made", "totals", "sent_at")
    list_filter = ("sent_at", "report_date")
    search_fields = ("report_date", "recipients")
    date_hierarchy = "report_date"
    fields = (
        "report_date",
        "period_start",
        "period_end",
        "properties_added",
        "bookings_made",
        "totals",
        "recipients",
        "sent_at",
        "created_at",
    )
