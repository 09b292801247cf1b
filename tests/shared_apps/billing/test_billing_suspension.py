"""A site suspended for billing answers 403 ``tenant_suspended`` (``details.reason: "billing"``)
except where its admin signs in and pays; staff's suspension closes everything; neither lifts the
other; the check costs no query."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shared_apps.billing.sync import billing_suspension_set
from shared_apps.tenancy.models import Tenant
from shared_apps.tenancy.services import tenant_transition
from tests.api import error_code
from tests.conftest import PASSWORD
from tests.fixture_types import ClientFor
from tests.shared_apps.billing.webhook_support import account_of, deliver, event, invoice, subscription, sweep

pytestmark = pytest.mark.django_db

SITE = "/api/v1/site/"
T0 = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)


def _billing_suspend(tenant: Tenant) -> None:
    billing_suspension_set(Tenant.objects.get(pk=tenant.pk), timezone.now())


def _reason(response: object) -> object:
    return response.json()["error"].get("details", {}).get("reason")  # type: ignore[attr-defined]


def test_a_site_suspended_for_billing_answers_403_tenant_suspended_with_reason_billing(
    alpha: Tenant, client_for: ClientFor
) -> None:
    # given
    _billing_suspend(alpha)
    # when
    response = client_for(alpha).get(SITE)
    # then
    assert response.status_code == 403 and error_code(response) == "tenant_suspended"
    assert _reason(response) == "billing"


def test_its_admin_can_still_sign_in_refresh_and_reach_billing(alpha: Tenant, client_for: ClientFor) -> None:
    # given
    _billing_suspend(alpha)
    client = client_for(alpha)
    # when
    login = client.post("/api/v1/auth/login/", {"email": "admin@alpha.test", "password": PASSWORD})
    refresh = client.post("/api/v1/auth/token/refresh/", {"refresh": login.json().get("refresh", "")})
    billing = client_for(alpha, login.json().get("access")).get("/api/v1/billing/")
    # then
    assert login.status_code == 200, login.content
    assert refresh.status_code == 200, refresh.content
    assert billing.status_code == 200, billing.content


@pytest.mark.parametrize(
    "path",
    ["/api/v1/auth/registration/", "/api/v1/auth/otp/request/", "/api/v1/auth/settings/", "/api/v1/users/"],
)
def test_a_site_suspended_for_billing_takes_no_sign_ups_or_codes(
    alpha: Tenant, client_for: ClientFor, path: str
) -> None:
    # given
    _billing_suspend(alpha)
    # when
    response = client_for(alpha).post(path, {"email": "newcomer@alpha.test"})
    # then
    assert response.status_code == 403 and error_code(response) == "tenant_suspended"
    assert _reason(response) == "billing"


def test_other_sites_are_not_affected(alpha: Tenant, beta: Tenant, client_for: ClientFor) -> None:
    _billing_suspend(alpha)
    assert client_for(beta).get(SITE).status_code == 200


def test_staff_suspension_still_closes_sign_in_and_billing(alpha: Tenant, client_for: ClientFor) -> None:
    # given
    tenant_transition(tenant=alpha, action="suspend")
    client = client_for(alpha)
    # when
    login = client.post("/api/v1/auth/login/", {"email": "admin@alpha.test", "password": PASSWORD})
    billing = client.get("/api/v1/billing/")
    # then
    for response in (login, billing):
        assert response.status_code == 403 and error_code(response) == "tenant_suspended"
        assert _reason(response) != "billing"


def test_resuming_by_staff_does_not_lift_a_billing_suspension(alpha: Tenant, client_for: ClientFor) -> None:
    # given: suspended by staff and for billing
    _billing_suspend(alpha)
    tenant_transition(tenant=alpha, action="suspend")
    # when: staff resume it
    tenant_transition(tenant=alpha, action="resume")
    # then: still closed, for billing
    response = client_for(alpha).get(SITE)
    assert response.status_code == 403 and _reason(response) == "billing"


def test_a_payment_does_not_lift_a_staff_suspension(alpha: Tenant, client_for: ClientFor) -> None:
    # given: cancelled (billing-suspended) and suspended by staff
    account_of(alpha)
    deliver(event("customer.subscription.updated", subscription(alpha, "unpaid")))
    tenant_transition(tenant=alpha, action="suspend")
    # when: the invoice is paid
    deliver(event("invoice.paid", invoice(alpha)))
    # then: the billing suspension is gone, staff's is not
    alpha.refresh_from_db()
    assert alpha.billing_suspended_at is None and alpha.status == "suspended"
    response = client_for(alpha).get(SITE)
    assert response.status_code == 403 and error_code(response) == "tenant_suspended" and _reason(response) is None


def test_failed_payment_grace_suspension_and_payment_resume_the_site(alpha: Tenant, client_for: ClientFor) -> None:
    # given: a failed payment; the site stays open during the grace period
    account_of(alpha)
    with time_machine.travel(T0, tick=False):
        deliver(event("customer.subscription.updated", subscription(alpha, "past_due")))
        open_in_grace = client_for(alpha).get(SITE).status_code
    # when: the grace period runs out and the hourly sweep runs
    with time_machine.travel(T0 + timedelta(days=7, minutes=5), tick=False):
        sweep()
        closed = client_for(alpha).get(SITE)
        login = client_for(alpha).post("/api/v1/auth/login/", {"email": "admin@alpha.test", "password": PASSWORD})
        # and the admin pays
        deliver(event("invoice.paid", invoice(alpha)))
        reopened = client_for(alpha).get(SITE)
    # then
    assert open_in_grace == 200
    assert closed.status_code == 403 and _reason(closed) == "billing"
    assert login.status_code == 200
    assert reopened.status_code == 200


def test_the_billing_check_costs_no_query(alpha: Tenant, client_for: ClientFor) -> None:
    # given: a billing-suspended site whose host is resolved once
    _billing_suspend(alpha)
    client = client_for(alpha)
    client.get(SITE)
    # when
    with CaptureQueriesContext(connection) as queries:
        responses = [client.get(SITE) for _ in range(5)]
    # then
    assert all(response.status_code == 403 for response in responses)
    assert queries.captured_queries == []
