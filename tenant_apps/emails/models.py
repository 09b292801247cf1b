"""E-mails that could not be sent: the dead letters of the e-mail task."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class FailedEmail(models.Model):
    """A templated e-mail the task gave up on (``tasks.send_templated_email``): after its last retry
    (``EMAIL_MAX_RETRIES``), or at once for a failure sending again cannot fix (a missing template,
    a payload SendGrid rejects). It keeps everything needed to send it again; ``retried_at`` /
    ``retried_by``: when a site admin sent it again (once per row: a new failure makes a new row).
    """

    to = models.JSONField(help_text="Recipients (a list of addresses).")
    subject = models.CharField(max_length=998)
    template = models.CharField(max_length=200)
    context = models.JSONField(default=dict)
    reply_to = models.JSONField(null=True, blank=True)
    headers = models.JSONField(null=True, blank=True)
    error = models.TextField(help_text="The last error, as the task saw it.")
    attempts = models.PositiveIntegerField(help_text="How many times sending was tried.")
    failed_at = models.DateTimeField(auto_now_add=True)
    retried_at = models.DateTimeField(null=True, blank=True)
    retried_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("-failed_at", "-id")
        indexes = [models.Index(fields=["-failed_at", "-id"], name="emails_failed_recent")]

    def __str__(self) -> str:
        return f"{self.subject} -> {', '.join(self.to)}"
