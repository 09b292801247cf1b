"""Returns in the store's admin: pages for the admin only, receive / inspect / approve / reject
through the returns services (state, refund in the ledger, restock, penalty, audit, notifications)
and their refusals, fixed query counts, nothing of another store."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.notifications.models import Notification
from tenant_apps.store.catalog.models import Product
from tenant_apps.store.orders.models import Order, OrderStatus
from tenant_apps.store.returns.models import ItemCondition, ReturnRequest, ReturnStatus
from tenant_apps.store.shop.models import PointsEntry, PointsEntryKind
from tenant_apps.wallet.models import LedgerEntry
from tests.admin import (
    admin_client,
    admin_url,
    assert_list_queries_fixed,
    audit_verbs,
    messages_of,
    run_action,
    session_client,
)
from tests.conftest import host_of
from tests.factories import ReturnRequestFactory, SellerAccountFactory, StoreOrderFactory
from tests.tenant_apps.store.conftest import Store, reload

pytestmark = pytest.mark.django_db


def _delivered(store: Store, **fields: Any) -> Order:
    with tenant_context(store.tenant):
        return StoreOrderFactory(
            buyer=store.cal, seller=store.sam, courier=store.dave, status=OrderStatus.DELIVERED, **fields
        )


def _return(store: Store, **fields: Any) -> ReturnRequest:
    order = _delivered(store, quantity=2, price="15.00")
    with tenant_context(store.tenant):
        return ReturnRequestFactory(order=order, reason="Too small.", **fields)


def test_the_return_pages_answer_the_admin_and_send_others_to_sign_in(store: Store) -> None:
    # given
    found = _return(store)
    client = admin_client(store.tenant)
    # when
    listing = client.get(admin_url(ReturnRequest) + f"?status__exact=requested&q={found.order.number}")
    detail = client.get(admin_url(found, "change"))
    # then
    assert listing.status_code == 200 and str(found) in listing.content.decode()
    assert detail.status_code == 200 and "Too small." in detail.content.decode()
    assert str(found) not in client.get(admin_url(ReturnRequest) + "?status__exact=approved").content.decode()
    for user in (store.cal, store.dave):
        refused = session_client(store.tenant, user).get(admin_url(found, "change"))
        assert refused.status_code == 302 and refused["Location"].startswith("/admin/login/")


def test_a_return_goes_from_requested_to_approved_through_the_services(store: Store) -> None:
    # given: a return of 2 units at 15.00 of an order still in escrow; sam holds 20 points
    found = _return(store)
    with tenant_context(store.tenant):
        SellerAccountFactory(seller=store.sam, points=20)
        product_id = int(found.order.items.get().product_id or 0)
        stock = Product.objects.get(pk=product_id).stock
    client = admin_client(store.tenant)
    # when: received, inspected (resellable), approved with 5 penalty points
    received = run_action(client, ReturnRequest, "receive_returns", [found])
    inspect_form = run_action(client, ReturnRequest, "inspect_returns", [found])
    inspected = run_action(client, ReturnRequest, "inspect_returns", [found], condition="resellable", notes="Like new.")
    approved = run_action(client, ReturnRequest, "approve_returns", [found], penalty_points="5")
    # then
    assert "1 received." in messages_of(received)
    assert inspect_form.status_code == 200 and 'name="condition"' in inspect_form.content.decode()
    assert "1 inspected." in messages_of(inspected)
    assert "1 approved." in messages_of(approved)
    found = reload(store, found)
    assert (found.status, found.refund_amount, found.penalty_points) == (ReturnStatus.APPROVED, Decimal("30.00"), 5)
    assert (found.inspection_notes, found.decided_by_id) == ("Like new.", store.admin.pk)
    assert audit_verbs(store.tenant, found)[-3:] == ["return.received", "return.inspected", "return.approved"]
    with tenant_context(store.tenant):
        assert set(found.items.values_list("condition", flat=True)) == {ItemCondition.RESELLABLE}
        refund = LedgerEntry.objects.get(reference=f"return:{found.pk}:refund")
        assert refund.wallet.user_id == store.cal.pk and refund.balance_delta == Decimal("30.00")
        assert Product.objects.get(pk=product_id).stock == stock + 2
        penalty = PointsEntry.objects.get(account__seller=store.sam, kind=PointsEntryKind.RETURN_PENALTY)
        assert (penalty.delta, penalty.points_after) == (-5, 15)
        assert Notification.objects.filter(recipient=store.cal, verb="return.decided").exists()


def test_moves_out_of_order_are_refused_and_change_nothing(store: Store) -> None:
    # given: a requested return (not received, not inspected)
    found = _return(store)
    client = admin_client(store.tenant)
    # when
    approved = run_action(client, ReturnRequest, "approve_returns", [found], penalty_points="0")
    inspected = run_action(client, ReturnRequest, "inspect_returns", [found], condition="damaged")
    negative = run_action(client, ReturnRequest, "approve_returns", [found], penalty_points="-1")
    # then
    assert messages_of(approved) == [f"{found}: A return that is requested cannot be approved."]
    assert messages_of(inspected) == [f"{found}: A return that is requested cannot be inspected."]
    assert negative.status_code == 200 and "greater than or equal to 0" in negative.content.decode()
    assert reload(store, found).status == ReturnStatus.REQUESTED
    with tenant_context(store.tenant):
        assert not LedgerEntry.objects.filter(reference__startswith=f"return:{found.pk}:").exists()
        assert set(found.items.values_list("condition", flat=True)) == {""}


def test_rejecting_a_return_needs_a_reason_and_tells_the_buyer(store: Store) -> None:
    # given
    found = _return(store, received=True)
    client = admin_client(store.tenant)
    # when
    blank = run_action(client, ReturnRequest, "reject_returns", [found], reason="")
    rejected = run_action(client, ReturnRequest, "reject_returns", [found], reason="Worn.")
    again = run_action(client, ReturnRequest, "reject_returns", [found], reason="Worn.")
    # then
    assert blank.status_code == 200 and "This field is required." in blank.content.decode()
    assert "1 rejected." in messages_of(rejected)
    assert messages_of(again) == [f"{found}: A return that is rejected cannot be rejected."]
    found = reload(store, found)
    assert (found.status, found.decision_reason) == (ReturnStatus.REJECTED, "Worn.")
    assert audit_verbs(store.tenant, found).count("return.rejected") == 1
    with tenant_context(store.tenant):
        assert Notification.objects.filter(recipient=store.cal, verb="return.decided").count() == 1


def test_the_return_list_runs_as_many_queries_for_ten_rows_as_for_two(store: Store) -> None:
    assert_list_queries_fixed(store.tenant, ReturnRequest, lambda: _return(store))


def test_a_store_admin_sees_no_return_of_another_store(store: Store, delta: Tenant) -> None:
    with tenant_context(delta):
        theirs = ReturnRequestFactory(reason="Delta-only reason.")
    client = admin_client(store.tenant)
    detail = client.get(admin_url(theirs, "change"))
    assert detail.status_code in (302, 404) or "Delta-only reason." not in detail.content.decode()
    assert client.get(admin_url(theirs, "change"), HTTP_HOST=host_of(delta)).status_code == 302
