"""Attacks on the writing discounts and loyalty apps: another client's loyalty account and ledger
(IDOR), another site's ids (golf's on hotel), mass assignment (a discount's use count, an order's
totals, a ledger entry's fields, someone else's points), and bodies of the wrong shape.

The site is ``golf`` with the people of ``make_writing``. The victim: carl's loyalty account
(300 points, an award whose reason carries ``SECRET``) and admin-made discounts. Attackers: client
``cleo``, writer ``wren``, editor ``eddie``, support ``sue``, anonymous, and hotel's admin sending
golf's ids to hotel. Nobody but golf's admin sees carl's account; a client's own endpoints never
take a user id, so they cannot be pointed at someone else; nothing changes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.discounts.models import Discount
from tenant_apps.writing.loyalty.models import LoyaltyAccount, PointsEntry
from tenant_apps.writing.loyalty.services import points_award
from tenant_apps.writing.orders.models import Order
from tests.api import error_code
from tests.factories import DiscountFactory
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.writing.conftest import Writing, make_writing
from tests.tenant_apps.writing.orders.conftest import order_body

SECRET = "golf-loyalty-secret-5e1d"
ATTACKERS: list[str | None] = ["cleo", "wren", "eddie", "sue", None]
LOYALTY = "/api/v1/loyalty/"


@pytest.fixture
def writing(golf: Tenant, client_for: ClientFor, login: Login) -> Writing:
    return make_writing(golf, client_for, login)


@pytest.fixture
def victim(writing: Writing) -> LoyaltyAccount:
    with tenant_context(writing.tenant):
        entry = points_award(user=writing.carl, points=300, reason=f"Gift {SECRET}", reference="attack:victim")
        return LoyaltyAccount.objects.get(pk=entry.account_id)


def _state(writing: Writing) -> Any:
    with tenant_context(writing.tenant):
        return list(LoyaltyAccount.objects.values()), list(PointsEntry.objects.values("id", "points", "remaining"))


@pytest.mark.parametrize("attacker", ATTACKERS)
@pytest.mark.parametrize("path", ["accounts/{pk}/", "accounts/{pk}/entries/", "accounts/"])
def test_another_clients_account_is_never_shown(
    writing: Writing, victim: LoyaltyAccount, attacker: str | None, path: str
) -> None:
    before = _state(writing)
    response = writing.client(attacker).get(LOYALTY + path.format(pk=victim.pk))
    assert response.status_code in (401, 403)
    error_code(response)
    assert SECRET not in response.content.decode()
    assert _state(writing) == before


def test_a_clients_own_endpoints_ignore_a_user_named_in_the_body(writing: Writing, victim: LoyaltyAccount) -> None:
    with tenant_context(writing.tenant):
        points_award(user=writing.cleo, points=200, reason="Own", reference="attack:own")
    cleo = writing.client("cleo")
    # when: cleo names carl's account and user in her requests
    me = cleo.get(f"{LOYALTY}me/", {"user": writing.carl.pk, "account": victim.pk}).json()
    entries = cleo.get(f"{LOYALTY}me/entries/", {"account": victim.pk}).json()["results"]
    redeemed = cleo.post(
        f"{LOYALTY}me/redeem/", {"points": 100, "user": writing.carl.pk, "account": victim.pk}, format="json"
    )
    # then: only her own account is read and spent
    assert me["balance"] == 200 and me["user"]["id"] == writing.cleo.pk
    assert SECRET not in str(entries) and [e["points"] for e in entries] == [200]
    assert redeemed.status_code == 201 and redeemed.json()["balance"] == 100
    with tenant_context(writing.tenant):
        assert LoyaltyAccount.objects.get(pk=victim.pk).balance == 300


def test_a_client_cannot_adjust_points(writing: Writing, victim: LoyaltyAccount) -> None:
    response = writing.client("cleo").post(
        f"{LOYALTY}adjustments/", {"user": writing.cleo.pk, "points": 5000, "reason": "mine"}, format="json"
    )
    assert (response.status_code, error_code(response)) == (403, "permission_denied")


def test_golfs_ids_mean_nothing_on_hotel(
    writing: Writing, victim: LoyaltyAccount, hotel: Tenant, client_for: ClientFor, login: Login
) -> None:
    other = make_writing(hotel, client_for, login)
    with tenant_context(writing.tenant):
        discount = DiscountFactory(code="GOLFSECRET")
    admin = other.client("admin")
    for path in (f"{LOYALTY}accounts/{victim.pk}/", f"/api/v1/discounts/{discount.pk}/"):
        response = admin.get(path)
        assert response.status_code == 404 and SECRET not in response.content.decode()
    response = admin.post(
        f"{LOYALTY}adjustments/", {"user": writing.carl.pk, "points": 5, "reason": "x"}, format="json"
    )
    assert response.status_code in (201, 404)  # hotel's own user of that id, if any; never golf's
    with tenant_context(writing.tenant):
        assert LoyaltyAccount.objects.get(pk=victim.pk).balance == 300


def test_mass_assignment_of_a_discounts_use_count_is_ignored(writing: Writing) -> None:
    response = writing.client("admin").post(
        "/api/v1/discounts/",
        {"name": "Spring", "code": "SPRING", "kind": "percent", "value": "10", "uses_count": 7, "id": 999999},
        format="json",
    )
    assert response.status_code == 201, response.json()
    with tenant_context(writing.tenant):
        stored = Discount.objects.get(code="SPRING")
        assert (stored.uses_count, stored.pk != 999999) == (0, True)


def test_mass_assignment_of_an_orders_totals_is_ignored(writing: Writing) -> None:
    body = order_body(total="0.01", discount_total="23.99", loyalty_total="5.00", subtotal="1.00", points_redeemed=999)
    response = writing.client("cleo").post("/api/v1/orders/", body, format="json")
    assert response.status_code == 201, response.json()
    with tenant_context(writing.tenant):
        order = Order.objects.get(pk=response.json()["id"])
        assert (order.total, order.discount_total, order.loyalty_total) == (
            Decimal("24.00"),
            Decimal("0.00"),
            Decimal("0.00"),
        )


@pytest.mark.parametrize(
    "body",
    [
        {"points": "lots"},
        {"points": -5},
        {"points": 0},
        {"points": 10**12},
        {"points": [100]},
        {},
    ],
)
def test_bad_redemption_bodies_are_400(writing: Writing, victim: LoyaltyAccount, body: dict[str, Any]) -> None:
    response = writing.client("carl").post(f"{LOYALTY}me/redeem/", body, format="json")
    assert (response.status_code, error_code(response)) == (400, "validation_error")
    with tenant_context(writing.tenant):
        assert LoyaltyAccount.objects.get(pk=victim.pk).balance == 300


@pytest.mark.parametrize(
    "fields",
    [
        {"discount_code": "x" * 500},
        {"discount_code": ["SAVE"]},
        {"redeem_points": -1},
        {"redeem_points": "many"},
        {"redeem_points": 10**12},
    ],
)
def test_bad_checkout_fields_are_4xx(writing: Writing, fields: dict[str, Any]) -> None:
    response = writing.client("cleo").post("/api/v1/quote/", {**order_body(), **fields}, format="json")
    assert 400 <= response.status_code < 500
    error_code(response)
