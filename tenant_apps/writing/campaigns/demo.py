"""Demo campaigns of a writing site (``seed``, wired into ``tenant_apps/writing/demo.py``).

* ``client2@`` has opted out of marketing e-mail (their own preference);
* "Spring offers" went to all clients: sent to ``client@``, ``client2@`` skipped (opted out), so its
  counts show 2 recipients, 1 sent, 1 skipped; its messages went to a local outbox;
* "We miss you" to clients inactive for 30 days is scheduled three days ahead (the beat starts it);
* "New writing guidelines" to writers is a draft.

Everything goes through the services; each campaign is made once (found by its subject), so a
second run adds nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test.utils import override_settings
from django.utils import timezone

SENT = "Spring offers for {{ first_name }}"
SCHEDULED = "We miss you, {{ first_name }}"
DRAFT = "New writing guidelines"


def seed(people: dict[str, Any]) -> None:
    """Create the demo campaigns and the opt-out described above, in the current writing schema,
    as ``people["admin"]``; idempotent. Messages go to a local outbox (demo addresses are not
    mailboxes)."""
    from tenant_apps.writing.campaigns import services
    from tenant_apps.writing.campaigns.models import Campaign, CampaignRecipient, OptOutSource, RecipientStatus

    admin = people["admin"]
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        services.marketing_opt_out(
            email=people["client2"].email, source=OptOutSource.PREFERENCE, user=people["client2"]
        )
        if not Campaign.objects.filter(subject=SENT).exists():
            campaign = services.campaign_create(
                actor=admin,
                subject=SENT,
                html="<p>Hello {{ first_name }},</p><p><b>10% off</b> every order placed this week.</p>",
                text="Hello {{ first_name }},\n\n10% off every order placed this week.",
                audience="all_clients",
            )
            services.campaign_start(pk=campaign.pk, actor=admin)
            pending = CampaignRecipient.objects.filter(campaign=campaign, status=RecipientStatus.PENDING)
            services.campaign_send_batch(
                campaign_id=campaign.pk, recipient_ids=list(pending.values_list("pk", flat=True))
            )
        if not Campaign.objects.filter(subject=SCHEDULED).exists():
            campaign = services.campaign_create(
                actor=admin,
                subject=SCHEDULED,
                html="<p>It has been a while, {{ first_name }}. Your next order ships with a free outline.</p>",
                text="It has been a while, {{ first_name }}. Your next order ships with a free outline.",
                audience="inactive_clients",
                inactive_days=30,
            )
            services.campaign_schedule(actor=admin, campaign=campaign, scheduled_at=timezone.now() + timedelta(days=3))
        if not Campaign.objects.filter(subject=DRAFT).exists():
            services.campaign_create(
                actor=admin,
                subject=DRAFT,
                html="<p>Please read the updated citation guidelines before your next order.</p>",
                text="Please read the updated citation guidelines before your next order.",
                audience="writers",
            )
