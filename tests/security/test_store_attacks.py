"""Attacks on the store kind: IDOR on another customer's objects, and mass assignment.

The store site is ``gamma`` with the people of ``make_store``: the victim is the customer ``cal``
(her orders are of seller ``sam``'s product, carried by courier ``dave``); sam also has a product
and an auction awaiting approval, which only he and the admin may see. Each victim object carries
a marker string (``SECRET``: cal's delivery address, the return's reason, the review's body, the
pending product's and auction's titles) that must never show up in an answer to anybody else
(except the review's: reviews are public). Attackers:

* ``cora`` (another customer), ``sid`` (another seller) and ``dina`` (a courier not holding the
  order) ask for, change, delete and act on cal's objects by id: they get exactly the answer a
  nonexistent id gets: 404 ``not_found`` for objects scoped to who may see them, 403
  ``permission_denied`` (for every id alike) where their role may not use the endpoint at all.
  Admin-only return decisions look the return up first: 404 like a missing id, not a 403.
  Reviews are public (anyone reads them by id), so their existence is no secret: changing or
  deleting someone else's review is a 403, a missing one a 404 (see ``REVIEW_NOT_YOURS``).
  Nothing of cal's changes.
* delta's admin (the other store site) sends the same requests with gamma's ids to delta's host:
  never gamma's data, nothing of gamma changes.

Mass assignment: fields a client may not set (a product's status, seller and rating aggregates; a
review's author; a profile's user; prices and totals in cart and checkout bodies; an auction's
status, price and leader) are ignored by the input serializers: the request succeeds with what it
may change, and the stored rows show none of the forbidden values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tests.factories import (
    CartItemFactory,
    CategoryFactory,
    ReturnRequestFactory,
    StoreOrderFactory,
    StoreProductFactory,
)
from tests.factories.store_auctions import AuctionFactory
from tests.factories.store_reviews import ReviewFactory
from tests.fixture_types import ApiResponse, ClientFor, JsonResponse, Login
from tests.tenant_apps.accounts.conftest import error_code
from tests.tenant_apps.store.conftest import Store, make_store

SECRET = "gamma-secret-51c9"
MISSING_INT = 987_654_321
NOT_FOUND = (404, "not_found")
FORBIDDEN = (403, "permission_denied")
#: Reviews are public: another user's review is refused, a missing one is not found.
REVIEW_NOT_YOURS = (403, "permission_denied")


# --------------------------------------------------------------------------------------------
# The victim's objects
# --------------------------------------------------------------------------------------------


@dataclass
class Victim:
    """One object of cal's: its id in URLs and ``state()``, what an attack would change (read in gamma)."""

    ref: int
    state: Callable[[], Any]


def _read(model: Any, pk: int, *fields: str) -> Any:
    row = model.objects.filter(pk=pk).values(*fields).first()
    return None if row is None else tuple(row.values())


def _order(store: Store, status: str, quantity: int = 1) -> Any:
    product = StoreProductFactory(seller=store.sam, title="Lamp", price="10.00", approved=True)
    return StoreOrderFactory(buyer=store.cal, product=product, quantity=quantity, courier=store.dave, status=status)


def _order_victim(order: Any) -> Victim:
    from tenant_apps.store.orders.models import DeliveryProof, Order

    return Victim(
        ref=order.pk,
        state=lambda: (
            _read(Order, order.pk, "status", "delivery_user_id", "shipped_at", "delivered_at", "completed_at"),
            _read(Order, order.pk, "cancelled_at", "total"),
            _read(DeliveryProof, getattr(getattr(order, "proof", None), "pk", 0) or 0, "pin", "failed_attempts"),
            DeliveryProof.objects.filter(order_id=order.pk, confirmed_at__isnull=False).count(),
        ),
    )


def build_order(store: Store) -> Victim:
    return _order_victim(_order(store, "created"))


def build_processing_order(store: Store) -> Victim:
    return _order_victim(_order(store, "processing"))


def build_shipped_order(store: Store) -> Victim:
    return _order_victim(_order(store, "shipped"))


def build_cart_item(store: Store) -> Victim:
    from tenant_apps.store.orders.models import CartItem

    product = StoreProductFactory(seller=store.sam, title="Lamp", approved=True)
    line = CartItemFactory(buyer=store.cal, product=product, quantity=2)
    return Victim(ref=line.pk, state=lambda: _read(CartItem, line.pk, "quantity", "buyer_id", "product_id"))


