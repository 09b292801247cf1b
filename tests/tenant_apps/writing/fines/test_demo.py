"""The fines demo seeds its three stories through the services, once."""

from __future__ import annotations

from decimal import Decimal

from django_tenants.utils import tenant_context

from tenant_apps.wallet.selectors import wallet_of
from tenant_apps.writing.fines.demo import LATE_TOPIC, MISSED_CHECK_IN, PLAGIARISM, seed
from tenant_apps.writing.fines.models import Fine, FineAppeal
from tests.factories import UserFactory
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import fund


def test_the_demo_seeds_a_forgiven_late_fine_a_rejected_appeal_and_one_waiting(writing: Writing) -> None:
    # given: the site's people (writer2 holds 10.00)
    fund(writing, "will", "10.00")
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
        # when: seeded twice
        seed(people)
        counts = (Fine.objects.count(), FineAppeal.objects.count())
        seed(people)
        # then: nothing more the second time
        assert (Fine.objects.count(), FineAppeal.objects.count()) == counts == (3, 3)
        late = Fine.objects.get(order__topic=LATE_TOPIC)
        assert late.order is not None
        # 5 started hours x 2 % of the order's total, deducted from the earning, then given back
        assert (late.kind, late.hours_late, late.status, late.appeal.status) == (
            "late_delivery",
            5,
            "reversed",
            "accepted",
        )
        assert late.amount == (late.order.total * Decimal("0.10")).quantize(Decimal("0.01"))
        assert wallet_of(user=writing.wren).balance == late.order.earning
        plagiarism = Fine.objects.get(reason=PLAGIARISM)
        assert (plagiarism.writer, plagiarism.appeal.status, plagiarism.deducted) == (
            writing.will,
            "rejected",
            Decimal("10.00"),
        )
        waiting = Fine.objects.get(reason=MISSED_CHECK_IN)
        assert (waiting.writer, waiting.appeal.status) == (people["writer3"], "pending")
