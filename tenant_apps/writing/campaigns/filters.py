"""Query filters of the campaigns lists (django-filter, strict fields: a bad value answers 400)."""

from __future__ import annotations

from django_filters import rest_framework as filters

from saas.api.filters import ColumnChoicesFilter
from tenant_apps.writing.campaigns.models import Campaign, CampaignRecipient, CampaignStatus, RecipientStatus


class CampaignFilter(filters.FilterSet):
    """``GET /api/v1/campaigns/`` filters: ``status`` (repeatable)."""

    status = ColumnChoicesFilter(field_name="status", choices=CampaignStatus.choices)

    class Meta:
        model = Campaign
        fields = ("status",)


class RecipientFilter(filters.FilterSet):
    """``GET /api/v1/campaigns/{id}/recipients/`` filters: ``status`` (repeatable)."""

    status = ColumnChoicesFilter(field_name="status", choices=RecipientStatus.choices)

    class Meta:
        model = CampaignRecipient
        fields = ("status",)
