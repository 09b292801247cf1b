"""Placing an order: priced once by ``pricing.quote``, the quote copied onto the order and an
invoice issued; a later change of the rate table never changes an order already placed."""

from __future__ import annotations

from decimal import Decimal

from django_tenants.utils import tenant_context

from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.writing.orders.models import Order
from tenant_apps.writing.pricing.models import PageRate
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import ORDERS, TOTAL, error_code, order_body, order_url


def test_a_client_places_an_order_priced_by_the_quote_and_invoiced(writing: Writing) -> None:
    # given: what the quote endpoint says of the same order
    body = order_body(extras=[])
    quoted = writing.client("cleo").post(
        "/api/v1/quote/", {k: body[k] for k in ("academic_level", "deadline", "pages", "spacing")}, format="json"
    )
    assert quoted.status_code == 200, quoted.content
    # when
    response = writing.client("cleo").post(ORDERS, body, format="json")
    # then: the order carries the quote's price, unpaid, with its invoice
    assert response.status_code == 201, response.content
    order = response.json()
    assert order["status"] == "unpaid"
    assert (order["total"], order["subtotal"], order["extras_total"]) == (quoted.json()["total"], "24.00", "0.00")
    assert order["price_per_page"] == "12.00" and order["currency"] == quoted.json()["currency"]
    assert [line["kind"] for line in order["price_lines"]] == ["pages"]
    assert order["academic_level"]["slug"] == "undergraduate"
    assert order["client"]["full_name"] == "Cleo Client"
    assert order["invoice_number"].startswith("INV-")
    assert order["number"].startswith("WO-") and order["is_late"] is False
    with tenant_context(writing.tenant):
        stored = Order.objects.get(pk=order["id"])
        assert stored.invoice is not None and stored.invoice.total == TOTAL
        assert AuditLogEntry.objects.filter(verb="writing_order.placed", target_id=str(stored.pk)).exists()


def test_a_later_rate_change_does_not_change_a_placed_order(writing: Writing) -> None:
    # given: a placed order at 12.00 a page
    placed = writing.client("cleo").post(ORDERS, order_body(), format="json").json()
    # when: the admin doubles every undergraduate rate
    with tenant_context(writing.tenant):
        PageRate.objects.filter(academic_level__slug="undergraduate").update(price_per_page=Decimal("99.00"))
    # then: the order still says what it was quoted; a new one pays the new rate
    again = writing.client("cleo").get(order_url(placed["id"])).json()
    assert (again["total"], again["price_per_page"]) == ("24.00", "12.00")
    fresh = writing.client("carl").post(ORDERS, order_body(), format="json").json()
    assert fresh["total"] == "198.00"


def test_an_order_with_extras_copies_each_line(writing: Writing) -> None:
    # when
    response = writing.client("cleo").post(ORDERS, order_body(extras=["plagiarism-report"]), format="json")
    # then: 24.00 for the pages and 9.99 for the report
    assert response.status_code == 201, response.content
    order = response.json()
    assert (order["subtotal"], order["extras_total"], order["total"]) == ("24.00", "9.99", "33.99")
    assert order["extras"] == ["plagiarism-report"]
    assert [line["kind"] for line in order["price_lines"]] == ["pages", "extra"]


def test_what_the_quote_refuses_placing_refuses_naming_the_field(writing: Writing) -> None:
    # when
    response = writing.client("cleo").post(ORDERS, order_body(academic_level="nope", pages=0), format="json")
    # then
    assert response.status_code == 400
    assert error_code(response) == "validation_error"
    assert "pages" in response.json()["error"]["details"]


def test_a_naive_deadline_is_refused(writing: Writing) -> None:
    response = writing.client("cleo").post(ORDERS, order_body(deadline="2040-01-01T10:00:00"), format="json")
    assert response.status_code == 400
    assert "deadline" in response.json()["error"]["details"]


def test_only_clients_place_orders(writing: Writing) -> None:
    for who in ("wren", "eddie", "sue"):
        assert writing.client(who).post(ORDERS, order_body(), format="json").status_code == 403
    assert writing.client(None).post(ORDERS, order_body(), format="json").status_code == 401
