"""``GET /api/v1/dashboard/``: a section per role the caller holds, with the figures of real orders.

The session site's table prices the default order (2 double-spaced undergraduate pages, 14 days)
at 24.00; the writer's share is 50 %, so a completed order earns its writer 12.00.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import tenant_context

from tests.api import error_code
from tests.factories import TicketFactory, UserFactory
from tests.factories.base import at
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.dashboard.conftest import DASHBOARD, dispute, make_order, rated


def test_anonymous_is_401_and_a_user_without_a_dashboard_role_is_403(
    writing: Writing, client_for: ClientFor, login: Login
) -> None:
    # given a user of golf holding no role
    with tenant_context(writing.tenant):
        UserFactory(email="nobody@golf.test", roles=[])
    nobody = client_for(writing.tenant, login(writing.tenant, "nobody@golf.test")["access"])
    # when / then
    assert writing.client(None).get(DASHBOARD).status_code == 401
    response = nobody.get(DASHBOARD)
    assert response.status_code == 403
    assert error_code(response) == "permission_denied"


def test_a_client_sees_their_orders_by_status_and_what_they_spent(writing: Writing) -> None:
    # given cleo's unpaid, available and completed orders, and carl's paid one
    make_order(writing, "unpaid")
    available = make_order(writing, "available")
    make_order(writing, "completed")
    make_order(writing, "available", client=writing.carl)
    # when
    body = writing.client("cleo").get(DASHBOARD).json()
    # then only her section, her orders, her paid ones' totals
    assert body["roles"] == ["client"]
    assert set(body) == {"roles", "generated_at", "client"}
    section = body["client"]
    assert section["orders_total"] == 3
    assert {k: v for k, v in section["orders_by_status"].items() if v} == {
        "unpaid": 1,
        "available": 1,
        "completed": 1,
    }
    assert section["orders_late"] == 0
    assert section["spending"] == [{"currency": available.currency, "total": "48.00", "this_month": "48.00"}]


def test_a_writer_sees_active_orders_by_deadline_earnings_this_month_and_rating(writing: Writing) -> None:
    # given wren's orders: two active (one due sooner), two completed and rated 5 and 4, will's one
    now = timezone.now()
    later = make_order(writing, "in_progress", deadline=now + timedelta(days=20))
    sooner = make_order(writing, "assigned", deadline=now + timedelta(days=3))
    for rating in (5, 4):
        rated(writing, rating)
    make_order(writing, "in_progress", writer=writing.will)
    # when
    section = writing.client("wren").get(DASHBOARD).json()["writer"]
    # then
    assert [o["id"] for o in section["active_orders"]] == [sooner.pk, later.pk]
    assert section["active_orders"][0]["number"] == sooner.number
    assert "client" not in section["active_orders"][0]
    assert (section["active_count"], section["late_count"], section["completed_count"]) == (2, 0, 2)
    assert section["next_deadline"] == section["active_orders"][0]["deadline"]
    assert section["rating"] == {"average": "4.50", "count": 2}
    assert section["earnings_this_month"] == [{"currency": later.currency, "amount": "24.00"}]


def test_a_writers_missed_deadline_counts_as_late(writing: Writing) -> None:
    # given wren's order due in 3 days
    order = make_order(writing, "in_progress", deadline=timezone.now() + timedelta(days=3))
    # when the site's clock is 4 days on
    with at(timezone.now() + timedelta(days=4)):
        section = writing.client("wren").get(DASHBOARD).json()["writer"]
    # then
    assert section["late_count"] == 1
    assert section["active_orders"] == [
        {
            "id": order.pk,
            "number": order.number,
            "topic": order.topic,
            "status": "in_progress",
            "deadline": section["active_orders"][0]["deadline"],
            "is_late": True,
        }
    ]


def test_an_editor_sees_the_review_queue_oldest_deadline_first_and_their_reviews(writing: Writing) -> None:
    # given two orders in review and two eddie delivered
    now = timezone.now()
    second = make_order(writing, "in_review", deadline=now + timedelta(days=9))
    first = make_order(writing, "in_review", deadline=now + timedelta(days=2))
    make_order(writing, "delivered")
    make_order(writing, "completed")
    # when
    section = writing.client("eddie").get(DASHBOARD).json()["editor"]
    # then
    assert [o["id"] for o in section["review_queue"]] == [first.pk, second.pk]
    assert section["queue_count"] == 2
    assert section["queue_late_count"] == 0
    assert (section["reviewed_count"], section["delivered_this_month"]) == (2, 2)


def test_support_sees_open_tickets_and_disputed_orders(writing: Writing) -> None:
    # given two open tickets (one assigned), one answered, one closed, and a disputed order
    with tenant_context(writing.tenant):
        oldest = TicketFactory(created_by=writing.cleo, subject="Where is my paper?")
        TicketFactory(created_by=writing.carl, assignee=writing.sue)
        TicketFactory(created_by=writing.carl, answered=True)
        TicketFactory(created_by=writing.cleo, closed=True)
    disputed = dispute(writing)
    make_order(writing, "delivered")
    # when
    section = writing.client("sue").get(DASHBOARD).json()["support"]
    # then
    assert (section["open_tickets_count"], section["answered_tickets_count"]) == (2, 1)
    assert section["unassigned_open_tickets_count"] == 1
    assert section["open_tickets"][0]["id"] == oldest.pk
    assert section["open_tickets"][0]["subject"] == "Where is my paper?"
    assert [o["id"] for o in section["disputed_orders"]] == [disputed.pk]
    assert section["disputed_orders_count"] == 1


def test_an_admin_sees_revenue_by_day_orders_by_status_top_writers_and_overdue_orders(writing: Writing) -> None:
    # given: wren completed two orders, will one; an unpaid order; an order due in 3 days
    paid = [make_order(writing, "completed") for _ in range(2)]
    paid.append(make_order(writing, "completed", writer=writing.will))
    make_order(writing, "unpaid")
    overdue = make_order(writing, "assigned", deadline=timezone.now() + timedelta(days=3))
    paid.append(overdue)
    # when the site's clock is 4 days on
    with at(timezone.now() + timedelta(days=4)):
        body = writing.client("admin").get(DASHBOARD).json()
    # then
    assert body["roles"] == ["admin"]
    section = body["admin"]
    paid_today = section["revenue_by_day"]
    assert len(paid_today) == 1
    assert paid_today[0]["date"] == timezone.localdate().isoformat()
    assert (paid_today[0]["amount"], paid_today[0]["orders"]) == (str(sum(o.total for o in paid)), 4)
    assert section["orders_total"] == 5
    assert (section["orders_by_status"]["completed"], section["orders_by_status"]["unpaid"]) == (3, 1)
    assert section["orders_late"] == 1
    top = section["top_writers"]
    assert [(w["id"], w["name"], w["completed_count"]) for w in top] == [
        (writing.wren.pk, "Wren Writer", 2),
        (writing.will.pk, "Will Writer", 1),
    ]
    assert [o["id"] for o in section["overdue_orders"]] == [overdue.pk]


def test_revenue_older_than_the_window_is_left_out(writing: Writing) -> None:
    # given an order paid today
    make_order(writing, "available")
    # when the site's clock is 31 days on
    with at(timezone.now() + timedelta(days=31)):
        section = writing.client("admin").get(DASHBOARD).json()["admin"]
    # then
    assert section["revenue_by_day"] == []


def test_a_user_with_several_roles_gets_a_section_for_each(
    writing: Writing, client_for: ClientFor, login: Login
) -> None:
    # given a writer who is also a support agent
    with tenant_context(writing.tenant):
        UserFactory(email="pat@golf.test", roles=["writer", "support"])
    pat = client_for(writing.tenant, login(writing.tenant, "pat@golf.test")["access"])
    # when
    body = pat.get(DASHBOARD).json()
    # then
    assert body["roles"] == ["writer", "support"]
    assert {"writer", "support"} <= set(body)
    assert not {"client", "editor", "admin"} & set(body)
