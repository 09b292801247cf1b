"""Attacks on a writing site's admin (``/admin/``): other roles posting the admin's actions
straight to a changelist, another site's ids through golf's admin, the actions' intermediate forms
given hostile input, and a cross-site POST without the CSRF token.

The site is ``golf`` with the people of ``make_writing``. The victims: cleo's disputed order (a
refund would move money to her wallet), wren's requested payout (approving it would pay out), and
a disputed order of hotel's. Each attack gets the login page, the form again with its errors, a
message naming the object, or a 403: never a 500, never another site's data, and nothing changes.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.admin import helpers
from django.test import Client
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.wallet.selectors import wallet_of
from tenant_apps.writing.orders.models import Order, OrderRefund, OrderStatus
from tenant_apps.writing.wallets.models import PayoutRequest, PayoutStatus
from tests.admin import admin_client, admin_url, run_action, session_client
from tests.conftest import PASSWORD, host_of
from tests.factories import OrderFactory
from tests.factories.writing_wallets import PayoutRequestFactory
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.writing.conftest import Writing, make_writing, reload

ATTACKERS = ["cleo", "wren", "eddie", "sue", None]


@pytest.fixture
def writing(golf: Tenant, client_for: ClientFor, login: Login) -> Writing:
    """The ``golf`` writing site with its people."""
    return make_writing(golf, client_for, login)


def _disputed(writing: Writing) -> Order:
    with tenant_context(writing.tenant):
        return OrderFactory(client=writing.cleo, writer=writing.wren, disputed=True)


def _refunds(writing: Writing, order: Order) -> list[Decimal]:
    with tenant_context(writing.tenant):
        return list(OrderRefund.objects.filter(order=order).values_list("amount", flat=True))


@pytest.mark.parametrize("who", ATTACKERS)
def test_other_roles_cannot_run_admin_actions_by_posting_them(writing: Writing, who: str | None) -> None:
    # given: cleo's disputed order and wren's requested payout
    order = _disputed(writing)
    with tenant_context(writing.tenant):
        payout = PayoutRequestFactory(writer=writing.wren)
    client = session_client(writing.tenant, getattr(writing, who)) if who else Client(HTTP_HOST=host_of(writing.tenant))
    # when: the refund's form posted whole, and a payout approval
    refund = client.post(
        admin_url(Order),
        {
            "action": "refund_orders",
            helpers.ACTION_CHECKBOX_NAME: [order.pk],
            "apply": "apply",
            "amount": "24.00",
            "reason": "Gimme.",
        },
    )
    approval = client.post(
        admin_url(PayoutRequest), {"action": "approve_payouts", helpers.ACTION_CHECKBOX_NAME: [payout.pk], "index": 0}
    )
    # then: the login page; no refund, no approval
    for response in (refund, approval):
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert _refunds(writing, order) == []
    assert reload(writing, order).status == OrderStatus.DISPUTED
    assert reload(writing, payout).status == PayoutStatus.REQUESTED


def test_another_sites_ids_through_golfs_admin_touch_nothing_there(writing: Writing, hotel: Tenant) -> None:
    # given: a disputed order of hotel's, its pk sent to golf's admin (golf has no such order, or another one)
    with tenant_context(hotel):
        theirs = OrderFactory(disputed=True, topic="Hotel's disputed essay")
    client = admin_client(writing.tenant)
    # when
    page = client.get(admin_url(Order, "change", theirs.pk))
    run_action(client, Order, "refund_orders", [theirs], amount="5.00", reason="Cross-site.")
    run_action(client, Order, "resolve_disputes", [theirs], outcome="cancelled", note="Cross-site.")
    # then: nothing of hotel's shown, nothing of hotel's changed
    assert "Hotel&#x27;s disputed essay" not in page.content.decode()
    with tenant_context(hotel):
        assert Order.objects.get(pk=theirs.pk).status == OrderStatus.DISPUTED
        assert not OrderRefund.objects.filter(order_id=theirs.pk).exists()


@pytest.mark.parametrize(
    "amount", ["NaN", "Infinity", "-5.00", "0", "1e9999", "0.001", "9" * 40, "٥", "", "5,00", "\x00"]
)
def test_hostile_refund_amounts_get_the_form_again(writing: Writing, amount: str) -> None:
    order = _disputed(writing)

    response = run_action(admin_client(writing.tenant), Order, "refund_orders", [order], amount=amount, reason="x")

    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert _refunds(writing, order) == []
    with tenant_context(writing.tenant):
        assert wallet_of(user=writing.cleo).balance == Decimal("0.00")


@pytest.mark.parametrize("writer", ["cleo", "hotel", "missing", "x' OR 1=1 --"])
def test_assigning_to_a_non_writer_gets_the_form_again(writing: Writing, hotel: Tenant, writer: str) -> None:
    # given: an available order, and a writer of hotel's
    with tenant_context(writing.tenant):
        order = OrderFactory(client=writing.carl, available=True)
    with tenant_context(hotel):
        hotels_writer = OrderFactory(assigned=True).writer_id
    value = {"cleo": writing.cleo.pk, "hotel": hotels_writer, "missing": 987_654_321}.get(writer, writer)
    # when
    response = run_action(admin_client(writing.tenant), Order, "assign_orders", [order], writer=value)
    # then: the form again (not a writer of golf's), the order not assigned
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert (reload(writing, order).status, reload(writing, order).writer_id) == (OrderStatus.AVAILABLE, None)


def test_an_action_posted_without_the_csrf_token_is_refused(writing: Writing) -> None:
    # given: the admin's signed-in browser, which checks CSRF as a real one does
    order = _disputed(writing)
    client = Client(HTTP_HOST=host_of(writing.tenant), enforce_csrf_checks=True)
    login_page = client.get("/admin/login/")
    token = login_page.cookies["csrftoken"].value
    signed_in = client.post(
        "/admin/login/?next=/admin/",
        {"username": "admin@golf.test", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert signed_in.status_code == 302
    # when: another site's page posts the resolve action into it
    response = client.post(
        admin_url(Order),
        {
            "action": "resolve_disputes",
            helpers.ACTION_CHECKBOX_NAME: [order.pk],
            "apply": "apply",
            "outcome": "cancelled",
        },
    )
    # then: 403 in the error shape; the dispute is still open
    assert response.status_code == 403 and response.json()["error"]["code"] == "csrf_failed"
    assert reload(writing, order).status == OrderStatus.DISPUTED