def build_return(store: Store) -> Victim:
    from tenant_apps.store.returns.models import ReturnRequest

    made = ReturnRequestFactory(order=_order(store, "delivered", quantity=2), reason=f"Broken {SECRET}")
    return Victim(
        ref=made.pk,
        state=lambda: _read(ReturnRequest, made.pk, "status", "received_at", "inspected_at", "decided_at", "reason"),
    )


def build_review(store: Store) -> Victim:
    from tenant_apps.store.reviews.models import Review

    review = ReviewFactory(order=_order(store, "delivered"), title="Lovely", body=f"Ask {SECRET}", rating=5)
    return Victim(ref=review.pk, state=lambda: _read(Review, review.pk, "rating", "title", "body", "author_id"))


def build_pending_product(store: Store) -> Victim:
    """A product of seller sam's still awaiting approval: only sam and the admin see it."""
    from tenant_apps.store.catalog.models import Product, ProductImage

    product = StoreProductFactory(seller=store.sam, title=f"Prototype {SECRET}", images=1)
    return Victim(
        ref=product.pk,
        state=lambda: (
            _read(Product, product.pk, "title", "status", "price", "stock", "is_active", "brand_id"),
            ProductImage.objects.filter(product_id=product.pk).count(),
        ),
    )


def build_pending_auction(store: Store) -> Victim:
    """An auction of seller sam's awaiting approval: only sam and the admin see it."""
    from tenant_apps.store.auctions.models import Auction, Bid

    auction = AuctionFactory(seller=store.sam, title=f"Heirloom {SECRET}")
    return Victim(
        ref=auction.pk,
        state=lambda: (
            _read(Auction, auction.pk, "status", "current_price", "leader_id", "decided_at"),
            Bid.objects.filter(auction_id=auction.pk).count(),
        ),
    )


BUILDERS: dict[str, Callable[[Store], Victim]] = {
    "pending_product": build_pending_product,
    "pending_auction": build_pending_auction,
    "order": build_order,
    "processing_order": build_processing_order,
    "shipped_order": build_shipped_order,
    "cart_item": build_cart_item,
    "return": build_return,
    "review": build_review,
}


# --------------------------------------------------------------------------------------------
# The attacks: (object type, attacker, method, path with {ref}, body, what the attacker must get)
# --------------------------------------------------------------------------------------------

