"""Campaigns API shapes; datetimes ISO 8601 in UTC."""

from __future__ import annotations

from rest_framework import serializers

from saas.api.schema import NamedChoiceField
from tenant_apps.writing.campaigns.models import (
    Campaign,
    CampaignAudience,
    CampaignRecipient,
    CampaignStatus,
    RecipientStatus,
)
from tenant_apps.writing.campaigns.services import MAX_BODY, MAX_INACTIVE_DAYS, MAX_SUBJECT
from tenant_apps.writing.messages.serializers import JsonBooleanField


class EmailCampaignSerializer(serializers.ModelSerializer):
    """A campaign: ``{id, subject, html, text, audience, inactive_days, tier_slug, status, scheduled_at,
    started_at, finished_at, counts: {recipients, sent, failed, skipped_opted_out, pending},
    created_by, created_at, updated_at}``. ``html`` is as stored (sanitised); ``pending`` is what is
    left to send (``recipients - sent - failed - skipped_opted_out``)."""

    audience = NamedChoiceField(component_name="WritingCampaignAudienceEnum", choices=CampaignAudience.choices)
    status = NamedChoiceField(component_name="WritingCampaignStatusEnum", choices=CampaignStatus.choices)
    counts = serializers.SerializerMethodField()
    tier_slug = serializers.CharField(read_only=True)
    created_by = serializers.EmailField(source="created_by.email", default=None, read_only=True)

    class Meta:
        model = Campaign
        fields: tuple[str, ...] = (
            "id",
            "subject",
            "html",
            "text",
            "audience",
            "inactive_days",
            "tier_slug",
            "status",
            "scheduled_at",
            "started_at",
            "finished_at",
            "counts",
            "created_by",
            "created_at",
            "updated_at",
        )
        read_only_fields: tuple[str, ...] = fields

    def get_counts(self, campaign: Campaign) -> dict[str, int]:
        done = campaign.sent_count + campaign.failed_count + campaign.skipped_count
        return {
            "recipients": campaign.recipients_count,
            "sent": campaign.sent_count,
            "failed": campaign.failed_count,
            "skipped_opted_out": campaign.skipped_count,
            "pending": max(0, campaign.recipients_count - done),
        }


class EmailCampaignCreateSerializer(serializers.Serializer):
    """``POST /campaigns/``: ``subject``, ``html`` (optional; sanitised), ``text``, ``audience``,
    ``inactive_days`` (for ``inactive_clients``), ``tier_slug`` (for ``tier``)."""

    subject = serializers.CharField(max_length=MAX_SUBJECT)
    html = serializers.CharField(max_length=MAX_BODY, required=False, allow_blank=True, default="")
    text = serializers.CharField(max_length=MAX_BODY)
    audience = NamedChoiceField(component_name="WritingCampaignAudienceEnum", choices=CampaignAudience.choices)
    inactive_days = serializers.IntegerField(min_value=1, max_value=MAX_INACTIVE_DAYS, required=False, allow_null=True)
    tier_slug = serializers.CharField(max_length=80, required=False, allow_blank=True)


class EmailCampaignUpdateSerializer(EmailCampaignCreateSerializer):
    """``PATCH /campaigns/{id}/``: any of the create fields."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for field in self.fields.values():
            field.required = False
        self.fields["html"].default = serializers.empty


class EmailCampaignScheduleSerializer(serializers.Serializer):
    """``POST /campaigns/{id}/schedule/``: ``scheduled_at`` (ISO 8601 with a time zone, future)."""

    scheduled_at = serializers.DateTimeField()


class EmailCampaignPreviewSerializer(serializers.Serializer):
    """A preview: the message as the first recipient would get it, and the audience's size."""

    subject = serializers.CharField()
    html = serializers.CharField()
    text = serializers.CharField()
    sample_email = serializers.EmailField()
    audience_size = serializers.IntegerField()
    opted_out = serializers.IntegerField()
    would_send = serializers.IntegerField()


class SentTestSerializer(serializers.Serializer):
    """``{sent_to}``: the address a test message went to."""

    sent_to = serializers.EmailField()


class EmailCampaignRecipientSerializer(serializers.ModelSerializer):
    """A recipient row: ``{id, user, email, status, attempts, error, sent_at}``."""

    status = NamedChoiceField(component_name="WritingCampaignRecipientStatusEnum", choices=RecipientStatus.choices)

    class Meta:
        model = CampaignRecipient
        fields: tuple[str, ...] = ("id", "user", "email", "status", "attempts", "error", "sent_at")
        read_only_fields: tuple[str, ...] = fields


class UnsubscribeSerializer(serializers.Serializer):
    """An unsubscribe link's answer: ``email`` (masked: ``c***@golf.test``), ``site``,
    ``subscribed`` (whether campaigns still reach it), ``message``."""

    email = serializers.CharField()
    site = serializers.CharField()
    subscribed = serializers.BooleanField()
    message = serializers.CharField()


class MarketingPreferenceSerializer(serializers.Serializer):
    """``{subscribed}``: whether campaigns reach the signed-in user's address (JSON ``true`` or
    ``false`` only)."""

    subscribed = JsonBooleanField()
