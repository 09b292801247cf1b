"""Writing campaigns, made by ``writing.campaigns.services`` (create, schedule, start, send)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from tenant_apps.writing.campaigns.models import Campaign, CampaignRecipient, RecipientStatus
from tenant_apps.writing.campaigns.services import (
    campaign_create,
    campaign_schedule,
    campaign_send_batch,
    campaign_start,
)
from tests.factories.base import ServiceFactory, site_admin


class CampaignFactory(ServiceFactory[Campaign]):
    """A draft campaign by ``created_by`` (default: the site's admin) to ``audience`` (default
    ``all_clients``; ``inactive_days``, ``tier_slug`` for the audiences that take them), made by
    ``campaign_create``.

    ``status`` ``scheduled`` schedules it (``scheduled_at``, default in 3 days:
    ``campaign_schedule``); ``sent`` starts it (``campaign_start``: the audience snapshotted, no
    task left to run after commit matters) and sends every pending row at once
    (``campaign_send_batch``), so its counts are final. Traits: ``scheduled``, ``sent``.
    """

    class Meta:
        model = Campaign

    class Params:
        scheduled = factory.Trait(status="scheduled")
        sent = factory.Trait(status="sent")

    subject = factory.Sequence(lambda n: f"News {n} for {{{{ first_name }}}}")
    html = "<p>Hello {{ first_name }}, <b>new</b> offers this week.</p>"
    text = "Hello {{ first_name }}, new offers this week."
    audience = "all_clients"
    inactive_days: Any = None
    tier_slug = ""
    created_by: Any = None
    status = "draft"
    scheduled_at: Any = None

    @classmethod
    def _create(cls, model_class: type[Campaign], *args: Any, **kwargs: Any) -> Campaign:
        actor = kwargs["created_by"] or site_admin()
        campaign = campaign_create(
            actor=actor,
            subject=kwargs["subject"],
            html=kwargs["html"],
            text=kwargs["text"],
            audience=kwargs["audience"],
            inactive_days=kwargs["inactive_days"],
            tier_slug=kwargs["tier_slug"],
        )
        if kwargs["status"] == "scheduled":
            when = kwargs["scheduled_at"] or timezone.now() + timedelta(days=3)
            campaign = campaign_schedule(actor=actor, campaign=campaign, scheduled_at=when)
        elif kwargs["status"] == "sent":
            campaign = campaign_start(pk=campaign.pk, actor=actor)
            pending = CampaignRecipient.objects.filter(campaign=campaign, status=RecipientStatus.PENDING)
            campaign_send_batch(campaign_id=campaign.pk, recipient_ids=list(pending.values_list("pk", flat=True)))
            campaign.refresh_from_db()
        elif kwargs["status"] != "draft":
            raise ValueError(f"CampaignFactory makes draft, scheduled or sent campaigns, not {kwargs['status']!r}")
        return campaign
