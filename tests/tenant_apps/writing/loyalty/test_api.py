"""The loyalty API: a client's account and ledger, points to wallet credit, an admin's adjustment,
the programme's settings and tiers; expiry by the beat task and the take-back on a refund."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.wallet.models import LedgerEntry
from tenant_apps.wallet.selectors import wallet_of
from tenant_apps.writing.loyalty.models import LoyaltyAccount, LoyaltyTier, PointsEntry, PointsKind
from tenant_apps.writing.loyalty.services import points_award, points_expire_due
from tenant_apps.writing.loyalty.tasks import points_expire_due_task
from tenant_apps.writing.orders.models import Order, OrderStatus
from tests.factories.base import at
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.loyalty.conftest import LOYALTY, balance, make_tiers, set_loyalty
from tests.tenant_apps.writing.orders.conftest import error_code, make_order, order_url


def _award(writing: Writing, who: str, points: int, reference: str) -> PointsEntry:
    with tenant_context(writing.tenant):
        return points_award(user=getattr(writing, who), points=points, reason="Gift", reference=reference)


def test_a_client_sees_their_account_tier_and_ledger(writing: Writing) -> None:
    make_tiers(writing)
    set_loyalty(writing, point_value=Decimal("0.01"))
    _award(writing, "cleo", 250, "gift:1")
    with tenant_context(writing.tenant):
        LoyaltyAccount.objects.filter(user=writing.cleo).update(lifetime_spend=Decimal("120.00"))
    # when
    me = writing.client("cleo").get(f"{LOYALTY}me/").json()
    entries = writing.client("cleo").get(f"{LOYALTY}me/entries/").json()
    # then
    assert (me["balance"], me["value"], me["lifetime_spend"]) == (250, "2.50", "120.00")
    assert (me["tier"]["slug"], me["next_tier"]["slug"]) == ("silver", "gold")
    assert [(e["kind"], e["points"], e["balance_after"]) for e in entries["results"]] == [("award", 250, 250)]


def test_a_client_without_points_sees_an_empty_account(writing: Writing) -> None:
    me = writing.client("carl").get(f"{LOYALTY}me/").json()
    assert (me["balance"], me["value"], me["tier"]) == (0, "0.00", None)


def test_a_client_redeems_points_for_wallet_credit(writing: Writing) -> None:
    set_loyalty(writing, point_value=Decimal("0.01"), minimum_redeem=100)
    _award(writing, "cleo", 1000, "gift:1")
    # when
    response = writing.client("cleo").post(f"{LOYALTY}me/redeem/", {"points": 600}, format="json")
    # then: 6.00 in her wallet, 400 points left
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["amount"], body["balance"], body["entry"]["kind"]) == ("6.00", 400, "redeem")
    with tenant_context(writing.tenant):
        assert wallet_of(user=writing.cleo).balance == Decimal("6.00")
        credit = LedgerEntry.objects.get(wallet__user=writing.cleo)
        assert credit.reference == f"loyalty:{body['entry']['id']}:credit" and credit.kind == "top_up"
    # and: more than her balance, or fewer than the minimum, is refused
    response = writing.client("cleo").post(f"{LOYALTY}me/redeem/", {"points": 401}, format="json")
    assert (response.status_code, error_code(response)) == (409, "insufficient_points")
    response = writing.client("cleo").post(f"{LOYALTY}me/redeem/", {"points": 99}, format="json")
    assert (response.status_code, error_code(response)) == (400, "validation_error")
    assert balance(writing, "cleo") == 400


def test_an_admin_adjusts_points_never_below_zero(writing: Writing) -> None:
    admin = writing.client("admin")
    response = admin.post(
        f"{LOYALTY}adjustments/", {"user": writing.cleo.pk, "points": 40, "reason": "Apology"}, format="json"
    )
    assert response.status_code == 201 and response.json()["kind"] == "adjust"
    response = admin.post(
        f"{LOYALTY}adjustments/", {"user": writing.cleo.pk, "points": -41, "reason": "Typo"}, format="json"
    )
    assert (response.status_code, error_code(response)) == (409, "insufficient_points")
    response = admin.post(
        f"{LOYALTY}adjustments/", {"user": writing.cleo.pk, "points": -40, "reason": "Typo"}, format="json"
    )
    assert response.status_code == 201 and response.json()["balance_after"] == 0
    response = admin.post(f"{LOYALTY}adjustments/", {"user": 999999, "points": 5, "reason": "x"}, format="json")
    assert response.status_code == 404
    # and: the admin sees the account and its ledger
    account_id = writing.client("admin").get(f"{LOYALTY}accounts/").json()["results"][0]["id"]
    entries = admin.get(f"{LOYALTY}accounts/{account_id}/entries/").json()["results"]
    assert [e["points"] for e in entries] == [-40, 40]


def test_an_admin_changes_the_settings_and_the_tiers(writing: Writing) -> None:
    admin = writing.client("admin")
    response = admin.patch(f"{LOYALTY}settings/", {"points_per_unit": "2.00", "minimum_redeem": 10}, format="json")
    assert response.status_code == 200 and response.json()["points_per_unit"] == "2.00"
    public = writing.client(None).get(f"{LOYALTY}settings/").json()
    assert (public["points_per_unit"], public["minimum_redeem"]) == ("2.00", 10)
    response = admin.post(
        f"{LOYALTY}tiers/",
        {"name": "Gold", "slug": "gold", "minimum_spend": "500.00", "bonus_percent": "25"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    tier_id = response.json()["id"]
    again = admin.post(f"{LOYALTY}tiers/", {"name": "G", "slug": "gold", "minimum_spend": "1"}, format="json")
    assert (again.status_code, error_code(again)) == (400, "validation_error")
    assert (
        admin.patch(f"{LOYALTY}tiers/{tier_id}/", {"bonus_percent": "30"}, format="json").json()["bonus_percent"]
        == "30.00"
    )
    assert [t["slug"] for t in writing.client(None).get(f"{LOYALTY}tiers/").json()["results"]] == ["gold"]
    assert admin.delete(f"{LOYALTY}tiers/{tier_id}/").status_code == 204
    with tenant_context(writing.tenant):
        assert not LoyaltyTier.objects.exists()


def test_points_expire_oldest_first_by_the_beat_task(writing: Writing) -> None:
    # given: 100 points a year ago (expiring after 365 days), 50 today; 30 spent since
    set_loyalty(writing, expiry_days=365)
    year_ago = timezone.now() - timedelta(days=366)
    with tenant_context(writing.tenant), at(year_ago):
        points_award(user=writing.cleo, points=100, reason="Old", reference="gift:old")
    _award(writing, "cleo", 50, "gift:new")
    writing.client("admin").post(
        f"{LOYALTY}adjustments/", {"user": writing.cleo.pk, "points": -30, "reason": "Spent"}, format="json"
    )
    # when: the task runs in golf
    with tenant_context(writing.tenant):
        expired = points_expire_due_task()
        # then: what was left of the old lot (70) expired; the new 50 stay
        assert expired == 70
        assert points_expire_due() == 0
        entry = PointsEntry.objects.get(kind=PointsKind.EXPIRE)
        assert (entry.points, entry.balance_after) == (-70, 50)
    assert balance(writing, "cleo") == 50


def test_a_refund_takes_the_points_back_and_records_what_was_already_spent(writing: Writing) -> None:
    # given: cleo's completed 24.00 order earned 24 points; she then spent 20 of them
    set_loyalty(writing, points_per_unit=Decimal("1.00"), minimum_redeem=1)
    order = make_order(writing, "completed")
    assert balance(writing, "cleo") == 24
    writing.client("cleo").post(f"{LOYALTY}me/redeem/", {"points": 20}, format="json")
    # and: an admin reopens it as cancelled to refund it (a refund after completion)
    with tenant_context(writing.tenant):
        Order.objects.filter(pk=order.pk).update(status=OrderStatus.CANCELLED, cancelled_at=timezone.now())
    # when: half of it (12.00) is refunded
    response = writing.client("admin").post(
        order_url(order.pk, "refunds/"), {"amount": "12.00", "reason": "Half late"}, format="json"
    )
    assert response.status_code == 201, response.json()
    # then: 12 points were due back; the 4 left were taken and 8 recorded as not taken back
    assert balance(writing, "cleo") == 0
    with tenant_context(writing.tenant):
        revoke = PointsEntry.objects.get(kind=PointsKind.REVOKE)
        assert (revoke.points, revoke.shortfall, revoke.balance_after) == (-4, 8, 0)
        assert LoyaltyAccount.objects.get(user=writing.cleo).lifetime_spend == Decimal("12.00")
