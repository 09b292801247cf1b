"""The beat task's reminders and overdue notices: each sent once, whatever the number of runs;
the client notified and e-mailed (HTML and text), the admins told of an overdue installment."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.notifications.models import Notification
from tenant_apps.writing.special_orders.models import Installment
from tenant_apps.writing.special_orders.services import installments_remind
from tenant_apps.writing.special_orders.tasks import special_orders_remind
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import fund
from tests.tenant_apps.writing.special_orders.conftest import make_special, pay_url, special_url


def _verbs(writing: Writing, who: str, verb: str) -> int:
    with tenant_context(writing.tenant):
        return Notification.objects.filter(recipient=getattr(writing, who), verb=verb).count()


def test_a_reminder_goes_out_once_within_the_reminder_days(
    writing: Writing, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given: an accepted order, installment 1 due in 7 days; reminders 3 days ahead
    special = make_special(writing, "accepted")
    settings.WRITING_INSTALLMENT_REMINDER_DAYS = 3
    today = timezone.localdate()
    mail.outbox.clear()
    with tenant_context(writing.tenant), django_capture_on_commit_callbacks(execute=True):
        # when: the task runs 7 days ahead of time (nothing due), then 4 days later twice
        assert installments_remind(today=today) == {"reminded": [], "overdue": []}
        first = installments_remind(today=today + timedelta(days=4))
        second = installments_remind(today=today + timedelta(days=4))
        installment = Installment.objects.get(special_order=special, sequence=1)
    # then: one reminder, for installment 1, e-mailed once with both parts
    assert first == {"reminded": [installment.pk], "overdue": []}
    assert second == {"reminded": [], "overdue": []}
    assert installment.reminder_sent_at is not None
    assert _verbs(writing, "cleo", "special_order.installment_reminder") == 1
    reminders = [m for m in mail.outbox if "due soon" in m.subject]
    assert len(reminders) == 1 and reminders[0].to == [writing.cleo.email]
    message = reminders[0]
    assert isinstance(message, EmailMultiAlternatives)
    html = [str(body) for body, kind in message.alternatives if kind == "text/html"]
    assert html and "installment" in message.body.lower() and "Special order" in html[0]


def test_an_overdue_installment_is_flagged_and_notified_once(
    writing: Writing, django_capture_on_commit_callbacks: Any
) -> None:
    # given: installment 1 due in 7 days, unpaid
    special = make_special(writing, "accepted")
    eight_days_on = timezone.localdate() + timedelta(days=8)
    mail.outbox.clear()
    with tenant_context(writing.tenant), django_capture_on_commit_callbacks(execute=True):
        # when: the task runs the day after it fell due, twice
        first = installments_remind(today=eight_days_on)
        second = installments_remind(today=eight_days_on)
        installment = Installment.objects.get(special_order=special, sequence=1)
    # then: flagged once; cleo notified and e-mailed; the admin notified
    assert installment.pk in first["overdue"]
    assert second["overdue"] == []
    assert installment.overdue_at is not None
    assert _verbs(writing, "cleo", "special_order.installment_overdue") == 1
    assert _verbs(writing, "admin", "special_order.installment_overdue") == 1
    assert len([m for m in mail.outbox if "overdue" in m.subject]) == 1


def test_the_api_shows_an_installment_overdue(writing: Writing) -> None:
    # given: installment 1's due date has passed
    special = make_special(writing, "accepted")
    with tenant_context(writing.tenant):
        Installment.objects.filter(special_order=special, sequence=1).update(
            due_date=timezone.localdate() - timedelta(days=1)
        )
    # when
    plan = writing.client("cleo").get(special_url(special.pk)).json()["installments"]
    # then
    assert [i["is_overdue"] for i in plan] == [True, False]
    # and: paid late, it is no longer overdue
    fund(writing, "cleo", "50.00")
    paid = writing.client("cleo").post(pay_url(special.pk, 1)).json()["installments"]
    assert [i["is_overdue"] for i in paid] == [False, False]


def test_paid_and_unbilled_installments_are_never_reminded(writing: Writing) -> None:
    # given: a quoted order (not billed) and an in-progress one (installment 1 paid)
    make_special(writing, "quoted")
    make_special(writing, "in_progress")
    with tenant_context(writing.tenant):
        # when: long after every due date
        done = installments_remind(today=timezone.localdate() + timedelta(days=60))
        # then: only the in-progress order's unpaid installment 2
        flagged = list(Installment.objects.filter(pk__in=done["overdue"]).values_list("sequence", "status"))
    assert flagged == [(2, "pending")]


def test_the_task_runs_in_a_writing_site_and_does_nothing_elsewhere(writing: Writing, alpha: object) -> None:
    with tenant_context(writing.tenant):
        assert special_orders_remind() == {"reminded": [], "overdue": []}
    with tenant_context(alpha):
        assert special_orders_remind() == {"reminded": [], "overdue": []}
