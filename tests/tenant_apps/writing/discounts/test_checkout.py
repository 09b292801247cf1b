"""Discount codes and campaigns through the quote and at placement (``pricing.quote``, one
service for both): negative ``discount`` lines that still add up to the total, the code's rules
(window, minimum, options, first order, limits), campaigns applied by themselves, one discount per
order, and a code's use given back when the unpaid order is cancelled. The issue's walk-through:
a client uses a discount code AND loyalty points on one order."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.payments.models import Invoice
from tenant_apps.writing.discounts.models import Discount, DiscountKind, DiscountUse
from tenant_apps.writing.loyalty.models import PointsEntry, PointsKind
from tenant_apps.writing.loyalty.services import points_award
from tenant_apps.writing.orders.models import Order
from tenant_apps.writing.pricing.models import OptionGroup, OrderOption
from tests.tenant_apps.writing.conftest import Writing, reload
from tests.tenant_apps.writing.discounts.conftest import QUOTE, line_amounts, make_discount, quote_body
from tests.tenant_apps.writing.loyalty.conftest import balance, set_loyalty
from tests.tenant_apps.writing.orders.conftest import ORDERS, error_code, fund, order_body, order_url


def _quote(writing: Writing, who: str | None, **body: Any) -> Any:
    return writing.client(who).post(QUOTE, quote_body(**body), format="json")


def _place(writing: Writing, who: str = "cleo", **body: Any) -> Any:
    return writing.client(who).post(ORDERS, order_body(**body), format="json")


def _uses(writing: Writing, discount: Discount) -> tuple[int, int]:
    """(the discount's uses_count, its unreleased uses)."""
    with tenant_context(writing.tenant):
        row = Discount.objects.get(pk=discount.pk)
        return row.uses_count, DiscountUse.objects.filter(discount=row, released_at__isnull=True).count()


def test_a_code_adds_a_negative_line_and_the_lines_add_up_to_the_total(writing: Writing) -> None:
    make_discount(writing, code="SAVE10")
    # when: anyone quotes with the code, in any case
    response = _quote(writing, None, discount_code="save10")
    # then: 10 % of 24.00 off
    assert response.status_code == 200, response.json()
    body = response.json()
    assert line_amounts(body) == {"pages": Decimal("24.00"), "discount": Decimal("-2.40")}
    assert (body["discount_code"], body["discount_total"], body["total"]) == ("SAVE10", "2.40", "21.60")
    assert sum(Decimal(line["amount"]) for line in body["lines"]) == Decimal(body["total"])


def test_a_fixed_discount_never_takes_the_price_below_zero(writing: Writing) -> None:
    make_discount(writing, code="BIG", kind=DiscountKind.FIXED, value=Decimal("100.00"))
    body = _quote(writing, "cleo", discount_code="BIG").json()
    assert (body["discount_total"], body["total"]) == ("24.00", "0.00")
    # and: an order of nothing to pay is not placed (nothing to invoice)
    response = _place(writing, discount_code="BIG")
    assert (response.status_code, error_code(response)) == (400, "invalid_amount")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"is_active": False}, "Not a valid discount code."),
        ({"expired": True}, "This code has expired."),
        ({"starts_at": timezone.now() + timedelta(days=2)}, "This code is not valid yet."),
        ({"minimum_order": Decimal("50.00")}, "This code needs an order of at least 50.00."),
    ],
)
def test_a_code_outside_its_rules_is_refused_with_the_reason(
    writing: Writing, fields: dict[str, Any], message: str
) -> None:
    make_discount(writing, code="RULES", **fields)
    response = _quote(writing, "cleo", discount_code="RULES")
    assert (response.status_code, error_code(response)) == (400, "invalid_discount_code")
    assert response.json()["error"]["details"]["discount_code"] == [message]


def test_an_unknown_code_is_refused(writing: Writing) -> None:
    response = _quote(writing, "cleo", discount_code="NOPE")
    assert (response.status_code, error_code(response)) == (400, "invalid_discount_code")


def test_a_code_for_some_academic_levels_only(writing: Writing) -> None:
    # given: a code for master's orders only
    with tenant_context(writing.tenant):
        masters = OrderOption.objects.get(group=OptionGroup.ACADEMIC_LEVEL, slug="masters")
    make_discount(writing, code="MASTERS", options=[masters])
    # then: refused on an undergraduate order, applied on a master's one
    response = _quote(writing, "cleo", discount_code="MASTERS")
    assert (response.status_code, error_code(response)) == (400, "invalid_discount_code")
    response = _quote(writing, "cleo", discount_code="MASTERS", academic_level="masters")
    assert response.status_code == 200 and "discount" in line_amounts(response.json())


