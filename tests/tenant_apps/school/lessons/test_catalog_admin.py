"""Admins create, change and delete authors, products and lessons; nobody else may."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tests.fixture_types import ApiAsOrAnonymous, Buy, MakeProduct
from tests.tenant_apps.school.lessons.conftest import PRODUCTS, error_code

AUTHORS = "/api/v1/authors/"


def _audit_verbs(tenant: Tenant) -> list[str]:
    from tenant_apps.audit.models import AuditLogEntry

    with tenant_context(tenant):
        return list(AuditLogEntry.objects.order_by("id").values_list("verb", flat=True))


def test_an_admin_builds_a_product_with_lessons_through_the_api(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous
) -> None:
    # given
    client = api(alpha, "admin@alpha.test")
    # when
    author = client.post(AUTHORS, {"name": "Grace Hopper", "bio": "Compilers."})
    product = client.post(
        PRODUCTS,
        {
            "title": "COBOL today",
            "author": author.json()["id"],
            "price": "25.50",
            "currency": "eur",
            "is_published": True,
            "groups_per_batch": 2,
            "max_group_size": 5,
        },
    )
    first = client.post(
        f"{PRODUCTS}{product.json()['id']}/lessons/", {"title": "Hello", "video_url": "https://videos.example.com/1"}
    )
    second = client.post(
        f"{PRODUCTS}{product.json()['id']}/lessons/", {"title": "Records", "video_url": "https://videos.example.com/2"}
    )
    # then
    assert author.status_code == 201, author.content
    assert product.status_code == 201, product.content
    body = product.json()
    assert (body["slug"], body["price"], body["currency"], body["groups_per_batch"], body["max_group_size"]) == (
        "cobol-today",
        "25.50",
        "EUR",
        2,
        5,
    )
    assert (first.status_code, first.json()["order"], second.json()["order"]) == (201, 1, 2)
    detail = client.get(f"{PRODUCTS}{body['id']}/").json()
    assert [(lesson["order"], lesson["title"]) for lesson in detail["lessons"]] == [(1, "Hello"), (2, "Records")]
    assert detail["access"] == "full"
    assert {"author.created", "product.created", "lesson.created"} <= set(_audit_verbs(alpha))


def test_an_admin_edits_and_deletes_lessons_and_orders_stay_unique(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous, make_product: MakeProduct
) -> None:
    # given
    product = make_product(alpha, lessons=2)
    client = api(alpha, "admin@alpha.test")
    lessons = client.get(f"{PRODUCTS}{product.pk}/lessons/").json()["results"]
    # when
    clash = client.patch(f"{PRODUCTS}{product.pk}/lessons/{lessons[1]['id']}/", {"order": 1})
    duplicate = client.post(
        f"{PRODUCTS}{product.pk}/lessons/", {"title": "Again", "order": 2, "video_url": "https://videos.example.com/x"}
    )
    moved = client.patch(f"{PRODUCTS}{product.pk}/lessons/{lessons[1]['id']}/", {"order": 5, "title": "Last"})
    deleted = client.delete(f"{PRODUCTS}{product.pk}/lessons/{lessons[0]['id']}/")
    # then
    assert (clash.status_code, error_code(clash)) == (409, "lesson_order_taken")
    assert (duplicate.status_code, error_code(duplicate)) == (409, "lesson_order_taken")
    assert (moved.status_code, moved.json()["order"], moved.json()["title"]) == (200, 5, "Last")
    assert deleted.status_code == 204
    remaining = client.get(f"{PRODUCTS}{product.pk}/lessons/").json()["results"]
    assert [(lesson["order"], lesson["title"]) for lesson in remaining] == [(5, "Last")]


def test_a_bad_price_currency_or_video_url_answers_400(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous, make_product: MakeProduct
) -> None:
    # given
    product = make_product(alpha)
    client = api(alpha, "admin@alpha.test")
    author_id = product.author_id
    # when
    zero = client.post(PRODUCTS, {"title": "Free", "author": author_id, "price": "0", "currency": "USD"})
    fractional_yen = client.post(PRODUCTS, {"title": "Yen", "author": author_id, "price": "10.50", "currency": "JPY"})
    money = client.post(PRODUCTS, {"title": "Money", "author": author_id, "price": "10", "currency": "XXX"})
    video = client.post(f"{PRODUCTS}{product.pk}/lessons/", {"title": "Bad", "video_url": "not a url"})
    # then
    assert (zero.status_code, error_code(zero)) == (400, "invalid_amount")
    assert (fractional_yen.status_code, error_code(fractional_yen)) == (400, "invalid_amount")
    assert (money.status_code, error_code(money)) == (400, "invalid_currency")
    assert (video.status_code, error_code(video)) == (400, "validation_error")


def test_a_taken_slug_answers_409_and_titles_get_unique_slugs(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous, make_product: MakeProduct
) -> None:
    # given
    product = make_product(alpha, title="Python from zero")
    client = api(alpha, "admin@alpha.test")
    # when
    taken = client.post(
        PRODUCTS,
        {"title": "Other", "slug": product.slug, "author": product.author_id, "price": "1.00", "currency": "USD"},
    )
    same_title = client.post(
        PRODUCTS, {"title": "Python from zero", "author": product.author_id, "price": "1.00", "currency": "USD"}
    )
    # then
    assert (taken.status_code, error_code(taken)) == (409, "slug_taken")
    assert (same_title.status_code, same_title.json()["slug"]) == (201, "python-from-zero-2")


def test_a_product_that_was_bought_cannot_be_deleted_but_can_be_unpublished(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous, make_product: MakeProduct, buy: Buy
) -> None:
    # given
    product = make_product(alpha)
    unsold = make_product(alpha, title="Unsold")
    buy(alpha, people.student, product)
    client = api(alpha, "admin@alpha.test")
    # when
    refused = client.delete(f"{PRODUCTS}{product.pk}/")
    unpublished = client.patch(f"{PRODUCTS}{product.pk}/", {"is_published": False, "price": "120.00"})
    deleted = client.delete(f"{PRODUCTS}{unsold.pk}/")
    # then
    assert (refused.status_code, error_code(refused)) == (409, "product_has_purchases")
    assert (unpublished.status_code, unpublished.json()["is_published"], unpublished.json()["price"]) == (
        200,
        False,
        "120.00",
    )
    assert deleted.status_code == 204
    from tenant_apps.school.lessons.models import Lesson, Product

    with tenant_context(alpha):
        assert not Product.objects.filter(pk=unsold.pk).exists()
        assert not Lesson.objects.filter(product_id=unsold.pk).exists()
        assert product.purchases.get().invoice.total == product.price  # the issued invoice keeps its price


def test_an_author_with_products_cannot_be_deleted(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous, make_product: MakeProduct
) -> None:
    # given
    product = make_product(alpha)
    client = api(alpha, "admin@alpha.test")
    lonely = client.post(AUTHORS, {"name": "Nobody"}).json()
    # when
    refused = client.delete(f"{AUTHORS}{product.author_id}/")
    deleted = client.delete(f"{AUTHORS}{lonely['id']}/")
    # then
    assert (refused.status_code, error_code(refused)) == (409, "author_has_products")
    assert deleted.status_code == 204
    assert [a["name"] for a in api(alpha).get(AUTHORS).json()["results"]] == ["Ada"]


@pytest.mark.parametrize(
    "email", ["teacher@alpha.test", "support@alpha.test", "financial@alpha.test", "student@alpha.test"]
)
def test_only_admins_edit_the_catalogue(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous, make_product: MakeProduct, email: str
) -> None:
    # given
    product = make_product(alpha)
    lesson_id = api(alpha, "admin@alpha.test").get(f"{PRODUCTS}{product.pk}/lessons/").json()["results"][0]["id"]
    client = api(alpha, email)
    # when
    responses = [
        client.post(AUTHORS, {"name": "X"}),
        client.patch(f"{AUTHORS}{product.author_id}/", {"name": "X"}),
        client.delete(f"{AUTHORS}{product.author_id}/"),
        client.post(PRODUCTS, {"title": "X", "author": product.author_id, "price": "1.00", "currency": "USD"}),
        client.patch(f"{PRODUCTS}{product.pk}/", {"title": "X"}),
        client.delete(f"{PRODUCTS}{product.pk}/"),
        client.post(f"{PRODUCTS}{product.pk}/lessons/", {"title": "X", "video_url": "https://x.example.com/"}),
        client.patch(f"{PRODUCTS}{product.pk}/lessons/{lesson_id}/", {"title": "X"}),
        client.delete(f"{PRODUCTS}{product.pk}/lessons/{lesson_id}/"),
    ]
    # then
    assert [(r.status_code, error_code(r)) for r in responses] == [(403, "permission_denied")] * len(responses)
    assert api(alpha).post(AUTHORS, {"name": "X"}).status_code == 401
    with tenant_context(alpha):
        product.refresh_from_db()
    assert product.title == "Python from zero"


def test_the_services_check_the_role_too(alpha: Tenant, people: SimpleNamespace, make_product: MakeProduct) -> None:
    # given
    from saas.api.errors import ApplicationError
    from tenant_apps.school.lessons.services import product_update

    product = make_product(alpha)
    # when / then
    with tenant_context(alpha), pytest.raises(ApplicationError) as raised:
        product_update(actor=people.teacher, product=product, title="Hijacked")
    assert raised.value.code == "permission_denied"
