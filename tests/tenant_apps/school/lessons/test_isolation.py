"""Tenancy: a school's products, purchases and groups live in its own schema; other kinds have none."""

from __future__ import annotations

from types import SimpleNamespace

from django.db import connection
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tests.fixture_types import ApiAsOrAnonymous, Buy, ClientFor, Login, MakeProduct, MakeUser, Pay
from tests.tenant_apps.school.lessons.conftest import GROUPS, PRODUCTS, error_code


def test_alphas_products_and_groups_are_invisible_on_beta(
    alpha: Tenant,
    beta: Tenant,
    people: SimpleNamespace,
    api: ApiAsOrAnonymous,
    make_product: MakeProduct,
    buy: Buy,
    pay: Pay,
    make_user: MakeUser,
) -> None:
    # given: a paid product with groups in alpha, a staff user in beta
    from tenant_apps.school.lessons.models import GroupMembership, Product, ProductPurchase, StudyGroup

    product = make_product(alpha)
    pay(alpha, buy(alpha, people.student, product))
    make_user(beta, "teacher@beta.test", roles=["teacher"])
    beta_staff = api(beta, "teacher@beta.test")
    # when
    listing = api(beta).get(PRODUCTS)
    detail = beta_staff.get(f"{PRODUCTS}{product.pk}/")
    groups = beta_staff.get(f"{PRODUCTS}{product.pk}/groups/")
    # then
    assert listing.status_code == 200 and listing.json()["count"] == 0
    assert (detail.status_code, error_code(detail)) == (404, "not_found")
    assert (groups.status_code, error_code(groups)) == (404, "not_found")
    with tenant_context(beta):
        assert (
            Product.objects.count(),
            ProductPurchase.objects.count(),
            StudyGroup.objects.count(),
            GroupMembership.objects.count(),
        ) == (0, 0, 0, 0)
    with tenant_context(alpha):
        assert (Product.objects.count(), StudyGroup.objects.count(), GroupMembership.objects.count()) == (1, 3, 1)


def test_an_alpha_token_is_refused_on_beta(
    alpha: Tenant, beta: Tenant, people: SimpleNamespace, client_for: ClientFor, login: Login, make_product: MakeProduct
) -> None:
    # given
    make_product(alpha)
    token = login(alpha, "student@alpha.test")["access"]
    # when
    response = client_for(beta, token).get(f"{GROUPS}mine/")
    # then
    assert (response.status_code, error_code(response)) == (401, "token_not_valid")


def test_a_store_host_serves_no_school_products_lessons_or_groups(gamma: Tenant, api: ApiAsOrAnonymous) -> None:
    # when: the store has a catalog of its own at the same path, and nothing of the school's
    products = api(gamma).get(PRODUCTS)
    responses = [
        api(gamma).get(f"{PRODUCTS}1/lessons/"),
        api(gamma).get(f"{GROUPS}mine/"),
        api(gamma).get("/api/v1/authors/"),
    ]
    # then
    assert products.status_code == 200
    assert all("lessons_count" not in row and "author" not in row for row in products.json()["results"])
    assert [(r.status_code, error_code(r)) for r in responses] == [(404, "not_found")] * 3


def test_a_store_schema_has_no_lessons_tables(gamma: Tenant) -> None:
    # when
    with tenant_context(gamma), connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s AND table_name LIKE 'lessons\\_%%'",
            [gamma.schema_name],
        )
        (count,) = cursor.fetchone()
    # then
    assert count == 0


def test_paying_an_invoice_on_a_store_is_untouched_by_the_lessons_receiver(gamma: Tenant, make_user: MakeUser) -> None:
    # given: a store invoice and its offline payment (the invoice_paid receiver runs on every kind)
    from tenant_apps.accounts.models import User
    from tenant_apps.payments.services import payment_approve
    from tests.factories import InvoiceFactory, PaymentFactory, in_days

    customer = make_user(gamma, "customer@gamma.test", roles=["customer"])
    with tenant_context(gamma):
        admin = User.objects.get(email="admin@gamma.test")
        invoice = InvoiceFactory(
            customer=customer,
            due_date=in_days(3),
            lines=[{"description": "Lamp", "quantity": 1, "unit_price": "20.00"}],
        )
        payment = PaymentFactory(invoice=invoice, amount="20.00", tracking_code="G-1", receipt__name="r.pdf")
        # when
        payment_approve(payment=payment, actor=admin)
        # then
        invoice.refresh_from_db()
        assert invoice.status == "paid"