UUID0 = "00000000-0000-4000-8000-000000000000"
PIN = {"token": "000000"}
INSPECTION = {"items": [{"id": MISSING_INT, "condition": "resellable"}]}
ATTACKS: list[tuple[str, str, str, str, dict[str, Any] | None, tuple[int, str]]] = [
    ("order", "cora", "get", "/api/v1/orders/{ref}/", None, NOT_FOUND),
    ("order", "sid", "get", "/api/v1/orders/{ref}/", None, NOT_FOUND),
    ("order", "cora", "post", "/api/v1/orders/{ref}/cancel/", None, NOT_FOUND),
    ("order", "sid", "post", "/api/v1/orders/{ref}/cancel/", None, NOT_FOUND),
    ("processing_order", "dina", "get", "/api/v1/orders/{ref}/", None, NOT_FOUND),
    ("processing_order", "dina", "post", "/api/v1/delivery/orders/{ref}/advance/", None, NOT_FOUND),
    ("processing_order", "dina", "post", "/api/v1/delivery/orders/{ref}/claim/", None, NOT_FOUND),
    ("shipped_order", "cora", "post", "/api/v1/orders/{ref}/complete/", None, NOT_FOUND),
    ("shipped_order", "cora", "get", "/api/v1/orders/{ref}/proof/", None, NOT_FOUND),
    ("shipped_order", "sid", "get", "/api/v1/orders/{ref}/proof/", None, NOT_FOUND),
    ("shipped_order", "dina", "get", "/api/v1/orders/{ref}/proof/", None, NOT_FOUND),
    ("shipped_order", "dina", "post", "/api/v1/orders/{ref}/proof/confirm/", PIN, NOT_FOUND),
    ("shipped_order", "cora", "post", "/api/v1/orders/{ref}/proof/confirm/", PIN, FORBIDDEN),
    ("cart_item", "cora", "patch", "/api/v1/cart/items/{ref}/", {"quantity": 7}, NOT_FOUND),
    ("cart_item", "cora", "delete", "/api/v1/cart/items/{ref}/", None, NOT_FOUND),
    ("cart_item", "sid", "delete", "/api/v1/cart/items/{ref}/", None, FORBIDDEN),
    ("return", "cora", "get", "/api/v1/returns/{ref}/", None, NOT_FOUND),
    ("return", "sid", "get", "/api/v1/returns/{ref}/", None, NOT_FOUND),
    ("return", "dina", "get", "/api/v1/returns/{ref}/", None, NOT_FOUND),
    ("return", "dina", "post", "/api/v1/returns/{ref}/receive/", None, NOT_FOUND),
    ("return", "dina", "post", "/api/v1/returns/{ref}/inspect/", INSPECTION, NOT_FOUND),
    ("return", "cora", "post", "/api/v1/returns/{ref}/approve/", {"penalty_points": 0}, NOT_FOUND),
    ("return", "cora", "post", "/api/v1/returns/{ref}/reject/", {"reason": "No."}, NOT_FOUND),
    ("pending_product", "sid", "get", "/api/v1/products/{ref}/", None, NOT_FOUND),
    ("pending_product", "cora", "get", "/api/v1/products/{ref}/", None, NOT_FOUND),
    ("pending_product", "sid", "patch", "/api/v1/products/{ref}/", {"price": "1.00", "is_active": False}, NOT_FOUND),
    ("pending_product", "sid", "patch", "/api/v1/products/{ref}/assign-brand/", {"brand": None}, NOT_FOUND),
    ("pending_product", "sid", "post", "/api/v1/products/{ref}/images/", {"file_id": UUID0}, NOT_FOUND),
    ("pending_auction", "sid", "get", "/api/v1/auctions/{ref}/", None, NOT_FOUND),
    ("pending_auction", "cora", "get", "/api/v1/auctions/{ref}/", None, NOT_FOUND),
    ("pending_auction", "cora", "post", "/api/v1/auctions/{ref}/bids/", {"amount": "50.00"}, NOT_FOUND),
    ("review", "cora", "patch", "/api/v1/reviews/{ref}/", {"rating": 1, "body": "awful"}, REVIEW_NOT_YOURS),
    ("review", "cora", "delete", "/api/v1/reviews/{ref}/", None, REVIEW_NOT_YOURS),
    ("review", "sid", "delete", "/api/v1/reviews/{ref}/", None, REVIEW_NOT_YOURS),
]


def _attack_id(attack: tuple[Any, ...]) -> str:
    kind, attacker, method, path, _body, _expected = attack
    tail = path.split("{ref}/")[1].strip("/") or "detail"
    return f"{kind}-{attacker}-{method}-{tail}"


# --------------------------------------------------------------------------------------------
# Fixtures and helpers
# --------------------------------------------------------------------------------------------


@pytest.fixture
def store(gamma: Tenant, client_for: ClientFor, login: Login) -> Store:
    """gamma's people; cal's delivery address carries the marker."""
    from tenant_apps.store.orders.services import profile_update

    made = make_store(gamma, client_for, login)
    with tenant_context(gamma):
        profile_update(
            user=made.cal,
            location_lat=Decimal("52.520008"),
            location_lng=Decimal("13.404954"),
            location_address=f"1 {SECRET} Road",
        )
    return made


@pytest.fixture
def victim(store: Store) -> Callable[[str], Victim]:
    """``victim(kind)``: a new object of cal's of that kind."""

    def make(kind: str) -> Victim:
        with tenant_context(store.tenant):
            return BUILDERS[kind](store)

    return make


def state_of(store: Store, target: Victim) -> Any:
    with tenant_context(store.tenant):
        return target.state()


def send(client: APIClient, method: str, path: str, ref: int, body: dict[str, Any] | None) -> ApiResponse:
    url = path.format(ref=ref)
    return getattr(client, method)(url, body, format="json") if body is not None else getattr(client, method)(url)


def answer(response: JsonResponse) -> tuple[int, str]:
    """What a client notices: the status and the error code (in the one error shape)."""
    return response.status_code, error_code(response)


def assert_no_secret(response: JsonResponse) -> None:
    text = response.content.decode("utf-8", "replace")
    assert SECRET not in text, text
    assert "cal@gamma.test" not in text, text


