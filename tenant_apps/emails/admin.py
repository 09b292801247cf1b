"""The site's failed e-mails in its admin site: read-only, with "Send again" (``failed_email_retry``)."""

from __future__ import annotations

from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register, service_action
from tenant_apps.emails import services
from tenant_apps.emails.models import FailedEmail


@register(FailedEmail)
class FailedEmailAdmin(ServiceModelAdmin):
    """E-mails the site could not send: filter by whether they were sent again, search recipients
    and subject; ``send_again`` calls ``failed_email_retry`` for each selected one."""

    list_display = ("subject", "to", "error", "attempts", "failed_at", "retried_at")
    list_filter = ("failed_at", "retried_at")
    search_fields = ("subject", "template")
    fields = ("to", "subject", "template", "context", "error", "attempts", "failed_at", "retried_at", "retried_by")
    readonly_fields = fields
    actions = ("send_again",)

    @service_action(description="Send the selected e-mails again", success="{count} queued again.")
    def send_again(self, request: HttpRequest, failed: FailedEmail) -> None:
        services.failed_email_retry(failed_email_id=failed.pk, actor=request.user)
