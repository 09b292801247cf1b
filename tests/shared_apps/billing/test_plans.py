"""Plans on the platform host: the public list, staff's writes and their rules, the Stripe sync."""

# Fixtures are imported from subs_helpers (no conftest: the folder is shared with other work), so
# test parameters named after them shadow the imports.
# ruff: noqa: F811

from __future__ import annotations

from typing import Any

import pytest
import stripe
from pytest_django import DjangoCaptureOnCommitCallbacks
from rest_framework.test import APIClient

from shared_apps.billing.models import Plan
from tests.api import error_code
from tests.fixture_types import ClientFor
from tests.shared_apps.billing.subs_helpers import (  # noqa: F401
    MakePlan,
    _no_real_stripe,
    localstripe,
    make_plan,
    nonstaff,
    staff,
    stripe_on,
)

PLANS = "/api/v1/plans/"
PRO = {"code": "pro", "name": "Pro", "price": "29.00", "currency": "usd", "interval": "month", "trial_days": 0}


def test_anyone_lists_the_public_plans_without_staff_fields(
    db: None, client_for: ClientFor, make_plan: MakePlan
) -> None:
    # given
    make_plan("trial", trial_days=14, limits={"users": 3})
    make_plan("pro", "29.00", limits={"users": None}, stripe_price_id="price_secret", application_fee_percent=5)
    make_plan("internal", "1.00", is_public=False)
    # when
    response = client_for(None).get(PLANS)
    # then
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert [row["code"] for row in rows] == ["trial", "pro"]
    assert set(rows[1]) == {"code", "name", "price", "currency", "interval", "trial_days", "limits"}
    assert rows[1]["price"] == "29.00" and rows[1]["limits"] == {"users": None}
    assert "price_secret" not in response.content.decode()


def test_the_plan_list_costs_the_same_queries_for_many_plans(
    db: None, client_for: ClientFor, make_plan: MakePlan, django_assert_max_num_queries: Any
) -> None:
    # given
    for n in range(15):
        make_plan(f"plan-{n}", f"{n}.00")
    # when / then
    with django_assert_max_num_queries(4):
        assert client_for(None).get(PLANS).status_code == 200


def test_staff_see_every_plan_with_its_stripe_ids(staff: APIClient, make_plan: MakePlan) -> None:
    # given
    make_plan("internal", "1.00", is_public=False, stripe_price_id="price_x")
    # when
    rows = staff.get(PLANS).json()["results"]
    detail = staff.get(f"{PLANS}internal/").json()
    # then
    assert [row["code"] for row in rows] == ["internal"]
    assert detail["stripe_price_id"] == "price_x" and detail["is_public"] is False


@pytest.mark.parametrize("who", ["anonymous", "nonstaff"])
def test_only_staff_create_read_or_change_a_plan(
    who: str, client_for: ClientFor, nonstaff: APIClient, make_plan: MakePlan
) -> None:
    # given
    make_plan("trial")
    client = client_for(None) if who == "anonymous" else nonstaff
    expected = 401 if who == "anonymous" else 403
    # when
    created = client.post(PLANS, PRO, format="json")
    read = client.get(f"{PLANS}trial/")
    changed = client.patch(f"{PLANS}trial/", {"name": "Hacked"}, format="json")
    # then
    assert (created.status_code, read.status_code, changed.status_code) == (expected, expected, expected)
    assert error_code(created) in {"not_authenticated", "permission_denied"}
    assert not Plan.objects.filter(code="pro").exists()
    assert Plan.objects.get(code="trial").name == "Trial"


def test_staff_create_a_plan_with_limits(staff: APIClient) -> None:
    # when
    response = staff.post(PLANS, {**PRO, "limits": {"users": 10, "storage_mb": None}}, format="json")
    # then
    assert response.status_code == 201, response.content
    plan = Plan.objects.get(code="pro")
    assert (str(plan.price), plan.currency, plan.limits) == ("29.00", "USD", {"users": 10, "storage_mb": None})
    assert response.json()["stripe_price_id"] == ""  # Stripe is off: nothing synced


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"limits": {"unicorns": 1}}, "validation_error", "limits"),
        ({"limits": {"users": -1}}, "validation_error", "limits"),
        ({"limits": {"users": 1.5}}, "validation_error", "limits"),
        ({"limits": ["users"]}, "validation_error", "limits"),
        ({"currency": "XXQ"}, "invalid_currency", "currency"),
        ({"price": "10.005"}, "validation_error", "price"),
        ({"price": "-1"}, "validation_error", "price"),
        ({"price": "10.5", "currency": "JPY"}, "invalid_amount", "price"),
        ({"interval": "week"}, "validation_error", "interval"),
        ({"application_fee_percent": "100.01"}, "validation_error", "application_fee_percent"),
        ({"trial_days": -1}, "validation_error", "trial_days"),
        ({"code": "has space"}, "validation_error", "code"),
    ],
)
def test_a_plan_breaking_a_rule_is_refused(staff: APIClient, change: dict[str, Any], code: str, field: str) -> None:
    # when
    response = staff.post(PLANS, {**PRO, **change}, format="json")
    # then
    assert response.status_code == 400, response.content
    assert error_code(response) == code
    assert field in response.json()["error"]["details"]
    assert not Plan.objects.exists()


