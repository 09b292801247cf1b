"""Auctions in the store's admin: pages for the admin only, approve / reject / close through the
auction services (state, audit, notifications, the winner's order) and their refusals, fixed query
counts, nothing of another store."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.notifications.models import Notification
from tenant_apps.store.auctions.models import Auction, AuctionStatus
from tenant_apps.store.orders.models import OrderSource
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
from tests.factories.store_auctions import AuctionFactory, BidFactory, end_auction
from tests.tenant_apps.store.conftest import Store, reload

pytestmark = pytest.mark.django_db


def test_the_auction_pages_answer_the_admin_and_send_others_to_sign_in(store: Store) -> None:
    # given: a live auction with a bid by cal
    with tenant_context(store.tenant):
        auction = AuctionFactory(seller=store.sam, title="Grandfather Clock", live=True)
        BidFactory(auction=auction, bidder=store.cal, amount="15.00")
    client = admin_client(store.tenant)
    # when
    listing = client.get(admin_url(Auction) + "?status__exact=scheduled&q=clock")
    detail = client.get(admin_url(auction, "change"))
    # then
    assert listing.status_code == 200 and "Grandfather Clock" in listing.content.decode()
    assert detail.status_code == 200
    assert "15.00" in detail.content.decode() and store.cal.email in detail.content.decode()  # the bids inline
    assert "Grandfather Clock" not in client.get(admin_url(Auction) + "?status__exact=pending").content.decode()
    refused = session_client(store.tenant, store.sam).get(admin_url(Auction))
    assert refused.status_code == 302 and refused["Location"].startswith("/admin/login/")


def test_approving_and_rejecting_auctions_are_the_apis_decisions(store: Store) -> None:
    # given
    with tenant_context(store.tenant):
        first = AuctionFactory(seller=store.sam, title="First")
        second = AuctionFactory(seller=store.sid, title="Second")
    client = admin_client(store.tenant)
    # when
    approved = run_action(client, Auction, "approve_auctions", [first])
    form = run_action(client, Auction, "reject_auctions", [second])
    rejected = run_action(client, Auction, "reject_auctions", [second], reason="Not for this site.")
    refused = run_action(client, Auction, "approve_auctions", [second])
    # then
    assert "1 approved." in messages_of(approved)
    assert form.status_code == 200 and 'name="reason"' in form.content.decode()
    assert "1 rejected." in messages_of(rejected)
    assert messages_of(refused) == ["Second: An auction that is rejected cannot be approved."]
    first, second = reload(store, first), reload(store, second)
    assert (first.status, first.decided_by_id) == (AuctionStatus.SCHEDULED, store.admin.pk)
    assert (second.status, second.rejection_reason) == (AuctionStatus.REJECTED, "Not for this site.")
    assert "auction.approved" in audit_verbs(store.tenant, first)
    assert "auction.rejected" in audit_verbs(store.tenant, second)
    with tenant_context(store.tenant):
        assert Notification.objects.filter(recipient=store.sam, verb="auction_approved").exists()
        assert Notification.objects.get(recipient=store.sid, verb="auction_rejected").extra_data["reason"] == (
            "Not for this site."
        )


def test_closing_an_ended_auction_makes_the_winners_order_and_a_live_one_is_refused(store: Store) -> None:
    # given: two live auctions with cal leading; one has ended
    with tenant_context(store.tenant):
        ended = AuctionFactory(seller=store.sam, title="Ended", live=True)
        running = AuctionFactory(seller=store.sam, title="Running", live=True)
        BidFactory(auction=ended, bidder=store.cal, amount="20.00")
        BidFactory(auction=running, bidder=store.cal, amount="20.00")
        ended = end_auction(ended)
    # when
    response = run_action(admin_client(store.tenant), Auction, "close_auctions", [ended, running])
    # then
    assert "1 closed." in messages_of(response)
    assert "Running: This auction has not ended yet." in messages_of(response)
    ended, running = reload(store, ended), reload(store, running)
    assert ended.status == AuctionStatus.CLOSED and running.status == AuctionStatus.SCHEDULED
    with tenant_context(store.tenant):
        order = ended.order
        assert order is not None
        assert (order.buyer_id, order.source, order.total) == (store.cal.pk, OrderSource.AUCTION, ended.current_price)
        assert Notification.objects.filter(recipient=store.cal, verb="auction_won").exists()
    assert "auction.closed" in audit_verbs(store.tenant, ended)
    assert "auction.closed" not in audit_verbs(store.tenant, running)


def test_the_auction_list_runs_as_many_queries_for_ten_rows_as_for_two(store: Store) -> None:
    assert_list_queries_fixed(
        store.tenant, Auction, lambda: BidFactory(auction=AuctionFactory(seller=store.sam, live=True))
    )


def test_a_store_admin_sees_no_auction_of_another_store(store: Store, delta: Tenant) -> None:
    with tenant_context(delta):
        theirs = AuctionFactory(title="Delta Only Vase")
    client = admin_client(store.tenant)
    detail = client.get(admin_url(theirs, "change"))
    assert detail.status_code in (302, 404) or "Delta Only Vase" not in detail.content.decode()
    assert "Delta Only Vase" not in client.get(admin_url(Auction) + "?q=vase").content.decode()
    assert client.get(admin_url(theirs, "change"), HTTP_HOST=host_of(delta)).status_code == 302
