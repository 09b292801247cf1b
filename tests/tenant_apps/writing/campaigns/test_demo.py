"""The campaigns demo (``tenant_apps/writing/campaigns/demo.py``), run twice in golf with people
built from the writing fixture: what it makes, and that the second run adds nothing."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from tenant_apps.writing.campaigns.demo import seed
from tenant_apps.writing.campaigns.models import Campaign, CampaignRecipient, MarketingOptOut
from tests.factories import UserFactory
from tests.tenant_apps.writing.conftest import Writing


def _state() -> tuple[list[tuple[str, str, int, int, int]], list[str], int]:
    campaigns = list(
        Campaign.objects.order_by("id").values_list(
            "status", "audience", "recipients_count", "sent_count", "skipped_count"
        )
    )
    return campaigns, list(MarketingOptOut.objects.values_list("email", flat=True)), CampaignRecipient.objects.count()


def test_the_demo_makes_a_sent_a_scheduled_and_a_draft_campaign_once(writing: Writing) -> None:
    with tenant_context(writing.tenant):
        people = {
            "admin": writing.admin,
            "client": writing.cleo,
            "client2": writing.carl,
            "writer": writing.wren,
            "writer2": writing.will,
            "writer3": UserFactory(roles=["writer"]),
            "editor": writing.eddie,
            "support": writing.sue,
        }
        # when
        seed(people)
        first = _state()
        seed(people)
        # then: sent to cleo, carl skipped (opted out); one scheduled; one draft; once
        assert first == (
            [
                ("sent", "all_clients", 2, 1, 1),
                ("scheduled", "inactive_clients", 0, 0, 0),
                ("draft", "writers", 0, 0, 0),
            ],
            [writing.carl.email],
            2,
        )
        assert _state() == first
        assert Campaign.objects.get(status="scheduled").scheduled_at is not None
