"""Attacks on the writing referrals and reviews apps: another client's pending review (IDOR),
another site's ids, mass assignment of a claim's or a review's status, people and reward, and
bodies of the wrong shape.

The site is ``golf`` with the people of ``make_writing``. The victim: cleo's pending review of her
order, whose text carries ``SECRET``. Attackers: client ``carl``, writers ``wren`` (its writer:
a pending review is not his to see) and ``will``, editor ``eddie``, anonymous, and hotel's admin
sending golf's ids to hotel. Each gets the answer a nonexistent id gets, never the secret, and
nothing changes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.wallet.selectors import wallet_of
from tenant_apps.writing.referrals.models import Referral
from tenant_apps.writing.reviews.models import OrderReview, WebsiteReview
from tests.api import error_code
from tests.factories import OrderReviewFactory
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.writing.conftest import Writing, make_writing
from tests.tenant_apps.writing.orders.conftest import make_order

SECRET = "golf-review-secret-5d2e"
MISSING_INT = 987_654_321
ORDER_REVIEWS = "/api/v1/reviews/orders/"


@pytest.fixture
def writing(golf: Tenant, client_for: ClientFor, login: Login) -> Writing:
    return make_writing(golf, client_for, login)


@pytest.fixture
def victim(writing: Writing) -> OrderReview:
    order = make_order(writing, "completed")
    with tenant_context(writing.tenant):
        return OrderReviewFactory(order=order, rating=2, text=f"Private: {SECRET}")


@pytest.mark.parametrize("attacker", ["carl", "wren", "will", "eddie"])
def test_another_clients_pending_review_answers_like_a_missing_one(
    writing: Writing, victim: OrderReview, attacker: str
) -> None:
    client = writing.client(attacker)
    for pk in (victim.pk, MISSING_INT):
        response = client.get(f"{ORDER_REVIEWS}{pk}/")
        assert (response.status_code, error_code(response)) == (404, "not_found")
        assert SECRET not in response.content.decode()
    assert SECRET not in client.get(ORDER_REVIEWS).content.decode()
    assert SECRET not in writing.client(None).get(f"/api/v1/reviews/writers/{writing.wren.pk}/").content.decode()


def test_golfs_review_ids_mean_nothing_on_hotel(
    writing: Writing, victim: OrderReview, hotel: Tenant, client_for: ClientFor, login: Login
) -> None:
    other = make_writing(hotel, client_for, login)
    for path in (f"{ORDER_REVIEWS}{victim.pk}/", f"{ORDER_REVIEWS}{victim.pk}/publish/"):
        response = other.client("admin").post(path) if path.endswith("publish/") else other.client("admin").get(path)
        assert response.status_code == 404
    with tenant_context(writing.tenant):
        assert OrderReview.objects.get(pk=victim.pk).status == "pending"


def test_a_review_body_cannot_set_its_status_writer_or_client(writing: Writing) -> None:
    # given
    order = make_order(writing, "completed")
    body: dict[str, Any] = {
        "order": order.pk,
        "rating": 5,
        "text": "Self-published?",
        "status": "published",
        "writer": writing.will.pk,
        "client": writing.carl.pk,
        "moderated_by": writing.admin.pk,
    }
    # when
    response = writing.client("cleo").post(ORDER_REVIEWS, body, format="json")
    # then: stored pending, about the order's writer, by cleo
    assert response.status_code == 201, response.content
    with tenant_context(writing.tenant):
        stored = OrderReview.objects.get(pk=response.json()["id"])
    assert (stored.status, stored.writer_id, stored.client_id, stored.moderated_by_id) == (
        "pending",
        writing.wren.pk,
        writing.cleo.pk,
        None,
    )


def test_a_website_review_body_cannot_publish_itself(writing: Writing) -> None:
    make_order(writing, "completed")
    body = {"rating": 5, "status": "published", "client": writing.carl.pk}
    response = writing.client("cleo").post("/api/v1/reviews/website/", body, format="json")
    assert response.status_code == 201, response.content
    with tenant_context(writing.tenant):
        stored = WebsiteReview.objects.get(pk=response.json()["id"])
    assert (stored.status, stored.client_id) == ("pending", writing.cleo.pk)
    assert writing.client(None).get("/api/v1/reviews/website/").json()["results"] == []


def test_a_claim_body_cannot_pick_the_referrer_the_status_or_the_reward(writing: Writing) -> None:
    # given: cleo's code
    code = writing.client("cleo").get("/api/v1/referrals/me/").json()["code"]
    body = {
        "code": code,
        "referrer": writing.will.pk,
        "referred": writing.sue.pk,
        "status": "rewarded",
        "reward_amount": "1000.00",
        "order": 1,
    }
    # when: carl claims
    response = writing.client("carl").post("/api/v1/referrals/claim/", body, format="json")
    # then: carl referred by cleo, pending, nothing credited
    assert response.status_code == 201, response.content
    with tenant_context(writing.tenant):
        stored = Referral.objects.get(pk=response.json()["id"])
        assert wallet_of(user=writing.carl).balance == Decimal("0")
    assert (stored.referrer_id, stored.referred_id, stored.status, stored.reward_amount, stored.order_id) == (
        writing.cleo.pk,
        writing.carl.pk,
        "pending",
        None,
        None,
    )


@pytest.mark.parametrize(
    "body",
    [{}, {"code": 12345678}, {"code": ["A"]}, {"code": None}, {"code": "x" * 100}, {"code": "\u0000ABC"}],
)
def test_bad_claim_bodies_answer_400(writing: Writing, body: dict[str, Any]) -> None:
    response = writing.client("carl").post("/api/v1/referrals/claim/", body, format="json")
    assert response.status_code == 400
    error_code(response)


@pytest.mark.parametrize(
    "body",
    [{"order": "x", "rating": 5}, {"order": 1, "rating": True}, {"order": 1, "rating": "5.5"}, {"order": -1}],
)
def test_bad_review_bodies_answer_400(writing: Writing, body: dict[str, Any]) -> None:
    response = writing.client("cleo").post(ORDER_REVIEWS, body, format="json")
    assert response.status_code == 400
    error_code(response)