# --------------------------------------------------------------------------------------------
# (a) IDOR: another user of gamma
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "attacker", "method", "path", "body", "expected"), ATTACKS, ids=[_attack_id(a) for a in ATTACKS]
)
def test_another_user_of_the_store_gets_the_answer_of_a_nonexistent_id(
    store: Store,
    victim: Callable[[str], Victim],
    kind: str,
    attacker: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    expected: tuple[int, str],
) -> None:
    # given: an object of cal's
    target = victim(kind)
    before = state_of(store, target)
    client = store.client(attacker)
    # when: the attacker tries cal's id, then an id that does not exist
    response = send(client, method, path, target.ref, body)
    nonexistent = send(client, method, path, MISSING_INT, body)
    # then: nothing of cal's in the answer, nothing of cal's changed; where the object is hidden,
    # the same answer as for a missing id
    assert answer(response) == expected, response.content
    assert answer(nonexistent) == (NOT_FOUND if kind == "review" else expected), nonexistent.content
    assert_no_secret(response)
    assert state_of(store, target) == before


def test_the_owner_does_reach_her_objects(store: Store, victim: Callable[[str], Victim]) -> None:
    """Control: the attacks fail because of who asks, not because the objects are unreachable."""
    # given
    cal = store.client("cal")
    order, shipped, ret = victim("order"), victim("shipped_order"), victim("return")
    # when
    answers = [
        cal.get(f"/api/v1/orders/{order.ref}/"),
        cal.get(f"/api/v1/orders/{shipped.ref}/proof/"),
        cal.get(f"/api/v1/returns/{ret.ref}/"),
    ]
    # then
    for response in answers:
        assert response.status_code == 200, response.content
    assert SECRET in answers[0].content.decode()
    assert SECRET in answers[2].content.decode()


# --------------------------------------------------------------------------------------------
# (b) gamma's ids on delta, with delta's admin token
# --------------------------------------------------------------------------------------------


@pytest.fixture
def delta_admin(delta: Tenant, client_for: ClientFor, login: Login) -> APIClient:
    return client_for(delta, login(delta, "admin@delta.test")["access"])


@pytest.mark.parametrize(
    ("kind", "attacker", "method", "path", "body", "expected"), ATTACKS, ids=[_attack_id(a) for a in ATTACKS]
)
def test_gammas_id_on_delta_never_reaches_gammas_object(
    store: Store,
    victim: Callable[[str], Victim],
    delta_admin: APIClient,
    kind: str,
    attacker: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    expected: tuple[int, str],
) -> None:
    # given
    target = victim(kind)
    before = state_of(store, target)
    # when: delta's admin (who may see all of delta) sends the request with gamma's id to delta
    response = send(delta_admin, method, path, target.ref, body)
    nonexistent = send(delta_admin, method, path, MISSING_INT, body)
    # then: delta's answer for an unknown id, never gamma's data; gamma unchanged
    assert answer(response) == answer(nonexistent), response.content
    assert_no_secret(response)
    assert state_of(store, target) == before


LISTS = [f"/api/v1/{name}/" for name in ("products", "auctions", "orders", "returns", "reviews", "cart", "profile")] + [
    "/api/v1/delivery/orders/available/"
]


@pytest.mark.parametrize("attacker", ["cora", "sid", "dina", "delta_admin"])
@pytest.mark.parametrize("path", LISTS)
def test_lists_of_others_show_nothing_of_cals(
    store: Store, victim: Callable[[str], Victim], delta_admin: APIClient, path: str, attacker: str
) -> None:
    # given: one of cal's objects of every kind (and sam's pending product and auction)
    for kind in BUILDERS:
        victim(kind)
    client = delta_admin if attacker == "delta_admin" else store.client(attacker)
    # when
    response = client.get(path)
    # then: their own view (or refused), never cal's address, return, e-mail, sam's pending rows;
    # gamma's reviews are public on gamma only
    assert response.status_code in {200, 403}, response.content
    if path != "/api/v1/reviews/" or attacker == "delta_admin":
        assert_no_secret(response)


# --------------------------------------------------------------------------------------------
# (c) Mass assignment
# --------------------------------------------------------------------------------------------


