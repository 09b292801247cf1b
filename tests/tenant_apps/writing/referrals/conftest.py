"""Helpers of the writing referrals tests: URLs, a code's claim, a card payment whose succeeded
webhook carries a card fingerprint, and reading wallets and referrals back.

The reward is the site's default: 5.00 of wallet credit to each side (``WRITING_REFERRAL_REWARD_AMOUNT``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from saas.money import to_minor_units
from tenant_apps.payments.models import Payment
from tenant_apps.wallet.selectors import wallet_of
from tenant_apps.writing.referrals.models import Referral, ReferralCode, ReferralSettings
from tests.factories import InvoiceFactory, StripePaymentFactory
from tests.tenant_apps.payments.conftest import WEBHOOK, intent_event, sign
from tests.tenant_apps.writing.conftest import Writing

ME = "/api/v1/referrals/me/"
CLAIM = "/api/v1/referrals/claim/"
LIST = "/api/v1/referrals/"
SETTINGS = "/api/v1/referrals/settings/"
REWARD = Decimal("5.00")

_events = itertools.count(1)


def code_of(writing: Writing, who: str) -> str:
    """``who``'s referral code, read through ``GET /referrals/me/`` (created on first need)."""
    response = writing.client(who).get(ME)
    assert response.status_code == 200, response.content
    return str(response.json()["code"])


def claim(writing: Writing, who: str, code: str) -> Any:
    """``who`` claims ``code`` (``POST /referrals/claim/``); the response."""
    return writing.client(who).post(CLAIM, {"code": code}, format="json")


def balance(writing: Writing, user: Any) -> Decimal:
    """``user``'s wallet balance (0 without a wallet)."""
    with tenant_context(writing.tenant):
        return wallet_of(user=user).balance


def referral_of(writing: Writing, user: Any) -> Referral:
    """The referral that brought ``user``, read again."""
    with tenant_context(writing.tenant):
        return Referral.objects.get(referred=user)


def pay_by_card(writing: Writing, payer: Any, fingerprint: str) -> Payment:
    """``payer`` pays an invoice of 10.00 by card: a Stripe payment, then Stripe's signed
    ``payment_intent.succeeded`` webhook whose charge carries the card's ``fingerprint``."""
    import json

    with tenant_context(writing.tenant):
        invoice = InvoiceFactory(customer=payer, total="10.00")
        payment = StripePaymentFactory(invoice=invoice, payer=payer, payment_intent_id=f"pi_ref_{next(_events)}")
    minor = to_minor_units(payment.amount, invoice.currency)
    intent = {
        "id": payment.stripe_payment_intent_id,
        "object": "payment_intent",
        "amount": minor,
        "amount_received": minor,
        "currency": invoice.currency.lower(),
        "status": "succeeded",
        "metadata": {"tenant": writing.tenant.schema_name, "invoice": str(invoice.pk), "payment": str(payment.pk)},
        "latest_charge": {"id": "ch_1", "payment_method_details": {"card": {"fingerprint": fingerprint}}},
    }
    body = json.dumps(intent_event(intent, "payment_intent.succeeded", event_id=f"evt_ref_{next(_events)}"))
    response = writing.client(None).generic(
        "POST", WEBHOOK, body, content_type="application/json", secure=False, HTTP_STRIPE_SIGNATURE=sign(body)
    )
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "approved", response.content
    with tenant_context(writing.tenant):
        return Payment.objects.get(pk=payment.pk)


@pytest.fixture
def committed_referrals(committed: Callable[[Callable[[], Any]], Any]) -> Iterator[Callable[[Callable[[], Any]], Any]]:
    """The writing tests' ``committed``, deleting the referral rows (which name committed users and
    orders), the settings row and the loyalty points the completions earned before it cleans up
    the rest."""

    def drop() -> None:
        Referral.objects.all().delete()
        ReferralCode.objects.all().delete()
        ReferralSettings.objects.all().delete()
        drop_loyalty_rows()

    try:
        yield committed
    finally:
        committed(drop)


def drop_loyalty_rows() -> None:
    """Delete the committed loyalty points (completing an order earns some; they name the order
    and the client, which the writing tests' ``committed`` deletes next)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM writing_loyalty_pointsentry")
        cursor.execute("DELETE FROM writing_loyalty_loyaltyaccount")
