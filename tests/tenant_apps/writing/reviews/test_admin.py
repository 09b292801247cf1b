"""Reviews in a writing site's admin: the site admin lists, filters, searches and opens order and
website reviews (other roles are sent to the login page); publishing and hiding go through the
API's moderation service (status, moderator, audit row, the client and writer told) and a review
already in that state shows the service's reason and is not touched; the list costs the same
queries for 2 reviews as for 10; a site never shows another site's reviews."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.notifications.models import Notification
from tenant_apps.writing.reviews.models import OrderReview, ReviewStatus, WebsiteReview
from tests.admin import (
    admin_client,
    admin_url,
    assert_admin_hides,
    assert_list_queries_fixed,
    messages_of,
    run_action,
    session_client,
)
from tests.factories import OrderFactory
from tests.factories.writing_reviews import OrderReviewFactory, WebsiteReviewFactory
from tests.tenant_apps.writing.conftest import Writing, reload


def _order_review(writing: Writing, **kwargs: object) -> OrderReview:
    with tenant_context(writing.tenant):
        order = OrderFactory(completed=True, client=writing.cleo, writer=writing.wren)
        return OrderReviewFactory(order=order, **kwargs)


def test_the_admin_lists_filters_searches_and_opens_order_reviews(writing: Writing) -> None:
    # given: a pending review and a published one
    pending = _order_review(writing, text="Sources were thin.", rating=2)
    published = _order_review(writing, text="Excellent structure.", published=True)
    client = admin_client(writing.tenant)
    # then
    listed = client.get(admin_url(OrderReview), {"status__exact": "pending"}).content.decode()
    assert str(pending) in listed and str(published) not in listed
    searched = client.get(admin_url(OrderReview), {"q": "Excellent"}).content.decode()
    assert str(published) in searched and str(pending) not in searched
    page = client.get(admin_url(OrderReview, "change", pending.pk))
    assert page.status_code == 200 and "Sources were thin." in page.content.decode()


def test_the_admin_lists_filters_searches_and_opens_website_reviews(writing: Writing) -> None:
    with tenant_context(writing.tenant):
        review = WebsiteReviewFactory(text="Quick and friendly.")
    client = admin_client(writing.tenant)

    listed = client.get(admin_url(WebsiteReview), {"status__exact": "pending", "q": "friendly"}).content.decode()
    assert str(review) in listed
    assert str(review) not in client.get(admin_url(WebsiteReview), {"status__exact": "hidden"}).content.decode()
    page = client.get(admin_url(WebsiteReview, "change", review.pk))
    assert page.status_code == 200 and "Quick and friendly." in page.content.decode()


@pytest.mark.parametrize("who", ["cleo", "wren", "eddie", "sue"])
def test_other_roles_are_sent_to_the_login_page(writing: Writing, who: str) -> None:
    review = _order_review(writing)
    client = session_client(writing.tenant, getattr(writing, who))

    for url in (admin_url(OrderReview), admin_url(OrderReview, "change", review.pk), admin_url(WebsiteReview)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_publishing_a_review_publishes_it_as_the_api_does(writing: Writing) -> None:
    review = _order_review(writing)

    response = run_action(admin_client(writing.tenant), OrderReview, "publish_reviews", [review])

    assert messages_of(response) == ["1 published."]
    published = reload(writing, review)
    assert (published.status, published.moderated_by_id) == (ReviewStatus.PUBLISHED, writing.admin.pk)
    with tenant_context(writing.tenant):
        assert AuditLogEntry.objects.filter(verb="writing_review.published", target_id=str(review.pk)).exists()
        assert Notification.objects.filter(recipient=writing.wren, verb="writing_review.about_you").exists()
        # and the writer's public reviews now show it
    assert writing.client(None).get(f"/api/v1/reviews/writers/{writing.wren.pk}/").json()["count"] == 1


def test_hiding_a_hidden_review_is_refused_and_changes_nothing(writing: Writing) -> None:
    # given: a hidden review and a published one
    hidden = _order_review(writing, hidden=True)
    published = _order_review(writing, published=True)
    with tenant_context(writing.tenant):
        before = reload(writing, hidden).moderated_at
    # when
    response = run_action(admin_client(writing.tenant), OrderReview, "hide_reviews", [hidden, published])
    # then
    shown = messages_of(response)
    assert f"{hidden}: This review is hidden already." in shown and "1 hidden." in shown
    assert reload(writing, hidden).moderated_at == before
    assert reload(writing, published).status == ReviewStatus.HIDDEN


def test_website_reviews_are_moderated_from_the_admin(writing: Writing) -> None:
    with tenant_context(writing.tenant):
        review = WebsiteReviewFactory(client=OrderFactory(completed=True, client=writing.cleo).client)
    client = admin_client(writing.tenant)

    assert messages_of(run_action(client, WebsiteReview, "publish_reviews", [review])) == ["1 published."]
    again = messages_of(run_action(client, WebsiteReview, "publish_reviews", [review]))

    assert again == [f"{review}: This review is published already."]
    assert reload(writing, review).status == ReviewStatus.PUBLISHED
    with tenant_context(writing.tenant):
        assert Notification.objects.filter(recipient=writing.cleo, verb="writing_review.published").count() == 1


def test_the_review_list_costs_the_same_queries_for_2_and_for_10_reviews(writing: Writing) -> None:
    assert_list_queries_fixed(writing.tenant, OrderReview, lambda: OrderReviewFactory(published=True))


def test_a_site_never_shows_another_sites_reviews(writing: Writing, hotel: Tenant) -> None:
    with tenant_context(hotel):
        theirs = OrderReviewFactory(text="Hotel-only words.")

    assert_admin_hides(writing.tenant, theirs, "Hotel-only words.")