def test_a_seller_cannot_approve_rate_or_give_away_their_product(store: Store) -> None:
    from tenant_apps.store.catalog.models import Product

    # given: sam's pending product
    with tenant_context(store.tenant):
        product = StoreProductFactory(seller=store.sam)
    # when
    response = store.client("sam").patch(
        f"/api/v1/products/{product.pk}/",
        {
            "title": "Renamed",
            "status": "approved",
            "seller": store.sid.pk,
            "avg_rating": "5.00",
            "ratings_count": 999,
            "rejection_reason": "forged",
        },
        format="json",
    )
    # then: the title changed; the forbidden fields were ignored
    assert response.status_code == 200, response.content
    with tenant_context(store.tenant):
        stored = _read(Product, product.pk, "title", "status", "seller_id", "avg_rating", "ratings_count")
        reason = _read(Product, product.pk, "rejection_reason")
    assert stored == ("Renamed", "pending", store.sam.pk, Decimal("0.00"), 0)
    assert reason == ("",)


def test_a_review_is_always_its_authors_and_of_her_own_order(store: Store) -> None:
    from tenant_apps.store.reviews.models import Review

    # given: a delivered order of cal's and one of cora's
    with tenant_context(store.tenant):
        cals = StoreOrderFactory(buyer=store.cal, seller=store.sam, courier=store.dave, delivered=True)
        coras = StoreOrderFactory(buyer=store.cora, seller=store.sam, courier=store.dave, delivered=True)
        cals_product, coras_product = (o.items.get().product_id for o in (cals, coras))
    cora = store.client("cora")
    # when: cora reviews cal's order, then her own order naming cal as the author
    on_cals_order = cora.post(
        "/api/v1/reviews/", {"order": cals.pk, "product": cals_product, "rating": 1, "author": store.cal.pk}
    )
    as_cal = cora.post(
        "/api/v1/reviews/", {"order": coras.pk, "product": coras_product, "rating": 2, "author": store.cal.pk}
    )
    # then: cal's order is not found; the review of cora's order is cora's
    assert answer(on_cals_order) == NOT_FOUND, on_cals_order.content
    assert as_cal.status_code == 201, as_cal.content
    with tenant_context(store.tenant):
        assert not Review.objects.filter(order=cals).exists()
        assert list(Review.objects.filter(order=coras).values_list("author_id", flat=True)) == [store.cora.pk]


def test_a_profile_patch_cannot_move_to_another_user(store: Store) -> None:
    from tenant_apps.store.shop.models import StoreProfile

    # given
    with tenant_context(store.tenant):
        cals_before = _read(StoreProfile, store.cal.store_profile.pk, "location_address", "user_id")
    # when
    response = store.client("cora").patch(
        "/api/v1/profile/", {"user": store.cal.pk, "location_address": "Cora's new address"}, format="json"
    )
    # then: cora's own profile changed; cal's did not
    assert response.status_code == 200, response.content
    with tenant_context(store.tenant):
        assert StoreProfile.objects.get(user=store.cora).location_address == "Cora's new address"
        assert _read(StoreProfile, store.cal.store_profile.pk, "location_address", "user_id") == cals_before


def test_cart_and_checkout_bodies_cannot_set_prices(store: Store) -> None:
    from tenant_apps.store.orders.models import CartItem, Order
    from tenant_apps.wallet.models import Wallet

    # given: an approved product at 25.00; cora has 1000.00
    with tenant_context(store.tenant):
        product = StoreProductFactory(seller=store.sam, price="25.00", approved=True)
    cora = store.client("cora")
    forged = {"unit_price": "0.01", "price": "0.01", "total": "0.01", "line_total": "0.01"}
    # when: she adds it with forged prices, then checks out with a forged total
    added = cora.post("/api/v1/cart/items/", {"product": product.pk, "quantity": 2, **forged}, format="json")
    checkout = cora.post("/api/v1/orders/checkout/", forged, format="json")
    # then: both succeed at the real price (the forged fields are ignored)
    assert added.status_code == 201, added.content
    assert checkout.status_code == 201, checkout.content
    with tenant_context(store.tenant):
        order = Order.objects.get(pk=checkout.json()["id"])
        assert order.total == Decimal("50.00")
        assert [item.unit_price for item in order.items.all()] == [Decimal("25.00")]
        assert not CartItem.objects.filter(buyer=store.cora).exists()
        wallet = Wallet.objects.get(user=store.cora)
        assert wallet.balance + wallet.held_balance == Decimal("1000.00")
        assert wallet.held_balance == Decimal("50.00")


