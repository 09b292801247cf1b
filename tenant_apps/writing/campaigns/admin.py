"""The writing site's admin of mass e-mail: campaigns (send now, cancel, through the services the
API calls), their recipients, and the addresses that opted out (read-only)."""

from __future__ import annotations

from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register, service_action
from tenant_apps.writing.campaigns import services
from tenant_apps.writing.campaigns.access import access_campaign
from tenant_apps.writing.campaigns.models import Campaign, CampaignRecipient, MarketingOptOut


@register(Campaign)
class CampaignAdmin(ServiceModelAdmin):
    """Campaigns: read-only; sent or cancelled with the actions (edited through the API)."""

    list_display = ("subject", "audience", "status", "scheduled_at", "recipients_count", "sent_count", "failed_count")
    list_filter = ("status", "audience", "created_at")
    search_fields = ("subject", "text")
    list_select_related = ("created_by",)
    date_hierarchy = "created_at"
    actions = ("send_campaigns_now", "cancel_campaigns")

    @service_action(description="Send the selected campaigns now", success="{count} sending.")
    def send_campaigns_now(self, request: HttpRequest, campaign: Campaign) -> None:
        """``services.campaign_send_now`` (as ``POST /campaigns/{id}/send/``)."""
        services.campaign_send_now(actor=request.user, campaign=access_campaign(user=request.user, pk=campaign.pk))

    @service_action(description="Cancel the selected campaigns", success="{count} cancelled.")
    def cancel_campaigns(self, request: HttpRequest, campaign: Campaign) -> None:
        """``services.campaign_cancel`` (as ``POST /campaigns/{id}/cancel/``)."""
        services.campaign_cancel(actor=request.user, campaign=access_campaign(user=request.user, pk=campaign.pk))


@register(CampaignRecipient)
class CampaignRecipientAdmin(ServiceModelAdmin):
    """Who a campaign went to, and how each send went (read-only)."""

    list_display = ("email", "campaign", "status", "attempts", "sent_at", "error")
    list_filter = ("status",)
    search_fields = ("email", "campaign__subject")
    list_select_related = ("campaign",)


@register(MarketingOptOut)
class MarketingOptOutAdmin(ServiceModelAdmin):
    """Addresses that asked for no marketing e-mail (read-only: only their owner opts back in)."""

    list_display = ("email", "source", "campaign", "created_at")
    list_filter = ("source", "created_at")
    search_fields = ("email",)
    list_select_related = ("campaign",)
