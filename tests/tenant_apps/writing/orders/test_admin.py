"""The orders in a writing site's admin: the site admin lists, filters, searches and opens orders
and refunds (other roles are sent to the login page); the actions make the API's moves through
its services (the status, the audit row, the notification, the ledger row) and a refused move
shows the service's reason and changes nothing; a changelist costs the same queries for 2 orders
as for 10; a site never shows another site's orders; the kind's site shows no other kind's model."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from saas.admin import tenant_admin_site
from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.notifications.models import Notification
from tenant_apps.wallet.models import LedgerEntry
from tenant_apps.wallet.selectors import wallet_of
from tenant_apps.writing.orders.models import Order, OrderRefund, OrderSettings, OrderStatus
from tests.admin import (
    admin_client,
    admin_url,
    assert_list_queries_fixed,
    messages_of,
    run_action,
    session_client,
)
from tests.factories import OrderFactory, OrderRefundFactory
from tests.tenant_apps.writing.conftest import Writing, reload
from tests.tenant_apps.writing.orders.conftest import make_order


def test_the_admin_lists_filters_searches_and_opens_orders(writing: Writing) -> None:
    # given: an order in review and one unpaid
    in_review = make_order(writing, "in_review", topic="Maritime trade in the Baltic")
    unpaid = make_order(writing, "unpaid", topic="Photosynthesis")
    client = admin_client(writing.tenant)
    # when / then: the list, filtered by status, shows the order in review only
    filtered = client.get(admin_url(Order), {"status__exact": "in_review"})
    assert filtered.status_code == 200
    assert in_review.number in filtered.content.decode() and unpaid.number not in filtered.content.decode()
    # a search by topic finds the other one
    found = client.get(admin_url(Order), {"q": "Photosynth"})
    assert found.status_code == 200
    assert unpaid.number in found.content.decode() and in_review.number not in found.content.decode()
    # and the order's page shows it, read-only
    page = client.get(admin_url(Order, "change", in_review.pk))
    assert page.status_code == 200
    assert "Maritime trade in the Baltic" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()


def test_the_admin_lists_and_opens_refunds(writing: Writing) -> None:
    # given: a disputed order refunded 5.00
    with tenant_context(writing.tenant):
        refund = OrderRefundFactory(order=make_order(writing, "disputed"), reason="Two pages missing.")
    client = admin_client(writing.tenant)
    # then
    listed = client.get(admin_url(OrderRefund), {"currency__exact": "USD", "q": refund.order.number})
    assert listed.status_code == 200 and refund.order.number in listed.content.decode()
    assert client.get(admin_url(OrderRefund), {"q": "no-such-order"}).content.decode().count(refund.order.number) == 0
    page = client.get(admin_url(OrderRefund, "change", refund.pk))
    assert page.status_code == 200 and "Two pages missing." in page.content.decode()
    # and the order's page lists it among its refunds
    assert "Two pages missing." in client.get(admin_url(Order, "change", refund.order_id)).content.decode()


@pytest.mark.parametrize("who", ["cleo", "wren", "eddie", "sue"])
def test_other_roles_are_sent_to_the_login_page(writing: Writing, who: str) -> None:
    order = make_order(writing, "available")
    client = session_client(writing.tenant, getattr(writing, who))

    for url in (admin_url(Order), admin_url(Order, "change", order.pk), admin_url(OrderRefund)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_delivering_from_the_admin_delivers_as_the_api_does(writing: Writing) -> None:
    # given: an order in review
    order = make_order(writing, "in_review")
    client = admin_client(writing.tenant)
    # when
    response = run_action(client, Order, "deliver_orders", [order])
    # then: delivered, audited with the admin as the actor, the client told
    assert response.redirect_chain == [(admin_url(Order), 302)]  # back to the list
    assert messages_of(response) == ["1 delivered."]
    with tenant_context(writing.tenant):
        assert Order.objects.get(pk=order.pk).status == OrderStatus.DELIVERED
        entry = AuditLogEntry.objects.get(verb="writing_order.delivered", target_id=str(order.pk))
        assert entry.actor_id == writing.admin.pk
        assert Notification.objects.filter(recipient=writing.cleo, verb="writing_order.delivered").exists()


def test_an_order_not_in_review_is_not_delivered_and_the_reason_is_shown(writing: Writing) -> None:
    # given: an unpaid order and one in review, both selected
    unpaid = make_order(writing, "unpaid")
    in_review = make_order(writing, "in_review")
    client = admin_client(writing.tenant)
    # when
    response = run_action(client, Order, "deliver_orders", [unpaid, in_review])
    # then: the unpaid one says why and stays unpaid; the other is delivered
    shown = messages_of(response)
    assert f"{unpaid.number}: An order that is unpaid cannot become delivered." in shown
    assert "1 delivered." in shown
    assert reload(writing, unpaid).status == OrderStatus.UNPAID
    assert reload(writing, in_review).status == OrderStatus.DELIVERED


def test_assigning_asks_for_a_writer_and_assigns_as_the_api_does(writing: Writing) -> None:
    # given: an available order
    order = make_order(writing, "available")
    client = admin_client(writing.tenant)
    # when: the action first asks for the writer
    form = run_action(client, Order, "assign_orders", [order])
    assert form.status_code == 200
    assert "Wren Writer" in form.content.decode() and "Cleo Client" not in form.content.decode()
    response = run_action(client, Order, "assign_orders", [order], writer=writing.will.pk)
    # then: will has it, is told, and the assignment is audited
    assert response.redirect_chain == [(admin_url(Order), 302)] and messages_of(response) == ["1 assigned."]
    with tenant_context(writing.tenant):
        assert (reload(writing, order).status, reload(writing, order).writer_id) == ("assigned", writing.will.pk)
        assert Notification.objects.filter(recipient=writing.will, verb="writing_order.assigned").exists()
        assert AuditLogEntry.objects.filter(
            verb="writing_order.assigned", target_id=str(order.pk), actor=writing.admin
        ).exists()


def test_a_completed_order_is_not_reassigned(writing: Writing) -> None:
    order = make_order(writing, "completed")

    response = run_action(admin_client(writing.tenant), Order, "assign_orders", [order], writer=writing.will.pk)

    assert [m for m in messages_of(response) if m.startswith(order.number)] != []
    assert reload(writing, order).writer_id == writing.wren.pk


def test_an_invalid_intermediate_form_runs_nothing(writing: Writing) -> None:
    # given: an order in review, returned without the notes the service needs
    order = make_order(writing, "in_review")
    client = admin_client(writing.tenant)
    # when
    response = run_action(client, Order, "return_orders", [order], notes="")
    # then: the form again, with its error; the order has not moved
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert reload(writing, order).status == OrderStatus.IN_REVIEW


def test_returning_an_order_sends_it_back_to_its_writer_with_the_notes(writing: Writing) -> None:
    order = make_order(writing, "in_review")

    response = run_action(admin_client(writing.tenant), Order, "return_orders", [order], notes="Cite the sources.")

    assert messages_of(response) == ["1 returned."]
    returned = reload(writing, order)
    assert (returned.status, returned.editor_notes) == (OrderStatus.IN_PROGRESS, "Cite the sources.")
    with tenant_context(writing.tenant):
        assert Notification.objects.filter(recipient=writing.wren, verb="writing_order.returned").exists()


def test_cancelling_moves_no_money_and_a_submitted_order_cannot_be_cancelled(writing: Writing) -> None:
    # given: a paid available order and one in review
    available = make_order(writing, "available")
    in_review = make_order(writing, "in_review")
    client = admin_client(writing.tenant)
    # when
    response = run_action(client, Order, "cancel_orders", [available, in_review], reason="Duplicate order.")
    # then: the available one is cancelled (no money back), the one in review refused
    shown = messages_of(response)
    assert "1 cancelled." in shown
    assert f"{in_review.number}: An order that is in_review cannot become cancelled." in shown
    assert reload(writing, available).status == OrderStatus.CANCELLED
    assert reload(writing, in_review).status == OrderStatus.IN_REVIEW
    with tenant_context(writing.tenant):
        assert wallet_of(user=writing.cleo).balance == Decimal("0.00")
        assert AuditLogEntry.objects.filter(verb="writing_order.cancelled", target_id=str(available.pk)).exists()


def test_resolving_a_dispute_completed_pays_the_writer(writing: Writing) -> None:
    # given: a disputed order
    order = make_order(writing, "disputed")
    # when
    response = run_action(
        admin_client(writing.tenant), Order, "resolve_disputes", [order], outcome="completed", note="Fine as it is."
    )
    # then: completed, the writer's earning credited by one ledger row, the client told
    assert messages_of(response) == ["1 resolved."]
    resolved = reload(writing, order)
    assert resolved.status == OrderStatus.COMPLETED and resolved.earning > 0
    with tenant_context(writing.tenant):
        earning = LedgerEntry.objects.get(reference=f"order:{order.pk}:earning")
        assert (earning.wallet.user_id, earning.balance_delta) == (writing.wren.pk, resolved.earning)
        assert Notification.objects.filter(recipient=writing.cleo, verb="writing_order.dispute_resolved").exists()


def test_an_order_without_a_dispute_is_not_resolved(writing: Writing) -> None:
    order = make_order(writing, "delivered")

    response = run_action(admin_client(writing.tenant), Order, "resolve_disputes", [order], outcome="cancelled")

    assert messages_of(response) == [f"{order.number}: This order is delivered: there is no dispute to resolve."]
    assert reload(writing, order).status == OrderStatus.DELIVERED


def test_refunding_credits_the_clients_wallet_and_never_more_than_was_paid(writing: Writing) -> None:
    # given: a disputed order, paid 24.00
    order = make_order(writing, "disputed")
    client = admin_client(writing.tenant)
    # when: 10.00 back, then 20.00 more (over what is left)
    first = run_action(client, Order, "refund_orders", [order], amount="10.00", reason="Two pages missing.")
    second = run_action(client, Order, "refund_orders", [order], amount="20.00", reason="Again.")
    # then: one refund of 10.00 to cleo's wallet; the second refused with the service's reason
    assert messages_of(first) == ["1 refunded."]
    assert len(messages_of(second)) == 1 and messages_of(second)[0].startswith(f"{order.number}: ")
    with tenant_context(writing.tenant):
        refunds = list(OrderRefund.objects.filter(order=order).values_list("amount", flat=True))
        assert refunds == [Decimal("10.00")]
        assert wallet_of(user=writing.cleo).balance == Decimal("10.00")
        assert LedgerEntry.objects.filter(reference__startswith=f"order:{order.pk}:refund:").count() == 1
        assert AuditLogEntry.objects.filter(verb="writing_order.refunded", actor=writing.admin).count() == 1


def test_the_order_list_costs_the_same_queries_for_2_and_for_10_orders(writing: Writing) -> None:
    # a new client and writer each
    assert_list_queries_fixed(writing.tenant, Order, lambda: OrderFactory(status=OrderStatus.ASSIGNED))


def test_a_site_never_shows_another_sites_orders(writing: Writing, hotel: object) -> None:
    # given: an order of hotel's
    with tenant_context(hotel):  # type: ignore[arg-type]
        theirs = OrderFactory(topic="Hotel's secret topic")
    client = admin_client(writing.tenant)
    # then: golf's admin lists nothing of it and its page on golf's host is not hotel's
    assert "Hotel&#x27;s secret topic" not in client.get(admin_url(Order), {"q": "secret"}).content.decode()
    page = client.get(admin_url(Order, "change", theirs.pk))
    assert page.status_code in (302, 404) or "Hotel" not in page.content.decode()
    assert "secret topic" not in page.content.decode()


def test_the_writing_site_shows_no_model_of_another_kind() -> None:
    labels = {model._meta.app_label for model in tenant_admin_site("writing")._registry}

    assert not any(label.startswith(("school", "store", "rental")) for label in labels)
    assert {"writing_orders"} <= labels


def test_the_order_settings_are_changed_through_the_service(writing: Writing) -> None:
    # given: the admin on the settings list (the row made with its defaults on first look)
    client = admin_client(writing.tenant)
    listed = client.get(admin_url(OrderSettings), {"assignment_mode__exact": "admin", "q": "admin"})
    assert listed.status_code == 200 and "order settings" in listed.content.decode()
    assert client.get(admin_url(OrderSettings, "change", 1)).status_code == 200
    # when: first-request assignment and 3 free-revision days are saved
    response = client.post(
        admin_url(OrderSettings, "change", 1),
        {"assignment_mode": "first_request", "earning_mode": "share", "free_revision_days": 3},
    )
    # then: saved by order_settings_update (its audit row, the changed fields), and the API says so
    assert response.status_code == 302
    with tenant_context(writing.tenant):
        row = OrderSettings.objects.get()
        assert (row.assignment_mode, row.free_revision_days) == ("first_request", 3)
        entry = AuditLogEntry.objects.get(verb="writing_order_settings.updated", actor=writing.admin)
        assert set(entry.changes) == {"assignment_mode", "free_revision_days"}
    assert writing.client("admin").get("/api/v1/orders/settings/").json()["free_revision_days"] == 3


def test_order_settings_out_of_range_are_refused_by_the_form(writing: Writing) -> None:
    client = admin_client(writing.tenant)
    client.get(admin_url(OrderSettings))

    response = client.post(
        admin_url(OrderSettings, "change", 1),
        {"assignment_mode": "nobody", "earning_mode": "share", "free_revision_days": 999},
    )

    assert response.status_code == 200 and response.content.decode().count("errorlist") >= 2
    with tenant_context(writing.tenant):
        assert (OrderSettings.objects.get().assignment_mode, OrderSettings.objects.get().free_revision_days) == (
            "admin",
            7,
        )
        assert not AuditLogEntry.objects.filter(verb="writing_order_settings.updated").exists()


def test_other_roles_cannot_see_or_change_the_order_settings(writing: Writing) -> None:
    client = session_client(writing.tenant, writing.sue)

    for response in (
        client.get(admin_url(OrderSettings)),
        client.post(admin_url(OrderSettings, "change", 1), {"assignment_mode": "first_request"}),
    ):
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    with tenant_context(writing.tenant):
        assert not OrderSettings.objects.filter(assignment_mode="first_request").exists()
