"""Products and lessons: everyone sees the outline; the video URLs need a completed payment (or staff)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.payments.models import Invoice
from tests.fixture_types import ApiAsOrAnonymous, Buy, MakeProduct, PaidStudent, Pay
from tests.tenant_apps.school.lessons.conftest import PRODUCTS, error_code


def _video_urls(product_body: dict[str, Any]) -> list[str]:
    return [lesson["video_url"] for lesson in product_body["lessons"]]


def test_anyone_sees_published_products_with_the_outline_but_no_video_urls(
    alpha: Tenant, api: ApiAsOrAnonymous, make_product: MakeProduct
) -> None:
    # given
    product = make_product(alpha, lessons=3)
    make_product(alpha, title="Draft course", is_published=False)
    # when
    response = api(alpha).get(PRODUCTS)
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert [p["title"] for p in body["results"]] == ["Python from zero"]
    item = body["results"][0]
    assert item["id"] == product.pk
    assert (item["access"], item["lesson_count"], item["price"], item["currency"]) == ("outline", 3, "100.00", "USD")
    assert [lesson["title"] for lesson in item["lessons"]] == ["Lesson 1", "Lesson 2", "Lesson 3"]
    assert _video_urls(item) == [None, None, None]
    assert item["purchase"] is None
    assert item["author"]["name"] == "Ada"


def test_a_student_who_has_not_paid_gets_the_outline_and_payment_required_for_the_lessons(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous, make_product: MakeProduct, buy: Buy
) -> None:
    # given: a pending purchase (invoice issued, nothing paid)
    product = make_product(alpha)
    purchase = buy(alpha, people.student, product)
    client = api(alpha, "student@alpha.test")
    # when
    detail = client.get(f"{PRODUCTS}{product.pk}/")
    lessons = client.get(f"{PRODUCTS}{product.pk}/lessons/")
    # then
    assert detail.status_code == 200
    assert detail.json()["access"] == "outline"
    assert _video_urls(detail.json()) == [None, None, None]
    assert detail.json()["purchase"]["status"] == "pending"
    assert lessons.status_code == 403
    assert error_code(lessons) == "payment_required"
    assert lessons.json()["error"]["details"] == {
        "product": product.pk,
        "purchase": purchase.pk,
        "invoice": purchase.invoice_id,
        "invoice_status": "unpaid",
    }


def test_a_partial_payment_does_not_unlock_the_lessons(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous, make_product: MakeProduct, buy: Buy, pay: Pay
) -> None:
    # given: 40.00 of 100.00 paid and approved
    product = make_product(alpha)
    purchase = pay(alpha, buy(alpha, people.student, product), "40.00")
    client = api(alpha, "student@alpha.test")
    # when
    detail = client.get(f"{PRODUCTS}{product.pk}/")
    lessons = client.get(f"{PRODUCTS}{product.pk}/lessons/")
    # then
    assert purchase.status == "pending"
    assert detail.json()["access"] == "outline"
    assert detail.json()["purchase"]["invoice_status"] == "partially_paid"
    assert _video_urls(detail.json()) == [None, None, None]
    assert (lessons.status_code, error_code(lessons)) == (403, "payment_required")


def test_the_full_payment_unlocks_the_lessons_with_their_video_urls(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous, make_product: MakeProduct, buy: Buy, pay: Pay
) -> None:
    # given: paid in two halves
    product = make_product(alpha)
    purchase = buy(alpha, people.student, product)
    pay(alpha, purchase, "40.00")
    purchase = pay(alpha, purchase)
    client = api(alpha, "student@alpha.test")
    # when
    detail = client.get(f"{PRODUCTS}{product.pk}/")
    lessons = client.get(f"{PRODUCTS}{product.pk}/lessons/")
    listing = client.get(PRODUCTS)
    # then
    assert purchase.status == "paid" and purchase.paid_at is not None
    expected = [f"https://videos.example.com/{product.slug}/{n}" for n in (1, 2, 3)]
    assert detail.json()["access"] == "full"
    assert _video_urls(detail.json()) == expected
    assert lessons.status_code == 200, lessons.content
    assert [(lesson["order"], lesson["video_url"]) for lesson in lessons.json()["results"]] == list(
        zip((1, 2, 3), expected, strict=True)
    )
    assert _video_urls(listing.json()["results"][0]) == expected


def test_another_students_payment_unlocks_nothing_for_me(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous, make_product: MakeProduct, paid_student: PaidStudent
) -> None:
    # given
    product = make_product(alpha)
    paid_student(alpha, product, "payer@alpha.test")
    # when
    response = api(alpha, "other@alpha.test").get(f"{PRODUCTS}{product.pk}/lessons/")
    # then
    assert (response.status_code, error_code(response)) == (403, "payment_required")
    assert response.json()["error"]["details"] == {"product": product.pk}


@pytest.mark.parametrize(
    ("email", "access"),
    [
        ("admin@alpha.test", "full"),
        ("teacher@alpha.test", "full"),
        ("support@alpha.test", "full"),
        ("financial@alpha.test", "outline"),
        ("student@alpha.test", "outline"),
    ],
)
def test_staff_see_the_full_lessons_without_paying(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous, make_product: MakeProduct, email: str, access: str
) -> None:
    # given
    product = make_product(alpha)
    client = api(alpha, email)
    # when
    detail = client.get(f"{PRODUCTS}{product.pk}/")
    lessons = client.get(f"{PRODUCTS}{product.pk}/lessons/")
    # then
    assert detail.json()["access"] == access
    assert (None in _video_urls(detail.json())) is (access == "outline")
    assert lessons.status_code == (200 if access == "full" else 403)


def test_anonymous_users_must_sign_in_for_the_lessons(
    alpha: Tenant, api: ApiAsOrAnonymous, make_product: MakeProduct
) -> None:
    # given
    product = make_product(alpha)
    # when
    response = api(alpha).get(f"{PRODUCTS}{product.pk}/lessons/")
    # then
    assert (response.status_code, error_code(response)) == (401, "not_authenticated")


def test_a_student_orders_a_product_and_gets_a_pending_purchase_with_its_invoice(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous, make_product: MakeProduct
) -> None:
    # given
    product = make_product(alpha)
    # when
    response = api(alpha, "student@alpha.test").post(f"{PRODUCTS}{product.pk}/purchase/")
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["invoice_status"], body["total"], body["currency"]) == (
        "pending",
        "unpaid",
        "100.00",
        "USD",
    )
    assert body["product"] == {"id": product.pk, "title": product.title, "slug": product.slug}
    assert body["group"] is None
    from tenant_apps.audit.models import AuditLogEntry
    from tenant_apps.payments.models import Invoice

    with tenant_context(alpha):
        invoice = Invoice.objects.get(pk=body["invoice"])
        assert (invoice.customer_id, invoice.total, invoice.number) == (
            people.student.pk,
            product.price,
            body["invoice_number"],
        )
        assert AuditLogEntry.objects.filter(verb="product.purchased", target_id=str(body["id"])).count() == 1
    # and the student can pay it through the invoices API
    invoices = api(alpha, "student@alpha.test").get("/api/v1/invoices/").json()["results"]
    assert body["invoice"] in [i["id"] for i in invoices]


def test_a_second_order_of_the_same_product_answers_409_already_purchased(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous, make_product: MakeProduct
) -> None:
    # given
    product = make_product(alpha)
    client = api(alpha, "student@alpha.test")
    first = client.post(f"{PRODUCTS}{product.pk}/purchase/").json()
    # when
    second = client.post(f"{PRODUCTS}{product.pk}/purchase/")
    # then
    assert (second.status_code, error_code(second)) == (409, "already_purchased")
    assert second.json()["error"]["details"] == {
        "purchase": first["id"],
        "status": "pending",
        "invoice": first["invoice"],
    }
    from tenant_apps.school.lessons.models import ProductPurchase

    with tenant_context(alpha):
        assert ProductPurchase.objects.filter(student=people.student, product=product).count() == 1


def test_the_database_refuses_two_live_purchases_of_one_product_by_one_student(
    alpha: Tenant, people: SimpleNamespace, make_product: MakeProduct, buy: Buy
) -> None:
    # given
    from django.db import IntegrityError, transaction

    from tenant_apps.school.lessons.models import ProductPurchase

    product = make_product(alpha)
    buy(alpha, people.student, product)
    # when / then: even a write that skips the service's check
    with (
        tenant_context(alpha),
        pytest.raises(IntegrityError, match="lessons_purchase_one_live_per_student"),
        transaction.atomic(),
    ):
        ProductPurchase.objects.create(student=people.student, product=product, invoice=_another_invoice(people))


def _another_invoice(people: SimpleNamespace) -> Invoice:
    from tests.factories import InvoiceFactory, in_days

    return InvoiceFactory(
        customer=people.student,
        due_date=in_days(1),
        lines=[{"description": "x", "quantity": 1, "unit_price": "1.00"}],
    )


def test_after_the_invoice_is_cancelled_the_student_may_order_again(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous, make_product: MakeProduct, buy: Buy
) -> None:
    # given: the first order's invoice cancelled by the financial user
    from tenant_apps.payments.services import invoice_cancel

    product = make_product(alpha)
    first = buy(alpha, people.student, product)
    with tenant_context(alpha):
        invoice_cancel(invoice=first.invoice, actor=people.financial, reason="Wrong price")
    client = api(alpha, "student@alpha.test")
    assert client.get(f"{PRODUCTS}mine/").json()["results"][0]["status"] == "cancelled"
    # when
    response = client.post(f"{PRODUCTS}{product.pk}/purchase/")
    # then
    assert response.status_code == 201, response.content
    with tenant_context(alpha):
        first.refresh_from_db()
    assert first.status == "cancelled"
    assert [p["status"] for p in client.get(f"{PRODUCTS}mine/").json()["results"]] == ["pending", "cancelled"]


def test_a_paid_product_cannot_be_ordered_again(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous, make_product: MakeProduct, buy: Buy, pay: Pay
) -> None:
    # given
    product = make_product(alpha)
    pay(alpha, buy(alpha, people.student, product))
    # when
    response = api(alpha, "student@alpha.test").post(f"{PRODUCTS}{product.pk}/purchase/")
    # then
    assert (response.status_code, error_code(response)) == (409, "already_purchased")
    assert response.json()["error"]["details"]["status"] == "paid"


@pytest.mark.parametrize(
    "email", ["teacher@alpha.test", "support@alpha.test", "financial@alpha.test", "admin@alpha.test"]
)
def test_only_students_order_products(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous, make_product: MakeProduct, email: str
) -> None:
    # given
    product = make_product(alpha)
    # when
    response = api(alpha, email).post(f"{PRODUCTS}{product.pk}/purchase/")
    # then
    assert (response.status_code, error_code(response)) == (403, "permission_denied")


def test_an_unpublished_product_is_hidden_and_cannot_be_ordered(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous, make_product: MakeProduct
) -> None:
    # given
    product = make_product(alpha, is_published=False)
    client = api(alpha, "student@alpha.test")
    # when
    detail = client.get(f"{PRODUCTS}{product.pk}/")
    order = client.post(f"{PRODUCTS}{product.pk}/purchase/")
    # then
    assert (detail.status_code, error_code(detail)) == (404, "not_found")
    assert (order.status_code, error_code(order)) == (404, "not_found")
    assert api(alpha, "teacher@alpha.test").get(f"{PRODUCTS}{product.pk}/").status_code == 200


def test_a_buyer_keeps_the_lessons_of_a_product_taken_off_sale(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous, make_product: MakeProduct, buy: Buy, pay: Pay
) -> None:
    # given
    from tenant_apps.school.lessons.services import product_update

    product = make_product(alpha)
    pay(alpha, buy(alpha, people.student, product))
    with tenant_context(alpha):
        product_update(actor=people.admin, product=product, is_published=False)
    # when
    mine = api(alpha, "student@alpha.test").get(f"{PRODUCTS}{product.pk}/lessons/")
    others = api(alpha, "other@alpha.test").get(f"{PRODUCTS}{product.pk}/")
    # then
    assert mine.status_code == 200
    assert others.status_code == 404


def test_my_purchases_show_the_payment_state_and_the_group_once_paid(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous, make_product: MakeProduct, buy: Buy, pay: Pay
) -> None:
    # given: one product paid, one partially paid
    paid_product = make_product(alpha, title="Paid course")
    half_product = make_product(alpha, title="Half course")
    pay(alpha, buy(alpha, people.student, paid_product))
    pay(alpha, buy(alpha, people.student, half_product), "30.00")
    # when
    response = api(alpha, "student@alpha.test").get(f"{PRODUCTS}mine/")
    # then
    assert response.status_code == 200
    rows = {r["product"]["title"]: r for r in response.json()["results"]}
    assert (
        rows["Paid course"]["status"],
        rows["Paid course"]["invoice_status"],
        rows["Paid course"]["amount_paid"],
    ) == ("paid", "paid", "100.00")
    assert rows["Paid course"]["group"]["name"] == "Paid course #1"
    assert (
        rows["Half course"]["status"],
        rows["Half course"]["invoice_status"],
        rows["Half course"]["amount_paid"],
        rows["Half course"]["group"],
    ) == ("pending", "partially_paid", "30.00", None)
    assert api(alpha, "other@alpha.test").get(f"{PRODUCTS}mine/").json()["count"] == 0


def test_products_are_searchable_filterable_and_paginated(
    alpha: Tenant, api: ApiAsOrAnonymous, make_product: MakeProduct
) -> None:
    # given
    make_product(alpha, title="Python from zero", price="50.00")
    make_product(alpha, title="Django in depth", price="150.00")
    client = api(alpha)
    # when / then
    assert [p["title"] for p in client.get(PRODUCTS, {"search": "django"}).json()["results"]] == ["Django in depth"]
    assert [p["title"] for p in client.get(PRODUCTS, {"price_max": "100"}).json()["results"]] == ["Python from zero"]
    assert [p["title"] for p in client.get(PRODUCTS, {"ordering": "-price"}).json()["results"]] == [
        "Django in depth",
        "Python from zero",
    ]
    page = client.get(PRODUCTS, {"page_size": 1}).json()
    assert (page["count"], len(page["results"])) == (2, 1)
    assert client.get(PRODUCTS, {"author": "x"}).status_code == 400


def test_the_product_list_costs_the_same_queries_for_one_product_or_many(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous, make_product: MakeProduct, buy: Buy, pay: Pay
) -> None:
    # given: a student with a paid and a pending purchase
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pay(alpha, buy(alpha, people.student, make_product(alpha, title="A")))
    buy(alpha, people.student, make_product(alpha, title="B"))
    client = api(alpha, "student@alpha.test")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(PRODUCTS).status_code == 200
        return len(captured)

    few = queries()
    # when: three more products, one more purchase each of paid and pending
    for title in ("C", "D", "E"):
        make_product(alpha, title=title, lessons=5)
    pay(alpha, buy(alpha, people.student, make_product(alpha, title="F")))
    buy(alpha, people.student, make_product(alpha, title="G"))
    # then
    assert queries() == few


def test_one_lesson_is_served_to_paid_buyers_only_and_only_under_its_own_product(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous, make_product: MakeProduct, buy: Buy, pay: Pay
) -> None:
    # given
    product = make_product(alpha)
    other = make_product(alpha, title="Other")
    pay(alpha, buy(alpha, people.student, product))
    pay(alpha, buy(alpha, people.student, other))
    with tenant_context(alpha):
        lesson = product.lessons.get(order=2)
    url = f"{PRODUCTS}{product.pk}/lessons/{lesson.pk}/"
    # when
    paid = api(alpha, "student@alpha.test").get(url)
    unpaid = api(alpha, "other@alpha.test").get(url)
    wrong_product = api(alpha, "student@alpha.test").get(f"{PRODUCTS}{other.pk}/lessons/{lesson.pk}/")
    # then
    assert (paid.status_code, paid.json()["video_url"]) == (200, f"https://videos.example.com/{product.slug}/2")
    assert (unpaid.status_code, error_code(unpaid)) == (403, "payment_required")
    assert (wrong_product.status_code, error_code(wrong_product)) == (404, "not_found")
