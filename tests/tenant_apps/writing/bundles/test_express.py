"""Express classes: admin-managed classes of orders priced by their own rule (``bundles/pricing.py``)
instead of the page-rate table, with their own deadline window and academic levels."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from saas.errors import ApplicationError
from tenant_apps.writing.bundles.models import ExpressOrder
from tenant_apps.writing.bundles.pricing import express_pricer
from tenant_apps.writing.orders.services import order_place
from tests.factories import DiscountFactory
from tests.tenant_apps.writing.bundles.conftest import (
    EXPRESS,
    err,
    express_url,
    make_express,
    make_purchase,
    pay_bundle_url,
)
from tests.tenant_apps.writing.conftest import Writing, reload
from tests.tenant_apps.writing.orders.conftest import fund, order_url


def _body(hours: float = 12, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "topic": "Lab report on titration",
        "academic_level": "undergraduate",
        "deadline": (timezone.now() + timedelta(hours=hours)).isoformat(),
        "pages": 3,
        "spacing": "double",
    }
    body.update(overrides)
    return body


def test_an_admin_adds_an_express_class_and_anyone_reads_it(writing: Writing) -> None:
    # when
    response = writing.client("admin").post(
        EXPRESS,
        {
            "name": "Overnight essay",
            "unit": "pages",
            "price": "25.00",
            "min_hours": 6,
            "max_hours": 24,
            "academic_levels": ["undergraduate", "high-school"],
        },
        format="json",
    )
    # then
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["slug"], created["currency"]) == ("overnight-essay", "USD")
    assert created["academic_levels"] == ["high-school", "undergraduate"]
    assert writing.client(None).get(express_url("overnight-essay")).json()["price"] == "25.00"


def test_an_express_class_refuses_a_window_upside_down_and_unknown_levels(writing: Writing) -> None:
    admin = writing.client("admin")
    body = {"name": "X", "unit": "pages", "price": "25.00", "min_hours": 24, "max_hours": 6}
    assert err(admin.post(EXPRESS, body, format="json")) == (400, "validation_error")
    body = {**body, "min_hours": 1, "academic_levels": ["no-such-level"]}
    assert err(admin.post(EXPRESS, body, format="json")) == (400, "validation_error")
    express = make_express(writing)
    assert err(admin.patch(express_url(express.slug), {"max_hours": 2}, format="json")) == (400, "validation_error")


def test_an_express_order_is_priced_by_its_class_not_by_the_table(writing: Writing) -> None:
    # given: 20.00 a page, deadlines 3 to 48 hours
    express = make_express(writing)
    # when: 3 pages due in 12 hours
    response = writing.client("cleo").post(express_url(express.slug, "orders/"), _body(), format="json")
    # then: 60.00, unpaid, linked to the class
    assert response.status_code == 201, response.content
    order = response.json()
    assert (order["status"], order["total"], order["price_per_page"]) == ("unpaid", "60.00", "20.00")
    with tenant_context(writing.tenant):
        assert ExpressOrder.objects.get(order_id=order["id"]).express_class_id == express.pk
    # and the quote says the same, single spacing doubling it
    quote = writing.client(None).post(express_url(express.slug, "quote/"), _body(spacing="single"), format="json")
    assert quote.status_code == 200, quote.content
    assert quote.json()["total"] == "120.00"


def test_a_per_assignment_class_charges_one_price_whatever_the_pages(writing: Writing) -> None:
    express = make_express(writing, per_assignment=True)
    response = writing.client("cleo").post(express_url(express.slug, "orders/"), _body(pages=5), format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["total"], response.json()["price_per_page"]) == ("45.00", "9.00")


def test_the_class_deadline_window_and_levels_are_enforced(writing: Writing) -> None:
    express = make_express(writing, academic_levels=["undergraduate"])
    cleo = writing.client("cleo")
    url = express_url(express.slug, "orders/")
    too_soon = cleo.post(url, _body(hours=1), format="json")
    assert err(too_soon) == (400, "validation_error") and "deadline" in too_soon.json()["error"]["details"]
    too_late = cleo.post(url, _body(hours=72), format="json")
    assert err(too_late) == (400, "validation_error")
    level = cleo.post(url, _body(academic_level="masters"), format="json")
    assert err(level) == (400, "validation_error") and "academic_level" in level.json()["error"]["details"]


def test_an_express_class_takes_no_extras(writing: Writing) -> None:
    express = make_express(writing)
    response = writing.client(None).post(
        express_url(express.slug, "quote/"), _body(extras=["plagiarism-report"]), format="json"
    )
    assert err(response) == (400, "validation_error") and "extras" in response.json()["error"]["details"]


def test_an_express_order_is_paid_like_any_other_from_the_wallet_or_a_bundle(writing: Writing) -> None:
    # given
    express = make_express(writing)
    cleo = writing.client("cleo")
    first = cleo.post(express_url(express.slug, "orders/"), _body(), format="json").json()
    second = cleo.post(express_url(express.slug, "orders/"), _body(), format="json").json()
    fund(writing, "cleo", "60.00")
    purchase = make_purchase(writing)
    # when / then
    assert cleo.post(order_url(first["id"], "pay/wallet/")).json()["status"] == "available"
    paid = cleo.post(pay_bundle_url(second["id"]), {"purchase": purchase.pk}, format="json")
    assert paid.json()["status"] == "available"
    assert reload(writing, purchase).remaining == 7


def test_an_inactive_class_is_hidden_and_takes_no_orders(writing: Writing) -> None:
    express = make_express(writing, is_active=False)
    assert err(writing.client("cleo").get(express_url(express.slug))) == (404, "not_found")
    assert err(writing.client("cleo").post(express_url(express.slug, "orders/"), _body(), format="json")) == (
        404,
        "not_found",
    )
    assert writing.client("admin").get(express_url(express.slug)).status_code == 200


def test_a_class_with_orders_is_not_deleted(writing: Writing) -> None:
    used, unused = make_express(writing), make_express(writing)
    writing.client("cleo").post(express_url(used.slug, "orders/"), _body(), format="json")
    admin = writing.client("admin")
    assert err(admin.delete(express_url(used.slug))) == (409, "product_has_purchases")
    assert admin.delete(express_url(unused.slug)).status_code == 204


def test_a_class_priced_in_another_currency_refuses_orders(writing: Writing) -> None:
    express = make_express(writing)
    with tenant_context(writing.tenant):
        type(express).objects.filter(pk=express.pk).update(currency="EUR")
    response = writing.client("cleo").post(express_url(express.slug, "orders/"), _body(), format="json")
    assert err(response) == (409, "currency_mismatch")
    assert Decimal(express.price) == Decimal("20.00")


def test_an_express_order_takes_no_discount_code_nor_points(writing: Writing) -> None:
    # given: a running 10 % code and the class's 60.00 order
    express = make_express(writing)
    with tenant_context(writing.tenant):
        code = DiscountFactory().code
    # when: the code and points are sent to the class's endpoints
    body = _body(discount_code=code, redeem_points=100)
    quote = writing.client("cleo").post(express_url(express.slug, "quote/"), body, format="json")
    placed = writing.client("cleo").post(express_url(express.slug, "orders/"), body, format="json")
    # then: the class's own price, untouched by them
    assert quote.status_code == 200, quote.content
    assert (quote.json()["total"], quote.json()["discount_total"], quote.json()["points_redeemed"]) == (
        "60.00",
        "0.00",
        0,
    )
    assert placed.status_code == 201 and placed.json()["total"] == "60.00"
    # and the service refuses them outright with a pricer
    with tenant_context(writing.tenant), pytest.raises(ApplicationError) as refused:
        order_place(
            client=writing.cleo,
            topic="Express",
            pricer=express_pricer(express),
            discount_code=code,
            **_service_terms(),
        )
    assert set(refused.value.details or {}) == {"discount_code"}


def _service_terms() -> dict[str, Any]:
    return {
        "academic_level": "undergraduate",
        "deadline": timezone.now() + timedelta(hours=12),
        "pages": 3,
        "spacing": "double",
    }
