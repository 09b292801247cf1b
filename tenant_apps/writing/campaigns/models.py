"""Mass e-mail campaigns of a writing site (one schema per site).

An admin composes a ``Campaign`` (subject, sanitised HTML, text), picks its audience, previews it,
schedules it or sends it now. When sending starts, the audience is snapshotted into
``CampaignRecipient`` rows (one per user, unique per campaign); Celery batches then send each
pending row once, under its row lock (``locks.py``). An address in ``MarketingOptOut`` is never
mailed: it is snapshotted as ``skipped`` (and a recipient who opts out before their batch runs is
skipped then). The campaign's counters are recounted from its rows after each batch, so they
never drift from them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class CampaignAudience(models.TextChoices):
    """Who a campaign goes to (active users only, see ``selectors.audience_users``)."""

    ALL_CLIENTS = "all_clients", "All clients"
    WRITERS = "writers", "All writers"
    INACTIVE_CLIENTS = "inactive_clients", "Clients inactive for N days"
    TIER = "tier", "Clients of a loyalty tier"


class CampaignStatus(models.TextChoices):
    """A campaign's life: ``draft`` -> ``scheduled`` -> ``sending`` -> ``sent``; ``draft`` or
    ``scheduled`` may go straight to ``sending`` (send now); ``draft``, ``scheduled`` and
    ``sending`` may be ``cancelled`` (a cancelled send leaves its unsent rows ``pending``)."""

    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    CANCELLED = "cancelled", "Cancelled"


class Campaign(models.Model):
    """A mass e-mail: ``subject``, ``html`` (sanitised with ``nh3`` when saved by the services) and
    ``text``, to ``audience`` (``inactive_days`` for ``inactive_clients``, ``tier_slug`` for
    ``tier``: a loyalty tier's slug, whose clients are those of the tier when sending starts).

    Counters (set when sending starts, recounted after each batch): ``recipients_count`` (rows
    snapshotted), ``sent_count``, ``failed_count`` (permanent failures, or transient ones that
    used up ``WRITING_CAMPAIGN_MAX_ATTEMPTS``), ``skipped_count`` (opted out). What is still to
    send is ``recipients - sent - failed - skipped``.
    """

    subject = models.CharField(max_length=200)
    html = models.TextField(blank=True)
    text = models.TextField()
    audience = models.CharField(max_length=24, choices=CampaignAudience.choices)
    inactive_days = models.PositiveIntegerField(null=True, blank=True)
    tier_slug = models.SlugField(max_length=80, blank=True)
    status = models.CharField(max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    recipients_count = models.PositiveIntegerField(default=0)
    sent_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="writing_campaigns"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["scheduled_at"], condition=Q(status="scheduled"), name="writing_campaigns_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(audience="inactive_clients") & Q(inactive_days__gte=1))
                | (~Q(audience="inactive_clients") & Q(inactive_days__isnull=True)),
                name="writing_campaigns_inactive_days_for_inactive_audience",
            ),
            models.CheckConstraint(
                condition=(Q(audience="tier") & ~Q(tier_slug="")) | (~Q(audience="tier") & Q(tier_slug="")),
                name="writing_campaigns_tier_slug_for_tier_audience",
            ),
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(scheduled_at__isnull=False),
                name="writing_campaigns_scheduled_has_time",
            ),
            models.CheckConstraint(
                condition=Q(recipients_count__gte=F("sent_count") + F("failed_count") + F("skipped_count")),
                name="writing_campaigns_counts_within_recipients",
            ),
        ]

    def __str__(self) -> str:
        return f"campaign {self.pk}: {self.subject}"


class RecipientStatus(models.TextChoices):
    """A recipient row: ``pending`` until its batch sends it (``sent``), gives up (``failed``), or
    finds the address opted out (``skipped``, also set when the snapshot is taken)."""

    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped (opted out)"


class CampaignRecipient(models.Model):
    """One user of a campaign's audience, snapshotted when sending started: ``email`` as it was
    then; ``attempts`` (transient failures so far), ``error`` (the last one), ``sent_at``."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="writing_campaign_rows"
    )
    email = models.EmailField()
    status = models.CharField(max_length=16, choices=RecipientStatus.choices, default=RecipientStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("id",)
        indexes = [models.Index(fields=["campaign", "status"], name="writing_campaigns_rcpt_status")]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="writing_campaigns_one_row_per_user"),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | (~Q(status="sent") & Q(sent_at__isnull=True)),
                name="writing_campaigns_sent_at_when_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} of campaign {self.campaign_id} ({self.status})"


class OptOutSource(models.TextChoices):
    """How an address opted out of marketing e-mail."""

    LINK = "link", "The unsubscribe link of a campaign"
    PREFERENCE = "preference", "The user's own preference"


class MarketingOptOut(models.Model):
    """An address that receives no campaign (canonical, lower-case ``email``; ``user`` when one
    had it). Unique per address: opting out twice changes nothing."""

    email = models.EmailField(unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=16, choices=OptOutSource.choices)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"opt-out of {self.email}"
