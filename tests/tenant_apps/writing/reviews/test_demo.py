"""The reviews demo (``reviews/demo.py``): reviews of the demo's completed orders, published and
pending, and website reviews, published and hidden; a second run adds nothing."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from tenant_apps.writing.reviews.demo import seed
from tenant_apps.writing.reviews.models import OrderReview, WebsiteReview
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import make_order
from tests.tenant_apps.writing.referrals.test_demo import _people
from tests.tenant_apps.writing.reviews.conftest import WEBSITE_REVIEWS


def test_the_demo_shows_every_moderation_status_and_a_second_run_adds_nothing(writing: Writing) -> None:
    # given: the demo's completed orders, one per client
    make_order(writing, "completed")
    make_order(writing, "completed", client=writing.carl)
    people = _people(writing)
    with tenant_context(writing.tenant):
        # when it runs twice
        seed(people)
        counts = (OrderReview.objects.count(), WebsiteReview.objects.count())
        seed(people)
        # then
        assert (OrderReview.objects.count(), WebsiteReview.objects.count()) == counts == (2, 2)
        statuses = set(OrderReview.objects.values_list("status", flat=True))
        statuses |= set(WebsiteReview.objects.values_list("status", flat=True))
        assert statuses == {"published", "pending", "hidden"}
    # and the front end shows client's website review, wren has a rating
    public = writing.client(None).get(WEBSITE_REVIEWS).json()["results"]
    assert [r["author"] for r in public] == ["Cleo"]
    assert writing.client("wren").get("/api/v1/writers/me/").json()["average_rating"] == "5.00"
