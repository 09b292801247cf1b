"""Reads of campaigns: the audience of a campaign, the lists the API shows; never writes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from tenant_apps.accounts.models import User
from tenant_apps.writing.campaigns.models import Campaign, CampaignAudience, CampaignRecipient, MarketingOptOut
from tenant_apps.writing.kind import CLIENT, WRITER
from tenant_apps.writing.loyalty.selectors import clients_in_tier
from tenant_apps.writing.orders.models import Order


def audience_users(*, audience: str, inactive_days: int | None = None, tier_slug: str = "") -> QuerySet[User]:
    """The active users an audience names now, by id (opted-out addresses included: the caller
    counts them as skipped, ``opted_out``):

    * ``all_clients``: every user with the client role;
    * ``writers``: every user with the writer role;
    * ``inactive_clients`` (``inactive_days`` N >= 1): clients who joined at least N days ago, placed
      no order in the last N days (``Order.created_at``), and have not signed in for N days
      (``last_login`` older, or never). Both signals, so a client who browses without ordering
      is not "inactive", nor one who ordered through support without signing in;
    * ``tier`` (``tier_slug``): the clients whose lifetime spend puts them in that loyalty tier now
      (``loyalty.selectors.clients_in_tier``; an unknown slug: nobody).

    Raises ``ValueError`` for an unknown audience.
    """
    users = User.objects.filter(is_active=True)
    if audience == CampaignAudience.ALL_CLIENTS:
        users = users.filter(groups__name=CLIENT)
    elif audience == CampaignAudience.WRITERS:
        users = users.filter(groups__name=WRITER)
    elif audience == CampaignAudience.INACTIVE_CLIENTS:
        cutoff = timezone.now() - timedelta(days=int(inactive_days or 0))
        recent_order = Order.objects.filter(client=OuterRef("pk"), created_at__gte=cutoff)
        users = users.filter(groups__name=CLIENT, date_joined__lte=cutoff).filter(
            Q(last_login__isnull=True) | Q(last_login__lt=cutoff), ~Exists(recent_order)
        )
    elif audience == CampaignAudience.TIER:
        users = users.filter(groups__name=CLIENT, pk__in=clients_in_tier(tier_slug).values("pk"))
    else:
        raise ValueError(f"Unknown audience {audience!r}")
    return users.distinct().order_by("id")


def opted_out(users: QuerySet[User]) -> QuerySet[User]:
    """Those of ``users`` whose address opted out of marketing e-mail."""
    return users.filter(Exists(MarketingOptOut.objects.filter(email=OuterRef("email"))))


def campaign_audience(campaign: Campaign) -> QuerySet[User]:
    """``audience_users`` of ``campaign``'s audience."""
    return audience_users(
        audience=campaign.audience, inactive_days=campaign.inactive_days, tier_slug=campaign.tier_slug
    )


def campaign_list() -> QuerySet[Campaign]:
    """Every campaign of the site, newest first, with its author (admins: the view checks)."""
    return Campaign.objects.select_related("created_by").order_by("-created_at", "-id")


def campaign_recipients(*, campaign: Campaign, status: str | None = None) -> QuerySet[CampaignRecipient]:
    """``campaign``'s recipient rows by id, optionally of one ``status``."""
    rows = CampaignRecipient.objects.filter(campaign=campaign).order_by("id")
    return rows.filter(status=status) if status else rows


def campaigns_due(*, now: datetime | None = None) -> QuerySet[Campaign]:
    """Scheduled campaigns whose ``scheduled_at`` has come (``now``: default the clock), oldest first."""
    return Campaign.objects.filter(status="scheduled", scheduled_at__lte=now or timezone.now()).order_by(
        "scheduled_at", "id"
    )


def is_subscribed(*, user: Any) -> bool:
    """Whether campaigns reach signed-in ``user``'s address (no opt-out recorded for it)."""
    return not is_opted_out(str(user.email))


def is_opted_out(email: str) -> bool:
    """Whether ``email`` (canonical) opted out of marketing e-mail."""
    return MarketingOptOut.objects.filter(email=email).exists()
