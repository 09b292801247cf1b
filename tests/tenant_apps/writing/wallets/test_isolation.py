"""One writing site's top-ups and payout requests are invisible from another (golf and hotel):
lists, ids, decisions, and a card payment's webhook delivered to the other site."""

from __future__ import annotations

from decimal import Decimal

import stripe
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.wallet.models import Wallet
from tenant_apps.writing.wallets.models import PayoutRequest, WalletTopUp
from tests.fixture_types import ClientFor, Deliver, Login
from tests.tenant_apps.payments import conftest as payments
from tests.tenant_apps.payments.conftest import fake_event, pay_intent
from tests.tenant_apps.writing.conftest import Writing, make_writing
from tests.tenant_apps.writing.wallets.conftest import PAYOUTS, TOP_UPS, amounts, make_payout, payout_url

_no_real_stripe = payments._no_real_stripe
localstripe = payments.localstripe
stripe_on = payments.stripe_on
deliver = payments.deliver


def test_golfs_payout_requests_are_not_hotels(
    writing: Writing, hotel: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given: a request on each site
    golf_payout = make_payout(writing)
    other = make_writing(hotel, client_for, login)
    hotel_payout = make_payout(other, amount="25.00")
    # then: each admin lists their own site's requests only
    assert [p["id"] for p in other.client("admin").get(PAYOUTS).json()["results"]] == [hotel_payout.pk]
    assert [p["id"] for p in writing.client("admin").get(PAYOUTS).json()["results"]] == [golf_payout.pk]
    # and golf's id is not found on hotel, nor decided there
    if golf_payout.pk != hotel_payout.pk:
        assert other.client("admin").get(payout_url(golf_payout.pk)).status_code == 404
        assert other.client("admin").post(payout_url(golf_payout.pk, "approve/"), {}, format="json").status_code == 404
    # and hotel's wren (a namesake) sees her own only
    assert [p["amount"] for p in other.client("wren").get(PAYOUTS).json()["results"]] == ["25.00"]
    with tenant_context(hotel):
        assert PayoutRequest.objects.filter(amount=golf_payout.amount).count() == 0


def test_a_golf_top_up_paid_through_hotels_webhook_credits_nothing_there(
    writing: Writing,
    hotel: Tenant,
    client_for: ClientFor,
    login: Login,
    stripe_on: stripe.StripeClient,
    deliver: Deliver,
) -> None:
    # given: golf's cleo started and paid a top-up
    other = make_writing(hotel, client_for, login)
    body = writing.client("cleo").post(TOP_UPS, {"amount": "50.00"}, format="json").json()
    assert pay_intent(stripe_on, body["payment_intent_id"]) == "succeeded"
    event = fake_event(stripe_on, body["payment_intent_id"], "payment_intent.succeeded")
    # when: the event reaches hotel's endpoint
    response = deliver(hotel, event)
    # then: ignored there; no wallet of hotel's changed, and hotel's cleo lists no top-up
    assert response.json()["outcome"] == "other_tenant"
    with tenant_context(hotel):
        assert not WalletTopUp.objects.exists()
        assert not Wallet.objects.filter(balance=Decimal("50.00")).exists()
    assert other.client("cleo").get(TOP_UPS).json()["results"] == []
    # and golf's own webhook credits golf's cleo
    deliver(writing.tenant, event)
    assert amounts(writing, "cleo") == (Decimal("50.00"), Decimal("0.00"))
