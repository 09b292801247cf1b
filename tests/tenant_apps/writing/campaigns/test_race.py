"""Races on committed rows, from threads with their own connections (as two workers or two
requests are).

1. The same batch run twice at once (a task delivered twice, a retry overlapping a slow first run):
   each row is sent under its lock (``locks.recipient_lock``) and marked ``sent`` in the same
   transaction, so the second run waits, finds it sent, and skips it: one message per address.
   Without the lock (a plain read), the second run reads the row ``pending``, waits (an event, not
   a pause) until the first has committed it ``sent``, and sends it again: two messages.
2. "Send now" twice at once (two admins, or an admin and the beat): under the campaign's lock
   (``locks.campaign_lock``) one starts and the other is refused 409 ``invalid_status_transition``;
   the audience is snapshotted once. Without it both pass the status check, and the second's
   snapshot meets the first's rows (the unique row per user) instead of a clean refusal.

Batches are not enqueued here (the tests run them); everything committed is deleted afterwards.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError

from saas.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.campaigns import services
from tenant_apps.writing.campaigns.models import Campaign, CampaignRecipient
from tests.concurrency import race
from tests.factories import CampaignFactory, UserFactory
from tests.factories.base import site_admin

PAUSE = 0.3

Committed = Callable[[Callable[[], Any]], Any]


def _clients() -> None:
    UserFactory(email="race-campaign-a@golf.test", roles=["client"])
    UserFactory(email="race-campaign-b@golf.test", roles=["client"])


def _a_started_campaign() -> tuple[int, list[int], list[str]]:
    """A campaign to all clients, started: its id, its pending rows' ids and addresses."""
    _clients()
    campaign = services.campaign_start(pk=CampaignFactory().pk, actor=site_admin())
    rows = CampaignRecipient.objects.filter(campaign=campaign, status="pending").order_by("id")
    return campaign.pk, list(rows.values_list("pk", flat=True)), list(rows.values_list("email", flat=True))


def _a_draft() -> int:
    _clients()
    return int(CampaignFactory().pk)


def _delete(committed: Committed, pk: int) -> None:
    committed(lambda: Campaign.objects.filter(pk=pk).delete())


def _batch(pk: int, ids: list[int]) -> Callable[[], Any]:
    return lambda: services.campaign_send_batch(campaign_id=pk, recipient_ids=ids)


def _mailed(addresses: list[str]) -> Counter[str]:
    return Counter(a for message in mail.outbox for a in message.to if a in addresses)


@pytest.fixture
def no_enqueue(monkeypatch: pytest.MonkeyPatch) -> None:
    """Starting a campaign enqueues no batch: the tests run them."""
    monkeypatch.setattr(services, "enqueue_on_commit", lambda *args, **kwargs: None)


def test_the_same_batch_run_twice_at_once_sends_each_message_once(
    golf: Tenant, committed: Committed, monkeypatch: pytest.MonkeyPatch, no_enqueue: None
) -> None:
    # given: a started campaign, committed; sending a message takes a while
    pk, ids, addresses = committed(_a_started_campaign)
    real_send = EmailMultiAlternatives.send

    def slow(message: EmailMultiAlternatives, fail_silently: bool = False) -> int:
        time.sleep(PAUSE)
        return int(real_send(message, fail_silently))

    monkeypatch.setattr(EmailMultiAlternatives, "send", slow)
    try:
        # when: the same batch runs twice at once
        outcomes = race([_batch(pk, ids), _batch(pk, ids)], tenant=golf)
        # then: every address got one message; the campaign is sent, counted once
        assert outcomes == [0, 0], outcomes
        assert _mailed(addresses) == Counter(dict.fromkeys(addresses, 1))
        campaign = committed(lambda: Campaign.objects.get(pk=pk))
        assert (campaign.status, campaign.sent_count, campaign.recipients_count) == ("sent", len(ids), len(ids))
    finally:
        _delete(committed, pk)


def test_without_the_row_lock_a_batch_run_twice_sends_a_message_twice(
    golf: Tenant, committed: Committed, monkeypatch: pytest.MonkeyPatch, no_enqueue: None
) -> None:
    # given: the row lock replaced by a plain read; the second run reads the row, then waits until
    # the first has committed it
    pk, ids, addresses = committed(_a_started_campaign)
    first_done = threading.Event()
    second = threading.local()
    unlocked = CampaignRecipient.objects.select_related("user")

    def read(row_pk: Any) -> CampaignRecipient:
        row = unlocked.get(pk=row_pk)
        if getattr(second, "is_it", False):
            assert first_done.wait(30), "the first run did not commit"
        return row

    def first() -> Any:
        try:
            return _batch(pk, ids[:1])()
        finally:
            first_done.set()

    def then() -> Any:
        second.is_it = True
        return _batch(pk, ids[:1])()

    monkeypatch.setattr(services, "recipient_lock", read)
    try:
        # when
        outcomes = race([first, then], tenant=golf)
        # then: the first address got the message twice
        assert outcomes == [0, 0], outcomes
        assert _mailed(addresses)[addresses[0]] == 2
    finally:
        _delete(committed, pk)


def _start(pk: int) -> Callable[[], Any]:
    return lambda: services.campaign_start(pk=pk, actor=site_admin())


def test_sending_now_twice_at_once_starts_once(
    golf: Tenant, committed: Committed, monkeypatch: pytest.MonkeyPatch, no_enqueue: None
) -> None:
    # given: a draft, committed; the locked status check held open
    pk = committed(_a_draft)
    real = services._ensure_status

    def slow(*args: Any) -> None:
        real(*args)
        time.sleep(PAUSE)

    monkeypatch.setattr(services, "_ensure_status", slow)
    try:
        # when
        outcomes = race([_start(pk), _start(pk)], tenant=golf)
        # then: one start, one 409; one row per user
        started = [o for o in outcomes if isinstance(o, Campaign)]
        refused = [o for o in outcomes if isinstance(o, ApplicationError)]
        assert (len(started), len(refused)) == (1, 1), outcomes
        assert (refused[0].status_code, refused[0].code) == (409, "invalid_status_transition")
        rows, users = committed(
            lambda: (
                CampaignRecipient.objects.filter(campaign_id=pk).count(),
                CampaignRecipient.objects.filter(campaign_id=pk).values("user").distinct().count(),
            )
        )
        assert rows == users == started[0].recipients_count >= 2
    finally:
        _delete(committed, pk)


def test_without_the_campaign_lock_both_starts_pass_the_status_check(
    golf: Tenant, committed: Committed, monkeypatch: pytest.MonkeyPatch, no_enqueue: None
) -> None:
    # given: the campaign lock replaced by a plain read; the second start checks the status, then
    # waits until the first has committed
    pk = committed(_a_draft)
    first_done = threading.Event()
    second = threading.local()
    real = services._ensure_status

    def check(*args: Any) -> None:
        real(*args)
        if getattr(second, "is_it", False):
            assert first_done.wait(30), "the first start did not commit"

    def first() -> Any:
        try:
            return _start(pk)()
        finally:
            first_done.set()

    def then() -> Any:
        second.is_it = True
        return _start(pk)()

    monkeypatch.setattr(services, "_ensure_status", check)
    monkeypatch.setattr(services, "campaign_lock", lambda campaign_pk: Campaign.objects.get(pk=campaign_pk))
    try:
        # when
        outcomes = race([first, then], tenant=golf)
        # then: no refusal; the second start snapshotted again and hit the first's rows
        assert isinstance(outcomes[0], Campaign), outcomes
        assert isinstance(outcomes[1], IntegrityError), outcomes
    finally:
        _delete(committed, pk)
