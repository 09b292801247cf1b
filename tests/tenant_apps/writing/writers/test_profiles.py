"""Writers' profiles: a writer's level (the default until an admin sets theirs) decides what a
completed order earns them; they see their own profile (level, completed orders, average rating),
admins and support see every writer's, and only admins set a level."""

from __future__ import annotations

from decimal import Decimal

from django_tenants.utils import tenant_context

from tenant_apps.notifications.models import Notification
from tenant_apps.wallet.selectors import wallet_of
from tenant_apps.writing.writers.models import WriterLevel, WriterProfile
from tests.api import error_code
from tests.factories import OrderReviewFactory
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import make_order, order_url
from tests.tenant_apps.writing.writers.conftest import WRITERS, writer_url


def _level(writing: Writing, slug: str) -> WriterLevel:
    with tenant_context(writing.tenant):
        return WriterLevel.objects.get(slug=slug)


def test_a_writer_without_a_profile_is_of_the_default_level(writing: Writing) -> None:
    body = writing.client("wren").get(f"{WRITERS}me/").json()
    assert (body["id"], body["level"]["slug"], body["completed_orders"], body["average_rating"]) == (
        writing.wren.pk,
        "standard",
        0,
        None,
    )


def test_an_admin_sets_a_writers_level_and_their_next_order_earns_by_it(writing: Writing) -> None:
    # given: wren is made an expert (70 %)
    expert = _level(writing, "expert")
    response = writing.client("admin").patch(writer_url(writing.wren.pk), {"level": expert.pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["level"]["slug"] == "expert"
    # when: cleo approves wren's 24.00 order
    order = make_order(writing, "delivered")
    approved = writing.client("cleo").post(order_url(order.pk, "approve/"), {"rating": 5}, format="json")
    # then: 70 % of 24.00
    assert approved.json()["earning"] == "16.80"
    with tenant_context(writing.tenant):
        assert wallet_of(user=writing.wren).balance == Decimal("16.80")
        assert Notification.objects.filter(recipient=writing.wren, verb="writing_writer.level_changed").exists()


def test_a_writer_sees_their_completed_orders_and_average_rating(writing: Writing) -> None:
    # given: wren completed four orders: reviews of 5 and 4 published, one of 1 hidden, one of 2
    # pending; one more is in progress. Only published reviews count (the reviews app).
    for rating, status in ((5, "published"), (4, "published"), (1, "hidden"), (2, "pending")):
        order = make_order(writing, "completed", rating=3)
        with tenant_context(writing.tenant):
            OrderReviewFactory(order=order, rating=rating, status=status)
    make_order(writing, "in_progress")
    # then
    body = writing.client("wren").get(f"{WRITERS}me/").json()
    assert (body["completed_orders"], body["rated_orders"], body["average_rating"]) == (4, 2, "4.50")
    # and support sees the same in the list, will with nothing yet
    listed = {w["id"]: w for w in writing.client("sue").get(WRITERS).json()["results"]}
    assert listed[writing.wren.pk]["average_rating"] == "4.50"
    assert (listed[writing.will.pk]["completed_orders"], listed[writing.will.pk]["level"]["slug"]) == (0, "standard")
    assert set(listed) == {writing.wren.pk, writing.will.pk}


def test_who_sees_and_changes_writers(writing: Writing) -> None:
    standard = _level(writing, "standard")
    wren = writer_url(writing.wren.pk)
    # writers see themselves only; clients and editors no one
    assert writing.client("wren").get(wren).status_code == 200
    assert writing.client("will").get(wren).status_code == 404
    assert writing.client("cleo").get(wren).status_code == 404
    assert writing.client("eddie").get(wren).status_code == 404
    for who in ("cleo", "wren", "eddie"):
        assert writing.client(who).get(WRITERS).status_code == 403
    assert writing.client("cleo").get(f"{WRITERS}me/").status_code == 403
    assert writing.client(None).get(WRITERS).status_code == 401
    # only admins set a level; support sees but may not
    assert writing.client("sue").get(wren).status_code == 200
    assert writing.client("sue").patch(wren, {"level": standard.pk}, format="json").status_code == 403
    assert writing.client("wren").patch(wren, {"level": standard.pk}, format="json").status_code == 403
    # a user who is no writer is no writer's profile
    assert writing.client("admin").get(writer_url(writing.cleo.pk)).status_code == 404


def test_a_level_that_does_not_exist_is_a_400_and_nothing_is_created(writing: Writing) -> None:
    response = writing.client("admin").patch(writer_url(writing.wren.pk), {"level": 999999}, format="json")
    assert (response.status_code, error_code(response)) == (400, "validation_error")
    for body in ({"level": "expert"}, {"level": 0}, {}):
        assert writing.client("admin").patch(writer_url(writing.wren.pk), body, format="json").status_code == 400
    with tenant_context(writing.tenant):
        assert not WriterProfile.objects.filter(user=writing.wren).exists()