def test_an_auction_is_created_pending_without_a_price_or_leader(store: Store) -> None:
    from tenant_apps.store.auctions.models import Auction

    # given
    starts = timezone.now() + timedelta(hours=1)
    body = {
        "title": "Vase",
        "starting_price": "10.00",
        "min_increment": "1.00",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "status": "scheduled",
        "current_price": "999.00",
        "leader": store.cora.pk,
        "bids_count": 5,
        "seller": store.sid.pk,
    }
    # when
    response = store.client("sam").post("/api/v1/auctions/", body, format="json")
    # then
    assert response.status_code == 201, response.content
    with tenant_context(store.tenant):
        stored = _read(
            Auction, response.json()["id"], "status", "current_price", "leader_id", "bids_count", "seller_id"
        )
    assert stored == ("pending", None, None, 0, store.sam.pk)


def test_a_customer_cannot_return_anothers_order(store: Store, victim: Callable[[str], Victim]) -> None:
    from tenant_apps.store.returns.models import ReturnRequest

    # given: cal's delivered order (under her return) and the id of one of its items
    target = victim("return")
    with tenant_context(store.tenant):
        made = ReturnRequest.objects.get(pk=target.ref)
        order_id, item_id = made.order_id, made.items.get().order_item_id
        ReturnRequest.objects.filter(pk=made.pk).delete()
    body = {"order": order_id, "items": [{"order_item": item_id, "quantity": 1}], "reason": "mine"}
    # when
    response = store.client("cora").post("/api/v1/returns/", body, format="json")
    nonexistent = store.client("cora").post("/api/v1/returns/", {**body, "order": MISSING_INT}, format="json")
    # then
    assert answer(response) == answer(nonexistent) == NOT_FOUND, response.content
    assert_no_secret(response)
    with tenant_context(store.tenant):
        assert not ReturnRequest.objects.filter(order_id=order_id).exists()


def test_a_new_product_is_pending_and_its_sellers_whatever_the_body(store: Store) -> None:
    from tenant_apps.store.catalog.models import Product

    # given
    with tenant_context(store.tenant):
        category = CategoryFactory()
    body = {
        "title": "Chair",
        "category": category.pk,
        "price": "30.00",
        "stock": 3,
        "status": "approved",
        "seller": store.sid.pk,
        "avg_rating": "5.00",
        "ratings_count": 999,
        "rejection_reason": "forged",
        "currency": "XXX",
    }
    # when
    response = store.client("sam").post("/api/v1/products/", body, format="json")
    # then: created (the forbidden fields ignored), pending, sam's, no ratings, the site's currency
    assert response.status_code == 201, response.content
    with tenant_context(store.tenant):
        fields = ("status", "seller_id", "avg_rating", "ratings_count", "rejection_reason", "currency")
        stored = _read(Product, response.json()["id"], *fields)
    assert stored[:5] == ("pending", store.sam.pk, Decimal("0.00"), 0, "")
    assert stored[5] != "XXX"


def test_an_author_cannot_move_her_review_to_another_order_product_or_author(store: Store) -> None:
    from tenant_apps.store.reviews.models import Review

    # given: cal's review of her order, and cora's delivered order
    with tenant_context(store.tenant):
        review = ReviewFactory(order=_order(store, "delivered"), rating=4)
        coras = StoreOrderFactory(buyer=store.cora, seller=store.sid, courier=store.dave, delivered=True)
        before = _read(Review, review.pk, "order_id", "product_id", "author_id")
    # when
    response = store.client("cal").patch(
        f"/api/v1/reviews/{review.pk}/",
        {
            "rating": 2,
            "order": coras.pk,
            "product": coras.items.get().product_id,
            "author": store.cora.pk,
            "created_at": "2000-01-01T00:00:00Z",
        },
        format="json",
    )
    # then: the rating changed, nothing else
    assert response.status_code == 200, response.content
    with tenant_context(store.tenant):
        assert _read(Review, review.pk, "order_id", "product_id", "author_id") == before
        assert Review.objects.get(pk=review.pk).rating == 2
        assert Review.objects.get(pk=review.pk).created_at.year != 2000
