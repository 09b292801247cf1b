"""Demo data of the writing reviews app (``tenant_apps/writing/demo.py`` calls ``seed`` after the
demo's orders).

For each completed order, its client's review: ``client@``'s (5 stars) published, ``client2@``'s
(4 stars) left pending for the admin; website reviews by both clients: ``client@``'s published
(shown on ``GET /reviews/website/``), ``client2@``'s hidden. So every moderation status is there
and the writer of ``client@``'s order has a rating. Through the services; idempotent (a review that
exists is left as it is).
"""

from __future__ import annotations

from typing import Any

#: What each client writes: (order review text, website review rating and text, moderation).
_REVIEWS = {
    "client": ("Clear, well argued and early. Thank you!", 5, "Quick answers from support.", "published"),
    "client2": ("Good work; a few references were dated.", 3, "Great site, but the prices went up.", "hidden"),
}


def seed(people: dict[str, Any]) -> None:
    """Reviews of the completed orders of ``people["client"]`` (published) and
    ``people["client2"]`` (pending), and their website reviews (published, hidden)."""
    from tenant_apps.writing.orders.models import Order, OrderStatus
    from tenant_apps.writing.reviews.models import OrderReview, WebsiteReview
    from tenant_apps.writing.reviews.services import (
        order_review_create,
        review_hide,
        review_publish,
        website_review_create,
    )

    admin = people["admin"]
    for key, (text, site_rating, site_text, site_status) in _REVIEWS.items():
        client = people[key]
        completed = Order.objects.filter(client=client, status=OrderStatus.COMPLETED).order_by("completed_at", "id")
        for order in completed:
            if OrderReview.objects.filter(order=order).exists():
                continue
            review = order_review_create(actor=client, order=order, rating=5 if key == "client" else 4, text=text)
            if key == "client":
                review_publish(review=review, actor=admin)
        if completed.exists() and not WebsiteReview.objects.filter(client=client).exists():
            site = website_review_create(actor=client, rating=site_rating, text=site_text)
            (review_publish if site_status == "published" else review_hide)(review=site, actor=admin)
