"""Dunning: a failed payment starts a grace period the admins are told of; at its end the hourly
sweep suspends the site (once); a day before, the admins are reminded (once); a cancelled
subscription suspends at once; a payment resumes the site."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django_tenants.utils import tenant_context
from pytest_django import Settings

from shared_apps.billing.models import BillingAccount, BillingEvent
from shared_apps.billing.tasks import dunning_sweep_task
from shared_apps.tenancy.models import Tenant
from tenant_apps.notifications.models import Notification
from tests.shared_apps.billing.webhook_support import account_of, deliver, event, invoice, subscription, sweep

pytestmark = pytest.mark.django_db

T0 = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)


def _verbs(tenant: Tenant) -> list[str]:
    with tenant_context(tenant):
        return list(
            Notification.objects.filter(verb__startswith="billing.").order_by("id").values_list("verb", flat=True)
        )


def _subjects() -> list[str]:
    return [str(message.subject) for message in mail.outbox]


def _past_due(tenant: Tenant, when: datetime = T0) -> None:
    with time_machine.travel(when, tick=False):
        deliver(event("customer.subscription.updated", subscription(tenant, "past_due"), created=int(when.timestamp())))


def test_past_due_starts_the_grace_period_and_tells_the_admins_by_email_and_in_app(
    alpha: Tenant, settings: Settings
) -> None:
    # given
    settings.BILLING_GRACE_DAYS = 7
    account_of(alpha)
    # when
    _past_due(alpha)
    # then
    account = BillingAccount.objects.get(tenant=alpha)
    assert account.status == "past_due" and account.past_due_since == T0
    assert account.grace_ends_at == T0 + timedelta(days=7)
    assert [m.to for m in mail.outbox] == [["admin@alpha.test"]]
    assert "Payment failed" in mail.outbox[0].subject and "2030-03-08 12:00 UTC" in mail.outbox[0].body
    assert _verbs(alpha) == ["billing.past_due"]
    alpha.refresh_from_db()
    assert alpha.billing_suspended_at is None


def test_another_past_due_update_does_not_restart_the_grace_period_or_write_again(alpha: Tenant) -> None:
    # given
    account_of(alpha)
    _past_due(alpha)
    # when: Stripe's next retry fails, two days later
    _past_due(alpha, T0 + timedelta(days=2))
    # then
    assert BillingAccount.objects.get(tenant=alpha).grace_ends_at == T0 + timedelta(days=7)
    assert len(mail.outbox) == 1


def test_the_sweep_suspends_a_site_whose_grace_ended_and_only_then(alpha: Tenant) -> None:
    # given
    account_of(alpha)
    _past_due(alpha)
    mail.outbox.clear()
    # when: an hour before the end, then at the end
    with time_machine.travel(T0 + timedelta(days=7) - timedelta(hours=1), tick=False):
        before = sweep()
    alpha.refresh_from_db()
    suspended_before = alpha.billing_suspended_at
    with time_machine.travel(T0 + timedelta(days=7), tick=False):
        at_end = sweep()
    # then
    assert suspended_before is None and before.suspended == 0
    assert at_end.suspended == 1
    alpha.refresh_from_db()
    assert alpha.billing_suspended_at == T0 + timedelta(days=7)
    assert any("is suspended" in subject for subject in _subjects())
    assert "billing.suspended" in _verbs(alpha)


def test_the_sweep_run_again_suspends_nothing_more_and_writes_no_more(alpha: Tenant) -> None:
    # given: suspended by a sweep
    account_of(alpha)
    _past_due(alpha)
    with time_machine.travel(T0 + timedelta(days=8), tick=False):
        sweep()
        sent = len(mail.outbox)
        # when
        again = sweep()
    # then
    assert again.suspended == 0 and again.reminded == 0 and len(mail.outbox) == sent


def test_a_day_before_the_end_the_admins_are_reminded_once(alpha: Tenant) -> None:
    # given
    account_of(alpha)
    _past_due(alpha)
    mail.outbox.clear()
    # when: two hourly sweeps with less than a day left
    with time_machine.travel(T0 + timedelta(days=6, hours=1), tick=False):
        first = sweep()
    with time_machine.travel(T0 + timedelta(days=6, hours=2), tick=False):
        second = sweep()
    # then
    assert (first.reminded, second.reminded) == (1, 0)
    assert len(mail.outbox) == 1 and "will be suspended" in mail.outbox[0].subject
    alpha.refresh_from_db()
    assert alpha.billing_suspended_at is None
    assert _verbs(alpha) == ["billing.past_due", "billing.grace_ending"]


def test_a_site_in_good_standing_is_never_swept(alpha: Tenant) -> None:
    account_of(alpha)
    with time_machine.travel(T0 + timedelta(days=365), tick=False):
        report = sweep()
    assert report.suspended == 0 and report.reminded == 0


@pytest.mark.parametrize("status", ["canceled", "unpaid", "incomplete_expired"])
def test_a_cancelled_or_unpaid_subscription_suspends_the_site_at_once(alpha: Tenant, status: str) -> None:
    # given
    account_of(alpha)
    # when
    with time_machine.travel(T0, tick=False):
        deliver(event("customer.subscription.updated", subscription(alpha, status)))
    # then
    alpha.refresh_from_db()
    assert alpha.billing_suspended_at == T0
    assert BillingAccount.objects.get(tenant=alpha).status == status
    assert _verbs(alpha) == ["billing.suspended"]


def test_a_payment_resumes_a_suspended_site_and_tells_the_admins(alpha: Tenant) -> None:
    # given: suspended at the end of the grace period
    account_of(alpha)
    _past_due(alpha)
    with time_machine.travel(T0 + timedelta(days=8), tick=False):
        sweep()
    mail.outbox.clear()
    # when: the invoice is paid (newer API: the subscription under parent)
    with time_machine.travel(T0 + timedelta(days=9), tick=False):
        response = deliver(event("invoice.paid", invoice(alpha, new_api=True)))
    # then
    assert response.json()["outcome"] == "resumed"
    alpha.refresh_from_db()
    account = BillingAccount.objects.get(tenant=alpha)
    assert alpha.billing_suspended_at is None
    assert account.status == "active" and account.grace_ends_at is None and account.past_due_since is None
    assert _subjects() == ["Alpha is open again"]


def test_a_subscription_back_to_active_resumes_the_site(alpha: Tenant) -> None:
    account_of(alpha)
    with time_machine.travel(T0, tick=False):
        deliver(event("customer.subscription.updated", subscription(alpha, "unpaid"), created=int(T0.timestamp())))
        deliver(event("customer.subscription.updated", subscription(alpha, "active"), created=int(T0.timestamp()) + 5))
    alpha.refresh_from_db()
    assert alpha.billing_suspended_at is None
    assert "billing.resumed" in _verbs(alpha)


def test_a_paid_invoice_of_another_subscription_resumes_nothing(alpha: Tenant) -> None:
    account_of(alpha)
    deliver(event("customer.subscription.updated", subscription(alpha, "unpaid")))
    response = deliver(event("invoice.paid", invoice(alpha, subscription_id="sub_other")))
    assert response.json()["outcome"] == "no_change"
    alpha.refresh_from_db()
    assert alpha.billing_suspended_at is not None


def test_a_paid_invoice_of_a_site_in_good_standing_changes_nothing(alpha: Tenant) -> None:
    account_of(alpha)
    response = deliver(event("invoice.paid", invoice(alpha)))
    assert response.json()["outcome"] == "no_change" and mail.outbox == []


# --------------------------------------------------------------------------------------------
# Beat, commands
# --------------------------------------------------------------------------------------------


def test_the_sweep_is_an_hourly_beat_entry_run_once_in_the_public_schema() -> None:
    entry = django_settings.CELERY_BEAT_SCHEDULE["billing-dunning-sweep"]
    assert entry == {"task": "shared_apps.billing.tasks.dunning_sweep_task", "schedule": 3600.0, "public": True}


def test_the_sweep_task_sent_to_a_tenant_schema_does_nothing(alpha: Tenant) -> None:
    account_of(alpha)
    _past_due(alpha)
    with time_machine.travel(T0 + timedelta(days=8), tick=False), tenant_context(alpha):
        assert dunning_sweep_task() == {"suspended": 0, "reminded": 0}
    with time_machine.travel(T0 + timedelta(days=8), tick=False):
        assert dunning_sweep_task() == {"suspended": 1, "reminded": 0}


def test_the_sweep_command_can_end_a_sites_grace_period_now(alpha: Tenant, beta: Tenant) -> None:
    # given: two sites past due, grace running
    account_of(alpha)
    account_of(beta)
    _past_due(alpha)
    _past_due(beta)
    out = StringIO()
    # when
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        call_command("billing_dunning_sweep", "--end-grace", "alpha", stdout=out)
    # then: alpha only
    alpha.refresh_from_db()
    beta.refresh_from_db()
    assert alpha.billing_suspended_at is not None and beta.billing_suspended_at is None
    assert "suspended 1" in out.getvalue()


def test_the_test_webhook_command_signs_and_delivers_an_event_in_process(alpha: Tenant) -> None:
    # given
    account_of(alpha)
    out = StringIO()
    # when: past_due, then a replay of a chosen id
    call_command(
        "billing_test_webhook", "--tenant", "alpha", "--event", "customer.subscription.updated",
        "--status", "past_due", "--event-id", "evt_cmd_1", "--in-process", stdout=out,
    )  # fmt: skip
    call_command(
        "billing_test_webhook", "--tenant", "alpha", "--event", "customer.subscription.updated",
        "--status", "past_due", "--event-id", "evt_cmd_1", "--in-process", stdout=out,
    )  # fmt: skip
    # then
    assert BillingAccount.objects.get(tenant=alpha).status == "past_due"
    assert '"status":"processed"' in out.getvalue() and '"status":"duplicate"' in out.getvalue()
    assert BillingEvent.objects.filter(event_id="evt_cmd_1").count() == 1