def test_a_taken_code_is_a_conflict(staff: APIClient, make_plan: MakePlan) -> None:
    # given
    make_plan("pro")
    # when
    response = staff.post(PLANS, PRO, format="json")
    # then
    assert response.status_code == 409
    assert Plan.objects.count() == 1


def test_staff_change_a_plan_but_never_its_code(staff: APIClient, make_plan: MakePlan) -> None:
    # given
    make_plan("pro", "29.00")
    # when
    renamed = staff.patch(f"{PLANS}pro/", {"name": "Pro+", "limits": {"users": 5}}, format="json")
    recoded = staff.patch(f"{PLANS}pro/", {"code": "other"}, format="json")
    put = staff.put(f"{PLANS}pro/", PRO, format="json")
    # then
    assert renamed.status_code == 200, renamed.content
    assert (renamed.json()["name"], renamed.json()["limits"]) == ("Pro+", {"users": 5})
    assert recoded.status_code == 400 and error_code(recoded) == "validation_error"
    assert put.status_code == 405
    assert Plan.objects.get().code == "pro"


def test_an_unknown_plan_is_not_found(staff: APIClient) -> None:
    # when
    response = staff.patch(f"{PLANS}nope/", {"name": "X"}, format="json")
    # then
    assert response.status_code == 404 and error_code(response) == "not_found"


# --- Stripe sync (localstripe through saas.dev.localstripe) ------------------------------------------


def _create(staff: APIClient, capture: DjangoCaptureOnCommitCallbacks, body: dict[str, Any]) -> Plan:
    with capture(execute=True):
        response = staff.post(PLANS, body, format="json")
    assert response.status_code == 201, response.content
    return Plan.objects.get(code=body["code"])


def _patch(staff: APIClient, capture: DjangoCaptureOnCommitCallbacks, code: str, body: dict[str, Any]) -> Plan:
    with capture(execute=True):
        response = staff.patch(f"{PLANS}{code}/", body, format="json")
    assert response.status_code == 200, response.content
    return Plan.objects.get(code=code)


def test_a_new_plan_gets_a_stripe_product_and_price(
    staff: APIClient,
    stripe_on: stripe.StripeClient,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # when
    plan = _create(staff, django_capture_on_commit_callbacks, {**PRO, "code": "sync-pro"})
    # then
    price = stripe_on.v1.prices.retrieve(plan.stripe_price_id)
    product = stripe_on.v1.products.retrieve(plan.stripe_product_id)
    assert (price.unit_amount, price.currency, price.recurring.interval) == (2900, "usd", "month")
    assert price.product == plan.stripe_product_id and price.active is True
    assert product.name == "Pro"


def test_a_price_change_makes_a_new_price_and_archives_the_old_one(
    staff: APIClient,
    stripe_on: stripe.StripeClient,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given
    plan = _create(staff, django_capture_on_commit_callbacks, {**PRO, "code": "sync-reprice"})
    old_price, product = plan.stripe_price_id, plan.stripe_product_id
    # when
    plan = _patch(staff, django_capture_on_commit_callbacks, "sync-reprice", {"price": "39.00", "interval": "year"})
    # then
    assert plan.stripe_price_id != old_price and plan.stripe_product_id == product
    new = stripe_on.v1.prices.retrieve(plan.stripe_price_id)
    assert (new.unit_amount, new.recurring.interval, new.active) == (3900, "year", True)
    assert stripe_on.v1.prices.retrieve(old_price).active is False


def test_a_name_change_renames_the_product_and_keeps_the_price(
    staff: APIClient,
    stripe_on: stripe.StripeClient,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given
    plan = _create(staff, django_capture_on_commit_callbacks, {**PRO, "code": "sync-rename"})
    price = plan.stripe_price_id
    # when
    plan = _patch(staff, django_capture_on_commit_callbacks, "sync-rename", {"name": "Professional"})
    # then
    assert plan.stripe_price_id == price
    assert stripe_on.v1.products.retrieve(plan.stripe_product_id).name == "Professional"


def test_the_console_creates_a_plan_through_the_service(
    db: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # given
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.login(email="staff@localhost", password="correct-horse-battery-staple")
    body = {**PRO, "code": "console", "application_fee_percent": "0", "limits": '{"users": 2}', "is_public": "on"}
    # when
    refused = client.post("/admin/billing/plan/add/", {**body, "limits": '{"unicorns": 2}'})
    refused_kept = Plan.objects.filter(code="console").exists()
    created = client.post("/admin/billing/plan/add/", body)
    # then
    assert refused.status_code == 200 and b"Unknown limits" in refused.content and not refused_kept
    assert created.status_code == 302, created.content[:2000]
    plan = Plan.objects.get(code="console")
    assert (plan.currency, plan.limits) == ("USD", {"users": 2})
