"""The special orders demo: every status, one paid in two installments, one overdue; a second
call adds nothing."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import tenant_context

from tenant_apps.notifications.models import Notification
from tenant_apps.writing.special_orders.demo import seed
from tenant_apps.writing.special_orders.models import Installment, SpecialOrder, SpecialOrderStatus
from tests.factories import UserFactory
from tests.tenant_apps.writing.conftest import Writing


def _counts() -> dict[str, int]:
    return {
        "special_orders": SpecialOrder.objects.count(),
        "installments": Installment.objects.count(),
        "notifications": Notification.objects.count(),
    }


def test_the_special_orders_demo_shows_every_state_and_a_second_run_adds_nothing(writing: Writing) -> None:
    with tenant_context(writing.tenant):
        people: dict[str, Any] = {
            "admin": writing.admin,
            "client": writing.cleo,
            "client2": writing.carl,
            "writer": writing.wren,
            "writer2": writing.will,
            "writer3": UserFactory(roles=["writer"]),
            "editor": writing.eddie,
            "support": writing.sue,
        }
        # when: it runs twice
        seed(people)
        counts = _counts()
        seed(people)
        # then: the second run added nothing
        assert _counts() == counts
        # every status
        assert set(SpecialOrder.objects.values_list("status", flat=True)) == set(SpecialOrderStatus.values)
        # one completed, paid in two installments
        completed = SpecialOrder.objects.get(status="completed")
        assert [i.status for i in completed.installments.order_by("sequence")] == ["paid", "paid"]
        # one with an overdue installment, flagged, the client and the admins told
        overdue = [i for i in Installment.objects.all() if i.is_overdue]
        assert len(overdue) == 1 and overdue[0].overdue_at is not None
        assert Notification.objects.filter(recipient=writing.carl, verb="special_order.installment_overdue").exists()
        assert Notification.objects.filter(recipient=writing.admin, verb="special_order.installment_overdue").exists()
        # the one in progress has its writer
        assert SpecialOrder.objects.get(status="in_progress").writer_id == writing.will.pk
