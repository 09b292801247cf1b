"""Composing, previewing, sending and scheduling campaigns through the API, as an admin sees them:
the messages that leave (text and HTML, the unsubscribe link and the RFC 8058 headers), the
counts, and the rules on statuses."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import tenant_context
from pytest_django import Settings
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from tenant_apps.writing.campaigns import services
from tenant_apps.writing.campaigns.models import Campaign, CampaignRecipient
from tenant_apps.writing.campaigns.tasks import campaigns_start_due_task
from tests.factories.base import at
from tests.tenant_apps.writing.campaigns.conftest import (
    CAMPAIGNS,
    campaign_url,
    create,
    error_code,
    messages_to,
    unsubscribe_path,
)
from tests.tenant_apps.writing.conftest import Writing


def _send(writing: Writing, pk: Any, capture: DjangoCaptureOnCommitCallbacks) -> dict[str, Any]:
    with capture(execute=True):
        response = writing.client("admin").post(campaign_url(pk, "send/"), format="json")
    assert response.status_code == 200, response.content
    return dict(writing.client("admin").get(campaign_url(pk)).json())


def test_an_admin_composes_a_draft_whose_html_is_sanitised(writing: Writing) -> None:
    # when
    made = create(
        writing,
        html='<p onclick="steal()">Hi</p><script>alert(1)</script><a href="javascript:alert(1)">x</a>'
        '<a href="https://golf.example/offers">offers</a>',
    )
    # then: a draft, no script, no handler, no javascript: link; the safe link kept
    assert (made["status"], made["audience"], made["created_by"]) == ("draft", "all_clients", writing.admin.email)
    assert "script" not in made["html"] and "onclick" not in made["html"] and "javascript" not in made["html"]
    assert '<a href="https://golf.example/offers" rel="noopener noreferrer">offers</a>' in made["html"]
    assert made["counts"] == {"recipients": 0, "sent": 0, "failed": 0, "skipped_opted_out": 0, "pending": 0}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"text": ""}, "text"),
        ({"subject": "  "}, "subject"),
        ({"audience": "everyone"}, "audience"),
        ({"audience": "inactive_clients"}, "inactive_days"),
        ({"audience": "inactive_clients", "inactive_days": 0}, "inactive_days"),
    ],
)
def test_a_campaign_without_what_it_needs_is_refused(writing: Writing, overrides: dict[str, Any], field: str) -> None:
    from tests.tenant_apps.writing.campaigns.conftest import body

    # when
    response = writing.client("admin").post(CAMPAIGNS, body(**overrides), format="json")
    # then
    assert response.status_code == 400, response.content
    assert error_code(response) == "validation_error"
    assert field in response.json()["error"]["details"]


def test_the_preview_renders_for_the_first_recipient_and_counts_the_audience(writing: Writing) -> None:
    # given: carl opted out
    made = create(writing)
    writing.client("carl").put("/api/v1/marketing-preference/", {"subscribed": False}, format="json")
    # when
    response = writing.client("admin").post(campaign_url(made["id"], "preview/"), format="json")
    # then: cleo is the sample; two clients, one opted out; nothing sent
    assert response.status_code == 200, response.content
    preview = response.json()
    assert preview["sample_email"] == writing.cleo.email
    assert preview["subject"] == "Spring offers for Cleo"
    assert "Hello Cleo, <b>10% off</b>" in preview["html"] and "/api/v1/unsubscribe/" in preview["html"]
    assert "Hello Cleo, 10% off this week." in preview["text"]
    assert (preview["audience_size"], preview["opted_out"], preview["would_send"]) == (2, 1, 1)
    assert mail.outbox == []


def test_sending_mails_each_client_once_with_a_working_unsubscribe_link(
    writing: Writing, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # given
    made = create(writing)
    # when
    sent = _send(writing, made["id"], django_capture_on_commit_callbacks)
    # then: sent to cleo and carl, not to writers or staff
    assert sent["status"] == "sent" and sent["finished_at"]
    assert sent["counts"] == {"recipients": 2, "sent": 2, "failed": 0, "skipped_opted_out": 0, "pending": 0}
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        [writing.cleo.email, writing.carl.email]
    )
    [message] = messages_to(writing.cleo.email)
    assert message.subject == "Spring offers for Cleo"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "<b>10% off</b>" in html
    path = unsubscribe_path(message)
    assert path in html
    assert message.extra_headers["List-Unsubscribe"] == f"<https://golf.{_platform()}{path}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # and the link works without login: it unsubscribes cleo
    anonymous = writing.client(None)
    assert anonymous.get(path).json()["subscribed"] is True
    answer = anonymous.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200, answer.content
    assert answer.json()["subscribed"] is False
    assert writing.client("cleo").get("/api/v1/marketing-preference/").json() == {"subscribed": False}


def _platform() -> str:
    from tests.conftest import PLATFORM_HOST

    return PLATFORM_HOST


def test_opted_out_clients_are_skipped_and_counted(
    writing: Writing, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # given: carl unsubscribed with the link of a first campaign
    first = create(writing)
    _send(writing, first["id"], django_capture_on_commit_callbacks)
    writing.client(None).post(unsubscribe_path(messages_to(writing.carl.email)[0]))
    mail.outbox.clear()
    # when: a second campaign goes out
    second = _send(writing, create(writing, subject="More news")["id"], django_capture_on_commit_callbacks)
    # then: only cleo got it; carl counted as skipped
    assert [address for message in mail.outbox for address in message.to] == [writing.cleo.email]
    assert second["counts"] == {"recipients": 2, "sent": 1, "failed": 0, "skipped_opted_out": 1, "pending": 0}
    rows = writing.client("admin").get(campaign_url(second["id"], "recipients/"), {"status": "skipped"}).json()
    assert [row["email"] for row in rows["results"]] == [writing.carl.email]


def test_an_address_opted_out_after_the_snapshot_is_skipped_when_its_batch_runs(
    writing: Writing, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # given: sending started, its batches not run yet
    made = create(writing)
    with django_capture_on_commit_callbacks(execute=False) as batches:
        writing.client("admin").post(campaign_url(made["id"], "send/"), format="json")
    # when: carl opts out, then the batches run
    writing.client("carl").put("/api/v1/marketing-preference/", {"subscribed": False}, format="json")
    with tenant_context(writing.tenant):
        for callback in batches:
            callback()
    # then
    assert [address for message in mail.outbox for address in message.to] == [writing.cleo.email]
    counts = writing.client("admin").get(campaign_url(made["id"])).json()["counts"]
    assert (counts["sent"], counts["skipped_opted_out"]) == (1, 1)


def test_sending_goes_in_batches_of_the_configured_size(
    writing: Writing,
    settings: Settings,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: batches of one
    settings.WRITING_CAMPAIGN_BATCH_SIZE = 1
    enqueued: list[tuple[Any, ...]] = []
    real = services.enqueue_on_commit

    def spy(task: Any, *args: Any) -> None:
        enqueued.append(args)
        real(task, *args)

    monkeypatch.setattr(services, "enqueue_on_commit", spy)
    made = create(writing)
    # when
    sent = _send(writing, made["id"], django_capture_on_commit_callbacks)
    # then: one task per recipient, each of one row; all sent
    assert [len(args[1]) for args in enqueued] == [1, 1]
    assert sent["counts"]["sent"] == 2


def test_the_writers_audience_reaches_writers_only(
    writing: Writing, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # when
    _send(writing, create(writing, audience="writers")["id"], django_capture_on_commit_callbacks)
    # then
    assert sorted(a for m in mail.outbox for a in m.to) == sorted([writing.wren.email, writing.will.email])


def test_inactive_clients_are_those_without_orders_or_sign_ins_for_n_days(writing: Writing) -> None:
    from tenant_apps.accounts.models import User
    from tests.factories import UserFactory
    from tests.tenant_apps.writing.orders.conftest import make_order

    # given: every client joined 60 days ago; cleo ordered today; dora signed in yesterday;
    # carl and ed did neither (ed never signed in at all); fay joined 10 days ago
    long_ago, now = timezone.now() - timedelta(days=60), timezone.now()
    make_order(writing, "unpaid")
    with tenant_context(writing.tenant):
        dora = UserFactory(email="dora@golf.test", roles=["client"])
        ed = UserFactory(email="ed@golf.test", roles=["client"])
        fay = UserFactory(email="fay@golf.test", roles=["client"])
        User.objects.filter(pk__in=[writing.cleo.pk, writing.carl.pk, dora.pk, ed.pk]).update(date_joined=long_ago)
        User.objects.filter(pk=fay.pk).update(date_joined=now - timedelta(days=10))
        User.objects.filter(pk__in=[writing.cleo.pk, writing.carl.pk]).update(last_login=now - timedelta(days=45))
        User.objects.filter(pk=dora.pk).update(last_login=now - timedelta(days=1))
    made = create(writing, audience="inactive_clients", inactive_days=30)
    # when
    preview = writing.client("admin").post(campaign_url(made["id"], "preview/"), format="json").json()
    # then: carl and ed
    assert preview["audience_size"] == 2
    with tenant_context(writing.tenant):
        from tenant_apps.writing.campaigns.selectors import audience_users

        found = list(audience_users(audience="inactive_clients", inactive_days=30).values_list("email", flat=True))
    assert found == [writing.carl.email, "ed@golf.test"]


def test_scheduling_needs_a_future_time_and_the_beat_starts_it_when_due(
    writing: Writing, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # given
    made = create(writing)
    admin = writing.client("admin")
    past = (timezone.now() - timedelta(minutes=1)).isoformat()
    soon = timezone.now() + timedelta(hours=2)
    # when / then: the past is refused
    refused = admin.post(campaign_url(made["id"], "schedule/"), {"scheduled_at": past}, format="json")
    assert (refused.status_code, error_code(refused)) == (400, "validation_error")
    # when: scheduled in two hours
    scheduled = admin.post(campaign_url(made["id"], "schedule/"), {"scheduled_at": soon.isoformat()}, format="json")
    assert scheduled.status_code == 200, scheduled.content
    assert scheduled.json()["status"] == "scheduled"
    # then: the beat leaves it alone before its time
    with tenant_context(writing.tenant):
        assert campaigns_start_due_task() == []
    assert mail.outbox == []
    # and starts it once due
    with (
        tenant_context(writing.tenant),
        at(soon + timedelta(minutes=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert campaigns_start_due_task() == [made["id"]]
    assert len(mail.outbox) == 2
    assert admin.get(campaign_url(made["id"])).json()["status"] == "sent"


def test_a_cancelled_campaign_cannot_be_sent_nor_a_sent_one_edited(
    writing: Writing, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    admin = writing.client("admin")
    # given
    cancelled = create(writing)
    assert admin.post(campaign_url(cancelled["id"], "cancel/"), format="json").json()["status"] == "cancelled"
    sent = create(writing)
    _send(writing, sent["id"], django_capture_on_commit_callbacks)
    # when
    send_again = admin.post(campaign_url(cancelled["id"], "send/"), format="json")
    edit = admin.patch(campaign_url(sent["id"]), {"subject": "Changed"}, format="json")
    resend = admin.post(campaign_url(sent["id"], "send/"), format="json")
    # then
    for response in (send_again, edit, resend):
        assert (response.status_code, error_code(response)) == (409, "invalid_status_transition")
    assert len(mail.outbox) == 2


def test_an_admin_edits_a_draft(writing: Writing) -> None:
    # given
    made = create(writing)
    # when
    response = writing.client("admin").patch(
        campaign_url(made["id"]), {"audience": "inactive_clients", "inactive_days": 90, "html": "<i>x</i>"}
    )
    # then
    assert response.status_code == 200, response.content
    assert (response.json()["audience"], response.json()["inactive_days"], response.json()["html"]) == (
        "inactive_clients",
        90,
        "<i>x</i>",
    )
    assert response.json()["subject"] == made["subject"]


def test_a_cancelled_sending_campaign_sends_nothing_more(
    writing: Writing, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # given: sending started, its batches not run yet
    made = create(writing)
    with django_capture_on_commit_callbacks(execute=False) as batches:
        writing.client("admin").post(campaign_url(made["id"], "send/"), format="json")
    # when: cancelled before they run
    assert writing.client("admin").post(campaign_url(made["id"], "cancel/")).json()["status"] == "cancelled"
    with tenant_context(writing.tenant):
        for callback in batches:
            callback()
    # then
    assert mail.outbox == []
    assert writing.client("admin").get(campaign_url(made["id"])).json()["counts"]["pending"] == 2


def test_a_test_send_goes_to_the_admin_only(writing: Writing) -> None:
    # given
    made = create(writing)
    # when
    response = writing.client("admin").post(campaign_url(made["id"], "send-test/"))
    # then
    assert response.json() == {"sent_to": writing.admin.email}
    [message] = mail.outbox
    assert message.to == [writing.admin.email] and message.subject.startswith("[Test] Spring offers for")
    with tenant_context(writing.tenant):
        assert not CampaignRecipient.objects.exists()
        assert Campaign.objects.get(pk=made["id"]).status == "draft"


def test_a_refused_message_fails_at_once_and_a_transient_error_is_tried_again(
    writing: Writing,
    settings: Settings,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.core.mail import EmailMultiAlternatives

    from tenant_apps.emails.backends import SendGridRejected

    # given: SendGrid refuses cleo's message, carl's fails twice on the network, then goes
    settings.WRITING_CAMPAIGN_MAX_ATTEMPTS = 3
    carl_failures = [OSError("timed out"), OSError("timed out")]
    real_send = EmailMultiAlternatives.send

    def send(message: EmailMultiAlternatives, fail_silently: bool = False) -> int:
        if writing.cleo.email in message.to:
            raise SendGridRejected("SendGrid answered 400: bad address", 400)
        if writing.carl.email in message.to and carl_failures:
            raise carl_failures.pop(0)
        return int(real_send(message, fail_silently))

    monkeypatch.setattr(EmailMultiAlternatives, "send", send)
    # when: the batch runs again for carl (eagerly here; WRITING_CAMPAIGN_RETRY_SECONDS later in a worker)
    sent = _send(writing, create(writing)["id"], django_capture_on_commit_callbacks)
    # then
    assert sent["status"] == "sent"
    assert sent["counts"] == {"recipients": 2, "sent": 1, "failed": 1, "skipped_opted_out": 0, "pending": 0}
    rows = {
        row["email"]: row
        for row in writing.client("admin").get(campaign_url(sent["id"], "recipients/")).json()["results"]
    }
    assert (rows[writing.cleo.email]["status"], rows[writing.cleo.email]["attempts"]) == ("failed", 1)
    assert "bad address" in rows[writing.cleo.email]["error"]
    assert (rows[writing.carl.email]["status"], rows[writing.carl.email]["attempts"]) == ("sent", 2)


def test_transient_errors_give_up_after_the_configured_attempts(
    writing: Writing,
    settings: Settings,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.core.mail import EmailMultiAlternatives

    # given: the network is down
    settings.WRITING_CAMPAIGN_MAX_ATTEMPTS = 2

    def send(message: EmailMultiAlternatives, fail_silently: bool = False) -> int:
        raise OSError("network unreachable")

    monkeypatch.setattr(EmailMultiAlternatives, "send", send)
    # when
    sent = _send(writing, create(writing)["id"], django_capture_on_commit_callbacks)
    # then
    assert sent["status"] == "sent"
    assert sent["counts"] == {"recipients": 2, "sent": 0, "failed": 2, "skipped_opted_out": 0, "pending": 0}


def test_a_users_marketing_preference_is_theirs_to_change(writing: Writing) -> None:
    cleo = writing.client("cleo")
    # when / then
    assert cleo.get("/api/v1/marketing-preference/").json() == {"subscribed": True}
    assert cleo.put("/api/v1/marketing-preference/", {"subscribed": False}, format="json").json() == {
        "subscribed": False
    }
    assert writing.client("carl").get("/api/v1/marketing-preference/").json() == {"subscribed": True}
    assert cleo.put("/api/v1/marketing-preference/", {"subscribed": True}, format="json").json() == {"subscribed": True}
    assert cleo.get("/api/v1/marketing-preference/").json() == {"subscribed": True}


def test_a_tier_audience_reaches_the_clients_of_that_loyalty_tier(
    writing: Writing, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    from decimal import Decimal

    from tenant_apps.writing.loyalty.models import LoyaltyAccount
    from tests.factories import LoyaltyTierFactory

    # given: silver from 100.00, gold from 500.00; cleo spent 120.00 (silver), carl 600.00 (gold)
    with tenant_context(writing.tenant):
        LoyaltyTierFactory(name="Silver", slug="silver", minimum_spend=Decimal("100.00"))
        LoyaltyTierFactory(name="Gold", slug="gold", minimum_spend=Decimal("500.00"))
        for user, spend in ((writing.cleo, "120.00"), (writing.carl, "600.00")):
            LoyaltyAccount.objects.create(user=user, lifetime_spend=Decimal(spend))
    made = create(writing, audience="tier", tier_slug="gold")
    # when
    sent = _send(writing, made["id"], django_capture_on_commit_callbacks)
    # then: carl only
    assert made["tier_slug"] == "gold"
    assert [a for m in mail.outbox for a in m.to] == [writing.carl.email]
    assert sent["counts"]["recipients"] == 1


@pytest.mark.parametrize("tier_slug", [None, "", "platinum"])
def test_a_tier_audience_needs_an_existing_tier(writing: Writing, tier_slug: str | None) -> None:
    from tests.tenant_apps.writing.campaigns.conftest import body

    # when
    data = body(audience="tier") if tier_slug is None else body(audience="tier", tier_slug=tier_slug)
    response = writing.client("admin").post(CAMPAIGNS, data, format="json")
    # then
    assert (response.status_code, error_code(response)) == (400, "validation_error")
    assert "tier_slug" in response.json()["error"]["details"]
