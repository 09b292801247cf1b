"""Row locks of the writing campaigns app (see ``docs/architecture.md``, "Locks in one order").

* A campaign (``campaign_lock``), taken alone: editing, scheduling, starting to send (the
  snapshot of its audience), cancelling, and recounting its counters after a batch. Starting
  twice at once (an admin's "send now" and the beat task) is thus one start and one refusal.
* A recipient row (``recipient_lock``), taken alone, one per transaction: its batch sends the
  message while holding it and marks the row ``sent`` in the same transaction, so the same batch
  run twice (a retry after a crash, a duplicate delivery of the task) sends each message once:
  the second run waits, then finds the row no longer ``pending``.
* A user's marketing opt-out is a unique row per address (``MarketingOptOut.email``): no lock,
  ``get_or_create`` on the unique key.
"""

from __future__ import annotations

from typing import Any

from tenant_apps.writing.campaigns.models import Campaign, CampaignRecipient


def campaign_lock(pk: Any) -> Campaign:
    """Campaign ``pk``, locked until the transaction ends; raises ``Campaign.DoesNotExist``."""
    return Campaign.objects.select_for_update(no_key=True, of=("self",)).get(pk=pk)


def recipient_lock(pk: Any) -> CampaignRecipient:
    """Recipient row ``pk`` (with its user), locked until the transaction ends; raises
    ``CampaignRecipient.DoesNotExist``."""
    return CampaignRecipient.objects.select_for_update(no_key=True, of=("self",)).select_related("user").get(pk=pk)
