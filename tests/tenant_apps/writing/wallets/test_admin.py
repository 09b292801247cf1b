"""Payout requests and top-ups in a writing site's admin: the site admin lists, filters, searches
and opens them (other roles are sent to the login page); approving, rejecting and marking paid
go through the API's services (the held money, the ledger, the audit row, the writer told) and a
refused move shows the service's reason and changes nothing; the list costs the same queries for
2 requests as for 10; a site never shows another site's requests."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.notifications.models import Notification
from tenant_apps.writing.wallets.models import PayoutRequest, PayoutStatus, WalletTopUp
from tenant_apps.writing.wallets.services import top_up_start
from tests.admin import (
    admin_client,
    admin_url,
    assert_admin_hides,
    assert_list_queries_fixed,
    messages_of,
    run_action,
    session_client,
)
from tests.factories.writing_bundles import stripe_on
from tests.factories.writing_wallets import PayoutRequestFactory
from tests.tenant_apps.writing.conftest import Writing, reload
from tests.tenant_apps.writing.wallets.conftest import amounts, books_balance, ledger_kinds, make_payout


def test_the_admin_lists_filters_searches_and_opens_payout_requests(writing: Writing) -> None:
    # given: wren's request and will's rejected one
    wrens = make_payout(writing, who="wren", amount="40.00")
    wills = make_payout(writing, "rejected", who="will", amount="15.00")
    client = admin_client(writing.tenant)
    # then: filtered by status, wren's only; searched by will's address, will's only
    requested = client.get(admin_url(PayoutRequest), {"status__exact": "requested"}).content.decode()
    assert f"payout #{wrens.pk} " in requested and f"payout #{wills.pk} " not in requested
    searched = client.get(admin_url(PayoutRequest), {"q": "will@"}).content.decode()
    assert f"payout #{wills.pk} " in searched and f"payout #{wrens.pk} " not in searched
    page = client.get(admin_url(PayoutRequest, "change", wills.pk))
    assert page.status_code == 200 and "Bank details missing." in page.content.decode()


def test_the_admin_lists_and_opens_top_ups(writing: Writing) -> None:
    # given: cleo's card top-up of 50.00, waiting for its payment (Stripe stood in for)
    with tenant_context(writing.tenant), stripe_on("pi_admin_top_up"):
        top_up = top_up_start(client=writing.cleo, amount="50.00").top_up
    client = admin_client(writing.tenant)
    # then: pending and cleo's, on the list; not among the credited ones; its page opens
    pending = client.get(admin_url(WalletTopUp), {"status__exact": "pending", "q": "cleo@"}).content.decode()
    assert f"/{top_up.pk}/change/" in pending and "cleo@golf.test" in pending
    credited = client.get(admin_url(WalletTopUp), {"status__exact": "credited"}).content.decode()
    assert f"/{top_up.pk}/change/" not in credited
    page = client.get(admin_url(WalletTopUp, "change", top_up.pk))
    assert page.status_code == 200 and "50.00" in page.content.decode()


@pytest.mark.parametrize("who", ["cleo", "wren", "eddie", "sue"])
def test_other_roles_are_sent_to_the_login_page(writing: Writing, who: str) -> None:
    payout = make_payout(writing, who="will")
    client = session_client(writing.tenant, getattr(writing, who))

    for url in (admin_url(PayoutRequest), admin_url(PayoutRequest, "change", payout.pk), admin_url(WalletTopUp)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_approving_then_marking_paid_pays_the_writer_out_of_their_wallet(writing: Writing) -> None:
    # given: wren earned 40.00 and asked for all of it (held)
    payout = make_payout(writing, who="wren", amount="40.00")
    assert amounts(writing, "wren") == (Decimal("0.00"), Decimal("40.00"))
    client = admin_client(writing.tenant)
    # when: the admin approves it, then marks it paid with the transfer's reference
    approved = run_action(client, PayoutRequest, "approve_payouts", [payout])
    paid = run_action(client, PayoutRequest, "mark_payouts_paid", [payout], reference="SEPA-0042")
    # then: paid, the money left the wallet by a payout ledger row; audited; wren told each time
    assert messages_of(approved) == ["1 approved."] and messages_of(paid) == ["1 marked paid."]
    done = reload(writing, payout)
    assert (done.status, done.reference, done.decided_by_id) == (PayoutStatus.PAID, "SEPA-0042", writing.admin.pk)
    assert amounts(writing, "wren") == (Decimal("0.00"), Decimal("0.00"))
    assert [kind for kind, *_ in ledger_kinds(writing, "wren")][-1] == "payout"
    assert books_balance(writing)
    with tenant_context(writing.tenant):
        for verb in ("writing_payout.approved", "writing_payout.paid"):
            assert AuditLogEntry.objects.filter(verb=verb, target_id=str(payout.pk), actor=writing.admin).exists()
            assert Notification.objects.filter(recipient=writing.wren, verb=verb).exists()


def test_rejecting_asks_why_and_releases_the_held_money(writing: Writing) -> None:
    payout = make_payout(writing, who="wren", amount="40.00")

    response = run_action(
        admin_client(writing.tenant), PayoutRequest, "reject_payouts", [payout], note="Bank details missing."
    )

    assert messages_of(response) == ["1 rejected."]
    rejected = reload(writing, payout)
    assert (rejected.status, rejected.note) == (PayoutStatus.REJECTED, "Bank details missing.")
    assert amounts(writing, "wren") == (Decimal("40.00"), Decimal("0.00"))
    with tenant_context(writing.tenant):
        assert Notification.objects.filter(recipient=writing.wren, verb="writing_payout.rejected").exists()


def test_a_paid_payout_is_not_rejected_and_a_requested_one_not_marked_paid(writing: Writing) -> None:
    # given: a paid request and a requested one
    paid = make_payout(writing, "paid", who="wren", amount="10.00")
    requested = make_payout(writing, who="will", amount="20.00")
    client = admin_client(writing.tenant)
    # when
    rejecting = run_action(client, PayoutRequest, "reject_payouts", [paid], note="Too late.")
    paying = run_action(client, PayoutRequest, "mark_payouts_paid", [requested], reference="X-1")
    # then: each says why, nothing moved
    assert [m.split(": ")[0] for m in messages_of(rejecting)] == [str(reload(writing, paid))]
    assert [m.split(": ")[0] for m in messages_of(paying)] == [str(reload(writing, requested))]
    assert reload(writing, paid).status == PayoutStatus.PAID
    assert reload(writing, requested).status == PayoutStatus.REQUESTED
    assert amounts(writing, "will") == (Decimal("0.00"), Decimal("20.00"))  # still held


def test_the_payout_list_costs_the_same_queries_for_2_and_for_10_requests(writing: Writing) -> None:
    # a new writer each, decided by the admin
    assert_list_queries_fixed(writing.tenant, PayoutRequest, lambda: PayoutRequestFactory(approved=True))


def test_a_site_never_shows_another_sites_payouts(writing: Writing, hotel: Tenant) -> None:
    with tenant_context(hotel):
        theirs = PayoutRequestFactory(amount="77.00")

    assert_admin_hides(writing.tenant, theirs, "77.00")
