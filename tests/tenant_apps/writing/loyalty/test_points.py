"""Points: awarded by other apps (idempotent by reference), earned on a completed paid order by
the tier's rate, taken back on a refund (never below zero), and the clients of a tier."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from saas.errors import ApplicationError, Conflict
from tenant_apps.writing.loyalty.models import LoyaltyAccount, PointsEntry, PointsKind
from tenant_apps.writing.loyalty.selectors import clients_in_tier
from tenant_apps.writing.loyalty.services import points_award
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.loyalty.conftest import balance, make_tiers, set_loyalty
from tests.tenant_apps.writing.orders.conftest import make_order


def test_points_award_is_idempotent_by_reference(writing: Writing) -> None:
    with tenant_context(writing.tenant):
        # when: the referrals app awards cleo twice with one reference
        first = points_award(user=writing.cleo, points=50, reason="Referral of carl", reference="referral:1:reward")
        again = points_award(user=writing.cleo, points=50, reason="Referral of carl", reference="referral:1:reward")
        # then: one entry, 50 points
        assert again.pk == first.pk
        assert first.kind == PointsKind.AWARD and first.points == 50 and first.remaining == 50
        assert LoyaltyAccount.objects.get(user=writing.cleo).balance == 50
        # and: the reference cannot name another account's operation
        with pytest.raises(Conflict) as error:
            points_award(user=writing.carl, points=5, reason="x", reference="referral:1:reward")
        assert error.value.code == "duplicate_reference"


@pytest.mark.parametrize("points", [0, -5, 1.5, True, "10"])
def test_points_award_refuses_what_is_not_a_positive_whole_number(writing: Writing, points: object) -> None:
    with tenant_context(writing.tenant), pytest.raises(ApplicationError) as error:
        points_award(user=writing.cleo, points=points, reason="x", reference="r:1")  # type: ignore[arg-type]
    assert error.value.status_code == 400


def test_clients_in_tier_follow_lifetime_spend(writing: Writing) -> None:
    # given: bronze 0, silver 100, gold 500; cleo spent 120, carl 600
    make_tiers(writing)
    with tenant_context(writing.tenant):
        for user, spend in ((writing.cleo, "120.00"), (writing.carl, "600.00")):
            LoyaltyAccount.objects.create(user=user, lifetime_spend=Decimal(spend))
        # then
        assert list(clients_in_tier("silver")) == [writing.cleo]
        assert list(clients_in_tier("gold")) == [writing.carl]
        assert list(clients_in_tier("bronze")) == []
        assert list(clients_in_tier("platinum")) == []


def test_a_completed_paid_order_earns_its_client_points_once(writing: Writing) -> None:
    # given: 1 point per unit; the default order costs 24.00
    set_loyalty(writing, points_per_unit=Decimal("1.00"))
    # when: cleo's order is completed
    order = make_order(writing, "completed")
    # then: 24 points, earned once, and the spend counted
    assert balance(writing, "cleo") == 24
    with tenant_context(writing.tenant):
        entry = PointsEntry.objects.get(order=order, kind=PointsKind.EARN)
        assert entry.reference == f"order:{order.pk}:earn" and entry.expires_at is not None
        assert LoyaltyAccount.objects.get(user=writing.cleo).lifetime_spend == Decimal("24.00")


def test_the_tier_bonus_raises_the_rate(writing: Writing) -> None:
    # given: cleo is silver (+10 %): she spent 150.00 before
    make_tiers(writing)
    set_loyalty(writing, points_per_unit=Decimal("2.00"))
    with tenant_context(writing.tenant):
        LoyaltyAccount.objects.create(user=writing.cleo, lifetime_spend=Decimal("150.00"))
    # when
    make_order(writing, "completed")
    # then: 24.00 x 2 x 1.10 = 52.8 -> 52
    assert balance(writing, "cleo") == 52