def test_a_first_order_code_is_refused_to_a_client_with_an_order(writing: Writing) -> None:
    make_discount(writing, code="WELCOME", first_order_only=True)
    assert _quote(writing, "cleo", discount_code="WELCOME").status_code == 200
    assert _place(writing, discount_code="WELCOME").status_code == 201
    # when: cleo tries it again on a second order
    response = _place(writing, discount_code="WELCOME")
    assert (response.status_code, error_code(response)) == (400, "invalid_discount_code")
    assert response.json()["error"]["details"]["discount_code"] == ["This code is for a first order only."]


def test_placing_with_a_code_records_its_use_and_bills_the_discounted_total(writing: Writing) -> None:
    discount = make_discount(writing, code="SAVE10")
    # when
    response = _place(writing, discount_code="SAVE10")
    # then: the order and its invoice are 21.60
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["subtotal"], body["discount_total"], body["loyalty_total"], body["total"]) == (
        "24.00",
        "2.40",
        "0.00",
        "21.60",
    )
    assert line_amounts(body) == {"pages": Decimal("24.00"), "discount": Decimal("-2.40")}
    with tenant_context(writing.tenant):
        order = Order.objects.get(pk=body["id"])
        assert order.invoice is not None and order.invoice.total == Decimal("21.60")
        assert DiscountUse.objects.get(order=order).amount == Decimal("2.40")
    assert _uses(writing, discount) == (1, 1)


def test_a_one_use_code_is_used_once(writing: Writing) -> None:
    discount = make_discount(writing, code="ONCE", one_use=True)
    assert _place(writing, discount_code="ONCE").status_code == 201
    # when: carl tries it
    response = _place(writing, "carl", discount_code="ONCE")
    # then
    assert (response.status_code, error_code(response)) == (409, "discount_limit_reached")
    assert _uses(writing, discount) == (1, 1)


def test_a_code_limited_per_client(writing: Writing) -> None:
    make_discount(writing, code="TWICE", max_uses_per_client=1)
    assert _place(writing, discount_code="TWICE").status_code == 201
    response = _place(writing, discount_code="TWICE")
    assert (response.status_code, error_code(response)) == (409, "discount_limit_reached")
    assert _place(writing, "carl", discount_code="TWICE").status_code == 201


def test_cancelling_the_unpaid_order_gives_the_code_use_back(writing: Writing) -> None:
    discount = make_discount(writing, code="ONCE", one_use=True)
    order_id = _place(writing, discount_code="ONCE").json()["id"]
    # when: cleo cancels before paying
    response = writing.client("cleo").post(order_url(order_id, "cancel/"), {"reason": "Wrong topic"}, format="json")
    # then: the code is free again
    assert response.status_code == 200, response.json()
    assert _uses(writing, discount) == (0, 0)
    assert _place(writing, "carl", discount_code="ONCE").status_code == 201


def test_a_running_campaign_applies_by_itself_and_a_code_replaces_it(writing: Writing) -> None:
    make_discount(writing, campaign=True, kind=DiscountKind.FIXED, value=Decimal("3.00"), name="Autumn")
    make_discount(writing, code="SAVE10")
    # then: without a code, the campaign; with one, the code only
    body = _quote(writing, None).json()
    assert line_amounts(body)["discount"] == Decimal("-3.00") and body["discount_code"] == ""
    assert body["lines"][-1]["description"] == "Autumn (3.00 off)"
    body = _quote(writing, "cleo", discount_code="SAVE10").json()
    assert line_amounts(body)["discount"] == Decimal("-2.40") and body["total"] == "21.60"
    # and: the campaign is listed publicly, without its limits
    listed = writing.client(None).get("/api/v1/discounts/running/").json()
    assert [c["name"] for c in listed["results"]] == ["Autumn"] and "max_uses" not in listed["results"][0]


def test_an_ended_campaign_no_longer_applies(writing: Writing) -> None:
    make_discount(writing, campaign=True, expired=True)
    assert "discount" not in line_amounts(_quote(writing, None).json())


def test_a_client_uses_a_discount_code_and_loyalty_points_on_one_order(writing: Writing) -> None:
    # given: cleo holds 500 points (a point is worth 0.01); a 10 % code
    set_loyalty(writing, point_value=Decimal("0.01"), minimum_redeem=100)
    with tenant_context(writing.tenant):
        points_award(user=writing.cleo, points=500, reason="Welcome", reference="test:welcome")
    make_discount(writing, code="SAVE10")
    # when: she quotes, then places the order with both
    quoted = _quote(writing, "cleo", discount_code="SAVE10", redeem_points=500).json()
    response = _place(writing, discount_code="SAVE10", redeem_points=500)
    # then: 24.00 - 2.40 - 5.00 = 16.60, the same at placement as quoted
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (
        line_amounts(quoted)
        == line_amounts(body)
        == {
            "pages": Decimal("24.00"),
            "discount": Decimal("-2.40"),
            "loyalty": Decimal("-5.00"),
        }
    )
    assert (body["discount_total"], body["loyalty_total"], body["total"]) == ("2.40", "5.00", "16.60")
    assert quoted["total"] == "16.60" and quoted["points_redeemed"] == 500
    assert balance(writing, "cleo") == 0
    with tenant_context(writing.tenant):
        invoice = Invoice.objects.get(writing_order__pk=body["id"])
        assert invoice.total == Decimal("16.60")
        redeemed = PointsEntry.objects.get(reference=f"order:{body['id']}:redeem")
        assert (redeemed.kind, redeemed.points) == (PointsKind.REDEEM, -500)
    # and: she pays 16.60 from her wallet
    fund(writing, "cleo", "16.60")
    paid = writing.client("cleo").post(order_url(body["id"], "pay/wallet/"))
    assert paid.status_code == 200 and paid.json()["status"] == "available"


