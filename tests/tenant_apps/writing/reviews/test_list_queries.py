"""The review lists run a fixed number of queries, however many reviews they list."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tests.factories import OrderReviewFactory, UserFactory, WebsiteReviewFactory
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import make_order
from tests.tenant_apps.writing.reviews.conftest import (
    ORDER_REVIEWS,
    WEBSITE_MANAGE,
    WEBSITE_REVIEWS,
    writer_reviews_url,
)


def _add(writing: Writing, n: int) -> None:
    for _ in range(n):  # an order review of wren's, published, and a website review of a new client
        order = make_order(writing, "completed")
        with tenant_context(writing.tenant):
            OrderReviewFactory(order=order, published=True)
            client = UserFactory(roles=["client"])
        make_order(writing, "completed", client=client)
        with tenant_context(writing.tenant):
            WebsiteReviewFactory(client=client, published=True)


def _queries(writing: Writing, who: str | None, path: str) -> int:
    client = writing.client(who)
    client.get(path)  # warm: the login's own lookups
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def _all(writing: Writing) -> tuple[int, ...]:
    return (
        _queries(writing, "admin", ORDER_REVIEWS),
        _queries(writing, "wren", ORDER_REVIEWS),
        _queries(writing, "admin", WEBSITE_MANAGE),
        _queries(writing, None, WEBSITE_REVIEWS),
        _queries(writing, None, writer_reviews_url(writing.wren.pk)),
    )


def test_listing_more_reviews_runs_no_more_queries(writing: Writing) -> None:
    # given
    _add(writing, 1)
    few = _all(writing)
    # when
    _add(writing, 4)
    many = _all(writing)
    # then
    assert many == few
