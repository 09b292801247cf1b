"""Returns, through the API and the services: request (window, quantities), receipt, inspection,
approval (refund from escrow or from the sellers, restock by condition, penalty) and rejection;
every refused transition; the interplay with the order's completion."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from saas.errors import ApplicationError
from tenant_apps.notifications.models import Notification
from tenant_apps.store.catalog.models import Product
from tenant_apps.store.orders.models import Order, OrderItem
from tenant_apps.store.orders.services import order_complete
from tenant_apps.store.returns import services
from tenant_apps.store.returns.models import ReturnRequest
from tenant_apps.store.shop.models import PointsEntry, StoreSettings
from tenant_apps.store.shop.services import seller_points, store_settings
from tenant_apps.wallet.models import LedgerEntry
from tenant_apps.wallet.services import wallet_open, wallet_payout
from tests.api import error_code
from tests.factories import ReturnRequestFactory, SellerAccountFactory
from tests.tenant_apps.store.conftest import Store
from tests.tenant_apps.store.returns.conftest import RETURNS, money, order_of, return_url

D = Decimal


def _verbs(user: Any) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("verb", flat=True))


def _after_wait(order: Order) -> Any:
    assert order.delivered_at is not None
    return order.delivered_at + timedelta(days=store_settings().completion_wait_days, seconds=1)


def _commission(percent: str) -> None:
    store_settings()
    StoreSettings.objects.filter(pk=1).update(commission_percent=D(percent), points_per_order=0)


# --- Requests ---------------------------------------------------------------------------------------


def test_a_buyer_requests_a_return_of_part_of_their_delivered_order(store: Store) -> None:
    # given
    with tenant_context(store.tenant):
        order = order_of(buyer=store.cal, courier=store.dave, lines=[(store.sam, "10.00", 3)])
        item = order.items.get()
    # when
    body = {"order": order.pk, "items": [{"order_item": item.pk, "quantity": 2}], "reason": "Too small."}
    response = store.client("cal").post(RETURNS, body, format="json")
    # then
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["status"], data["refund_amount"], data["reason"]) == ("requested", None, "Too small.")
    assert [(i["order_item"], i["quantity"], i["condition"]) for i in data["items"]] == [(item.pk, 2, "")]
    with tenant_context(store.tenant):
        assert "return.requested" in _verbs(store.sam)


@pytest.mark.parametrize("status", ["created", "processing", "shipped", "cancelled"])
def test_an_order_not_delivered_cannot_be_returned(store: Store, status: str) -> None:
    # given
    with tenant_context(store.tenant):
        order = order_of(buyer=store.cal, courier=store.dave, lines=[(store.sam, "10.00", 1)], to=status)
        item = order.items.get()
    # when
    body = {"order": order.pk, "items": [{"order_item": item.pk, "quantity": 1}], "reason": "Changed my mind."}
    response = store.client("cal").post(RETURNS, body, format="json")
    # then
    assert (response.status_code, error_code(response)) == (409, "order_not_delivered")


def test_the_return_window_closes_return_window_days_after_delivery(store: Store) -> None:
    with tenant_context(store.tenant):
        # given: a 7-day window
        store_settings()
        StoreSettings.objects.filter(pk=1).update(return_window_days=7)
        order = order_of(buyer=store.cal, courier=store.dave, lines=[(store.sam, "10.00", 2)])
        assert order.delivered_at is not None
        line = [services.ReturnLine(order_item=order.items.get().pk, quantity=1)]
        # when: on the last moment, then a second later
        last = order.delivered_at + timedelta(days=7)
        inside = services.return_create(buyer=store.cal, order_id=order.pk, lines=line, reason="x", now=last)
        with pytest.raises(ApplicationError) as late:
            services.return_create(
                buyer=store.cal, order_id=order.pk, lines=line, reason="x", now=last + timedelta(seconds=1)
            )
        # then
        assert inside.status == "requested"
        assert (late.value.code, late.value.status_code) == ("return_window_closed", 409)


def test_a_unit_is_in_at_most_one_open_or_approved_return(store: Store) -> None:
    with tenant_context(store.tenant):
        # given: 3 units bought; 2 in an approved return, 1 in a requested one
        order = order_of(buyer=store.cal, courier=store.dave, lines=[(store.sam, "10.00", 3)])
        item = order.items.get()
        ReturnRequestFactory(order=order, lines=[(item, 2)], approved=True)
        open_one = ReturnRequestFactory(order=order, lines=[(item, 1)])
    # when: one more unit
    body = {"order": order.pk, "items": [{"order_item": item.pk, "quantity": 1}], "reason": "Again."}
    refused = store.client("cal").post(RETURNS, body, format="json")
    # then
    assert (refused.status_code, error_code(refused)) == (400, "return_quantity_exceeded")
    assert refused.json()["error"]["details"]["items"] == [{"order_item": item.pk, "requested": 1, "available": 0}]
    # and once the open one is rejected, its unit may be asked for again
    with tenant_context(store.tenant):
        services.return_reject(return_id=open_one.pk, actor=store.admin, reason="Not in the parcel.")
    assert store.client("cal").post(RETURNS, body, format="json").status_code == 201


def test_more_units_than_bought_are_refused(store: Store) -> None:
    with tenant_context(store.tenant):
        order = order_of(buyer=store.cal, courier=store.dave, lines=[(store.sam, "10.00", 2)])
        item = order.items.get()
    body = {"order": order.pk, "items": [{"order_item": item.pk, "quantity": 3}], "reason": "All of it."}
    response = store.client("cal").post(RETURNS, body, format="json")
    assert (response.status_code, error_code(response)) == (400, "return_quantity_exceeded")


@pytest.mark.parametrize("case", ["other_orders_item", "twice", "no_reason", "no_items", "zero"])
def test_a_malformed_request_is_refused_with_400(store: Store, case: str) -> None:
    with tenant_context(store.tenant):
        order = order_of(buyer=store.cal, courier=store.dave, lines=[(store.sam, "10.00", 2)])
        other = order_of(buyer=store.cal, courier=store.dave, lines=[(store.sam, "10.00", 1)])
        item, foreign = order.items.get(), other.items.get()
    items: list[dict[str, int]] = {
        "other_orders_item": [{"order_item": foreign.pk, "quantity": 1}],
        "twice": [{"order_item": item.pk, "quantity": 1}, {"order_item": item.pk, "quantity": 1}],
        "no_reason": [{"order_item": item.pk, "quantity": 1}],
        "no_items": [],
        "zero": [{"order_item": item.pk, "quantity": 0}],
    }[case]
    body = {"order": order.pk, "items": items, "reason": "" if case == "no_reason" else "Broken."}
    response = store.client("cal").post(RETURNS, body, format="json")
    assert (response.status_code, error_code(response)) == (400, "validation_error")


# --- Transitions -----------------------------------------------------------------------------------

_ALLOWED = {
    "receive": {"requested"},
    "inspect": {"received"},
    "approve": {"inspected"},
    "reject": {"requested", "received", "inspected"},
}
_REFUSED = [
    (action, status)
    for action, allowed in _ALLOWED.items()
    for status in ("requested", "received", "inspected", "approved", "rejected")
    if status not in allowed
]


@pytest.mark.parametrize(("action", "status"), _REFUSED)
def test_every_other_transition_is_refused_with_409(store: Store, action: str, status: str) -> None:
    # given
    with tenant_context(store.tenant):
        order = order_of(buyer=store.cal, courier=store.dave, lines=[(store.sam, "10.00", 1)])
        made = ReturnRequestFactory(order=order, status=status)
        row = made.items.get()
    bodies: dict[str, dict[str, Any]] = {
        "receive": {},
        "inspect": {"items": [{"id": row.pk, "condition": "resellable"}]},
        "approve": {},
        "reject": {"reason": "No."},
    }
    body = bodies[action]
    # when
    response = store.client("admin").post(return_url(made.pk, action), body, format="json")
    # then
    assert (response.status_code, error_code(response)) == (409, "invalid_status_transition"), response.content
    with tenant_context(store.tenant):
        assert ReturnRequest.objects.get(pk=made.pk).status == status


def test_the_courier_receives_and_inspects_item_by_item(store: Store) -> None:
    # given
    with tenant_context(store.tenant):
        order = order_of(buyer=store.cal, courier=store.dave, lines=[(store.sam, "10.00", 1), (store.sid, "5.00", 1)])
        made = ReturnRequestFactory(order=order)
        one, two = made.items.order_by("id")
    dave = store.client("dave")
    # when
    received = dave.post(return_url(made.pk, "receive"))
    partial = dave.post(
        return_url(made.pk, "inspect"), {"items": [{"id": one.pk, "condition": "damaged"}]}, format="json"
    )
    body = {
        "items": [{"id": one.pk, "condition": "damaged"}, {"id": two.pk, "condition": "resellable"}],
        "notes": "Box torn.",
    }
    inspected = dave.post(return_url(made.pk, "inspect"), body, format="json")
    # then
    assert received.json()["status"] == "received"
    assert (partial.status_code, error_code(partial)) == (400, "validation_error")
    data = inspected.json()
    assert (data["status"], data["inspection_notes"]) == ("inspected", "Box torn.")
    assert [i["condition"] for i in data["items"]] == ["damaged", "resellable"]


# --- Approval: money, stock, points ----------------------------------------------------------------


def test_approving_a_return_of_a_delivered_order_releases_that_part_of_the_hold(store: Store) -> None:
    with tenant_context(store.tenant):
        # given: 3 x 10.00 and 1 x 4.00 held; 2 mugs back resellable, the tea damaged
        order = order_of(buyer=store.cal, courier=store.dave, lines=[(store.sam, "10.00", 3), (store.sam, "4.00", 1)])
        mug, tea = order.items.order_by("id")
        before = money(store.cal)
        made = ReturnRequestFactory(order=order, lines=[(mug, 2), (tea, 1)], received=True)
        mug_row, tea_row = made.items.order_by("id")
        conditions = [
            services.InspectedItem(id=mug_row.pk, condition="resellable"),
            services.InspectedItem(id=tea_row.pk, condition="damaged"),
        ]
        services.return_inspect(return_id=made.pk, actor=store.dave, items=conditions)
        stock = {p.pk: p.stock for p in Product.objects.filter(pk__in=[mug.product_id, tea.product_id])}
    # when
    response = store.client("admin").post(return_url(made.pk, "approve"), {}, format="json")
    # then
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["refund_amount"]) == ("approved", "24.00")
    with tenant_context(store.tenant):
        assert money(store.cal) == (before[0] + D("24.00"), before[1] - D("24.00"))
        entry = LedgerEntry.objects.get(reference=f"return:{made.pk}:refund")
        assert (entry.kind, entry.balance_delta, entry.held_delta) == ("escrow_release", D("24.00"), D("-24.00"))
        assert [i.returned_quantity for i in OrderItem.objects.filter(order=order).order_by("id")] == [2, 1]
        assert mug.product_id is not None and tea.product_id is not None
        after = {p.pk: p.stock for p in Product.objects.filter(pk__in=[mug.product_id, tea.product_id])}
        assert after == {mug.product_id: stock[mug.product_id] + 2, tea.product_id: stock[tea.product_id]}
        assert _verbs(store.cal)[-1] == "return.decided"
        assert "return.approved" in _verbs(store.sam)


def test_a_partly_returned_order_completes_and_pays_the_sellers_only_the_kept_units(store: Store) -> None:
    with tenant_context(store.tenant):
        # given: a 10 % commission; sam 2 x 10.00, sid 1 x 5.00; one of sam's units returned and approved
        _commission("10")
        order = order_of(buyer=store.cal, courier=store.dave, lines=[(store.sam, "10.00", 2), (store.sid, "5.00", 1)])
        mug = order.items.order_by("id").first()
        assert mug is not None
        ReturnRequestFactory(order=order, lines=[(mug, 1)], approved=True)
        sam_before, sid_before = money(store.sam)[0], money(store.sid)[0]
        # when
        order_complete(order_id=order.pk, now=_after_wait(order))
        # then: sam is paid 10.00 - 1.00, sid 5.00 - 0.50; the buyer holds nothing
        assert money(store.sam)[0] - sam_before == D("9.00")
        assert money(store.sid)[0] - sid_before == D("4.50")
        assert money(store.cal)[1] == D("0")
        assert LedgerEntry.objects.get(reference=f"order:{order.pk}:commission").held_delta == D("-1.50")


def test_an_open_return_blocks_completion_until_decided(store: Store) -> None:
    with tenant_context(store.tenant):
        order = order_of(buyer=store.cal, courier=store.dave, lines=[(store.sam, "10.00", 1)])
        made = ReturnRequestFactory(order=order, received=True)
        with pytest.raises(ApplicationError) as refused:
            order_complete(order_id=order.pk, now=_after_wait(order))
        assert refused.value.code == "return_pending"
        services.return_reject(return_id=made.pk, actor=store.admin, reason="Nothing arrived.")
        assert order_complete(order_id=order.pk, now=_after_wait(order)).status == "completed"


def test_approving_a_return_of_a_completed_order_takes_the_sellers_share_and_the_site_refunds_the_rest(
    store: Store,
) -> None:
    with tenant_context(store.tenant):
        # given: 10 % commission; sam sold 2 x 10.00 (received 18.00), sid 1 x 5.55 (received 4.99)
        _commission("10")
        order = order_of(buyer=store.cal, courier=store.dave, lines=[(store.sam, "10.00", 2), (store.sid, "5.55", 1)])
        order_complete(order_id=order.pk, now=_after_wait(order))
        mug, tea = order.items.order_by("id")
        cal, sam, sid = money(store.cal)[0], money(store.sam)[0], money(store.sid)[0]
        # when: one of sam's units and sid's unit come back
        made = ReturnRequestFactory(order=order, lines=[(mug, 1), (tea, 1)], approved=True, penalty_points=0)
        # then: the buyer gets 15.55; sam pays 9.00 (half of 18.00), sid 4.99 (all he got), the site 1.56
        assert made.refund_amount == D("15.55")
        assert money(store.cal)[0] - cal == D("15.55")
        assert (sam - money(store.sam)[0], sid - money(store.sid)[0]) == (D("9.00"), D("4.99"))
        site = LedgerEntry.objects.get(reference=f"return:{made.pk}:site")
        assert (site.kind, site.balance_delta, site.counterparty_id) == ("refund", D("1.56"), None)
        from_sam = LedgerEntry.objects.get(reference=f"return:{made.pk}:seller:{store.sam.pk}", wallet__user=store.sam)
        assert (from_sam.kind, from_sam.balance_delta) == ("refund", D("-9.00"))
        # returned_quantity keeps what the settlement did not capture
        assert [i.returned_quantity for i in OrderItem.objects.filter(order=order).order_by("id")] == [0, 0]
        # and the last unit of sam's: exactly what is left of what he received
        last = ReturnRequestFactory(order=order, lines=[(mug, 1)], approved=True)
        assert sam - money(store.sam)[0] == D("18.00")
        assert LedgerEntry.objects.get(reference=f"return:{last.pk}:site").balance_delta == D("1.00")


def test_a_seller_who_spent_the_money_blocks_the_approval_and_nothing_moves(store: Store) -> None:
    with tenant_context(store.tenant):
        # given: a completed order; sam paid out everything he had
        _commission("10")
        order = order_of(buyer=store.cal, courier=store.dave, lines=[(store.sam, "10.00", 1)])
        order_complete(order_id=order.pk, now=_after_wait(order))
        made = ReturnRequestFactory(order=order, inspected=True)
        wallet_payout(wallet=wallet_open(user=store.sam), amount=money(store.sam)[0])
        before = (money(store.cal), money(store.sam))
        product_id = order.items.get().product_id
        assert product_id is not None
        stock = Product.objects.get(pk=product_id).stock
        # when
        with pytest.raises(ApplicationError) as refused:
            services.return_approve(return_id=made.pk, actor=store.admin)
        # then
        assert (refused.value.code, refused.value.status_code) == ("insufficient_funds", 409)
        assert refused.value.details == {"user_id": store.sam.pk}
        assert ReturnRequest.objects.get(pk=made.pk).status == "inspected"
        assert (money(store.cal), money(store.sam)) == before
        assert Product.objects.get(pk=product_id).stock == stock
        assert money(store.sam)[0] == D("0")


def test_a_penalty_takes_points_from_each_seller_of_the_returned_items(store: Store) -> None:
    with tenant_context(store.tenant):
        # given: sam holds 30 points, sid 3
        SellerAccountFactory(seller=store.sam, points=30)
        SellerAccountFactory(seller=store.sid, points=3)
        order = order_of(buyer=store.cal, courier=store.dave, lines=[(store.sam, "10.00", 1), (store.sid, "5.00", 1)])
        made = ReturnRequestFactory(order=order, inspected=True)
    # when
    response = store.client("admin").post(return_url(made.pk, "approve"), {"penalty_points": 5}, format="json")
    refused = store.client("admin").post(return_url(made.pk, "approve"), {"penalty_points": -1}, format="json")
    # then: sid loses what he has (capped)
    assert response.json()["penalty_points"] == 5
    assert (refused.status_code, error_code(refused)) == (400, "validation_error")
    with tenant_context(store.tenant):
        assert (seller_points(store.sam), seller_points(store.sid)) == (25, 0)
        entry = PointsEntry.objects.get(reference=f"return:{made.pk}:{store.sam.pk}")
        assert (entry.kind, entry.delta) == ("return_penalty", -5)


def test_a_rejection_needs_a_reason_and_tells_the_buyer(store: Store) -> None:
    with tenant_context(store.tenant):
        made = ReturnRequestFactory(
            order=order_of(buyer=store.cal, courier=store.dave, lines=[(store.sam, "10.00", 1)]), received=True
        )
        before = money(store.cal)
    admin = store.client("admin")
    missing = admin.post(return_url(made.pk, "reject"), {"reason": ""}, format="json")
    response = admin.post(return_url(made.pk, "reject"), {"reason": "Used."}, format="json")
    assert (missing.status_code, error_code(missing)) == (400, "validation_error")
    assert (response.json()["status"], response.json()["decision_reason"]) == ("rejected", "Used.")
    with tenant_context(store.tenant):
        assert money(store.cal) == before
        note = Notification.objects.filter(recipient=store.cal, verb="return.decided").get()
        assert note.extra_data["reason"] == "Used."


def test_a_seller_sees_only_their_items_of_a_return(store: Store) -> None:
    with tenant_context(store.tenant):
        order = order_of(buyer=store.cal, courier=store.dave, lines=[(store.sam, "10.00", 1), (store.sid, "5.00", 1)])
        made = ReturnRequestFactory(order=order, approved=True)
    sam = store.client("sam").get(return_url(made.pk)).json()
    cal = store.client("cal").get(return_url(made.pk)).json()
    assert [i["seller"] for i in sam["items"]] == [store.sam.pk] and sam["refund_amount"] == "10.00"
    assert len(cal["items"]) == 2 and cal["refund_amount"] == "15.00"