def test_a_code_that_does_not_combine_with_points_is_refused_with_them(writing: Writing) -> None:
    with tenant_context(writing.tenant):
        points_award(user=writing.cleo, points=500, reason="Welcome", reference="test:welcome")
    make_discount(writing, code="SOLO", stacks_with_loyalty=False)
    response = _quote(writing, "cleo", discount_code="SOLO", redeem_points=200)
    assert (response.status_code, error_code(response)) == (400, "validation_error")
    assert "redeem_points" in response.json()["error"]["details"]


def test_a_campaign_that_does_not_combine_with_points_steps_aside_for_them(writing: Writing) -> None:
    with tenant_context(writing.tenant):
        points_award(user=writing.cleo, points=500, reason="Welcome", reference="test:welcome")
    make_discount(writing, campaign=True, stacks_with_loyalty=False)
    body = _quote(writing, "cleo", redeem_points=200).json()
    assert line_amounts(body) == {"pages": Decimal("24.00"), "loyalty": Decimal("-2.00")}


def test_points_at_checkout_respect_the_balance_the_minimum_and_the_price(writing: Writing) -> None:
    set_loyalty(writing, point_value=Decimal("0.10"), minimum_redeem=50)
    with tenant_context(writing.tenant):
        points_award(user=writing.cleo, points=400, reason="Welcome", reference="test:welcome")
    # more than she holds
    response = _quote(writing, "cleo", redeem_points=401)
    assert (response.status_code, error_code(response)) == (409, "insufficient_points")
    # fewer than the minimum
    response = _quote(writing, "cleo", redeem_points=49)
    assert (response.status_code, error_code(response)) == (400, "validation_error")
    # worth more than the order: 400 points are 40.00 on a 24.00 order
    response = _quote(writing, "cleo", redeem_points=400)
    assert (response.status_code, error_code(response)) == (400, "validation_error")
    assert response.json()["error"]["details"]["redeem_points"] == ["At most 240 points on this order."]
    # anonymous
    response = _quote(writing, None, redeem_points=100)
    assert (response.status_code, error_code(response)) == (400, "validation_error")


def test_cancelling_the_unpaid_order_gives_the_points_back(writing: Writing) -> None:
    with tenant_context(writing.tenant):
        points_award(user=writing.cleo, points=300, reason="Welcome", reference="test:welcome")
    order_id = _place(writing, redeem_points=200).json()["id"]
    assert balance(writing, "cleo") == 100
    writing.client("cleo").post(order_url(order_id, "cancel/"), {"reason": "Oops"}, format="json")
    assert balance(writing, "cleo") == 300
    with tenant_context(writing.tenant):
        restored = PointsEntry.objects.get(reference=f"order:{order_id}:restore")
        assert (restored.kind, restored.points, restored.remaining) == (PointsKind.RESTORE, 200, 200)


def test_the_paid_order_earns_points_on_what_was_paid(writing: Writing) -> None:
    # given: cleo's 16.60 order (code and points), paid and walked to completed by the factory path
    set_loyalty(writing, points_per_unit=Decimal("1.00"))
    with tenant_context(writing.tenant):
        points_award(user=writing.cleo, points=500, reason="Welcome", reference="test:welcome")
    make_discount(writing, code="SAVE10")
    order_id = _place(writing, discount_code="SAVE10", redeem_points=500).json()["id"]
    with tenant_context(writing.tenant):
        from tenant_apps.writing.orders import services
        from tests.factories.base import site_admin
        from tests.factories.writing_orders import pay_from_wallet

        order = pay_from_wallet(Order.objects.get(pk=order_id))
        order = services.order_assign(order=order, writer=writing.wren, actor=site_admin())
        order = services.order_start(order=order, actor=writing.wren)
        order = services.order_submit(order=order, actor=writing.wren)
        order = services.order_deliver(order=order, actor=writing.eddie)
        services.order_approve(order=order, actor=writing.cleo, rating=5)
    # then: floor(16.60 x 1) = 16 points
    assert balance(writing, "cleo") == 16
    assert reload(writing, order).status == "completed"
