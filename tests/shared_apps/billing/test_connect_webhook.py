"""The platform's Connect webhook (``POST /api/v1/billing/stripe/connect/webhook/``, platform host):
``account.updated`` keeps a site's Connect flags in step, once per event; events it does not handle
and unknown accounts are answered 200 ``ignored``. (Payment events:
tests/tenant_apps/payments/test_connect_payments.py.)"""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared_apps.billing.models import BillingAccount, BillingEvent
from shared_apps.tenancy.models import Tenant
from tests.api import error_code
from tests.fixture_types import ApiResponse, ClientFor
from tests.stripe_connect import CONNECT_WEBHOOK, connect_event, connect_site, fixture, sign

ACCOUNT = "acct_1QconnectAlpha01"


def _deliver(client_for: ClientFor, event: dict[str, Any], *, host_tenant: Tenant | None = None) -> ApiResponse:
    body = json.dumps(event)
    return client_for(host_tenant).generic(
        "POST", CONNECT_WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(body)
    )


def _onboarded(account_id: str = ACCOUNT) -> dict[str, Any]:
    return fixture("account") | {"id": account_id, "charges_enabled": True, "details_submitted": True}


def test_account_updated_stores_the_flags_once_and_a_replay_is_a_duplicate(
    alpha: Tenant, client_for: ClientFor
) -> None:
    # given: onboarding started, not finished
    connect_site(alpha, account_id=ACCOUNT, charges=False)
    event = connect_event(_onboarded(), "account.updated", account=ACCOUNT)
    # when
    first = _deliver(client_for, event)
    BillingAccount.objects.filter(tenant=alpha).update(connect_charges_enabled=False)  # changed since
    replay = _deliver(client_for, event)
    # then
    assert first.json() == {"received": True, "status": "processed", "outcome": "updated"}
    assert replay.json() == {"received": True, "status": "duplicate", "outcome": ""}
    account = BillingAccount.objects.get(tenant=alpha)
    assert (account.connect_charges_enabled, account.connect_details_submitted) == (False, True)
    recorded = BillingEvent.objects.get(event_id=event["id"])
    assert (recorded.type, recorded.account, recorded.tenant_id, recorded.outcome) == (
        "account.updated",
        ACCOUNT,
        alpha.pk,
        "updated",
    )


def test_account_updated_changes_only_the_named_accounts_site(
    alpha: Tenant, beta: Tenant, client_for: ClientFor
) -> None:
    # given
    connect_site(alpha, account_id=ACCOUNT, charges=False)
    connect_site(beta, account_id="acct_1QconnectBeta001", charges=False)
    # when
    _deliver(client_for, connect_event(_onboarded(), "account.updated", account=ACCOUNT))
    # then
    assert BillingAccount.objects.get(tenant=alpha).connect_charges_enabled is True
    assert BillingAccount.objects.get(tenant=beta).connect_charges_enabled is False


@pytest.mark.parametrize(
    ("event_type", "obj", "outcome"),
    [
        ("account.updated", {"id": "acct_1Qnobody0000000", "object": "account"}, "unknown_account"),
        ("charge.succeeded", {"id": "ch_1", "object": "charge", "metadata": {}}, "not_handled"),
        ("payment_intent.succeeded", {"id": "pi_1", "object": "payment_intent", "metadata": {}}, "not_handled"),
    ],
    ids=["unknown-account", "other-type", "intent-without-account"],
)
def test_events_it_does_not_handle_are_answered_ignored_and_change_nothing(
    alpha: Tenant, client_for: ClientFor, event_type: str, obj: dict[str, Any], outcome: str
) -> None:
    # given
    connect_site(alpha, account_id=ACCOUNT, charges=False)
    account = ACCOUNT if event_type == "charge.succeeded" else None
    # when
    response = _deliver(client_for, connect_event(obj, event_type, account=account))
    # then
    assert response.json() == {"received": True, "status": "ignored", "outcome": outcome}
    assert not BillingEvent.objects.exists()
    assert BillingAccount.objects.get(tenant=alpha).connect_charges_enabled is False


def test_the_connect_webhook_is_not_served_on_a_tenants_host(alpha: Tenant, client_for: ClientFor) -> None:
    # when
    response = _deliver(client_for, connect_event(_onboarded(), "account.updated", account=ACCOUNT), host_tenant=alpha)
    # then
    assert (response.status_code, error_code(response)) == (404, "not_found")


def test_without_the_connect_secret_the_webhook_is_unavailable(
    session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, settings: Any
) -> None:
    # given
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = ""
    # when
    response = _deliver(client_for, connect_event(_onboarded(), "account.updated", account=ACCOUNT))
    # then
    assert (response.status_code, error_code(response)) == (503, "payments_unavailable")
