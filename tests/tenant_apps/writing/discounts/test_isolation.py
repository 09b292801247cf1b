"""One writing site's discounts are invisible from another (golf and hotel): golf's code is not a
code on hotel, its campaigns do not run there, and golf's ids are not found there."""

from __future__ import annotations

from decimal import Decimal

from shared_apps.tenancy.models import Tenant
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.writing.conftest import Writing, make_writing
from tests.tenant_apps.writing.discounts.conftest import DISCOUNTS, QUOTE, line_amounts, make_discount, quote_body
from tests.tenant_apps.writing.orders.conftest import error_code


def test_golfs_codes_and_campaigns_do_not_exist_on_hotel(
    writing: Writing, hotel: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given: a code and a campaign on golf
    other = make_writing(hotel, client_for, login)
    code = make_discount(writing, code="GOLFONLY")
    make_discount(writing, campaign=True, value=Decimal("20.00"))
    # then: hotel's quote knows neither
    response = other.client("cleo").post(QUOTE, quote_body(discount_code="GOLFONLY"), format="json")
    assert (response.status_code, error_code(response)) == (400, "invalid_discount_code")
    body = other.client(None).post(QUOTE, quote_body(), format="json").json()
    assert "discount" not in line_amounts(body)
    assert other.client(None).get(f"{DISCOUNTS}running/").json()["results"] == []
    # and hotel's admin lists none and finds no golf id
    assert other.client("admin").get(DISCOUNTS).json()["results"] == []
    assert other.client("admin").get(f"{DISCOUNTS}{code.pk}/").status_code == 404
    # while golf's quote applies it
    golf = writing.client("cleo").post(QUOTE, quote_body(discount_code="GOLFONLY"), format="json").json()
    assert line_amounts(golf)["discount"] == Decimal("-2.40")
