"""Helpers of the lessons tests: people of every school role, a product with lessons, buying and paying.

Everything is written through the services (by the factories of ``tests/factories/``), in alpha
(a school) unless a test says otherwise, inside the test's rolled-back transaction. Payments go the
real way: a bank transfer with a PDF receipt, approved by the financial user; the invoice's
``invoice_paid`` signal does the rest.
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.school.lessons.models import Product, ProductPurchase
from tests.api import error_code  # noqa: F401 (re-exported to the tests of this folder)
from tests.conftest import PASSWORD
from tests.factories import AuthorFactory, PaymentFactory, ProductFactory, ProductPurchaseFactory, create_in
from tests.fixture_types import ApiAsOrAnonymous, Buy, ClientFor, Login, MakeProduct, MakeUser, PaidStudent, Pay

PRODUCTS = "/api/v1/products/"
GROUPS = "/api/v1/groups/"
RECEIPT_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def people(alpha: Tenant, make_user: MakeUser) -> SimpleNamespace:
    """alpha's users by role (the admin ``admin@alpha.test`` comes with the session tenant)."""
    from tenant_apps.accounts.models import User

    with tenant_context(alpha):
        admin = User.objects.get(email="admin@alpha.test")
    return SimpleNamespace(
        admin=admin,
        student=make_user(alpha, "student@alpha.test", roles=["student"], full_name="Stu Dent"),
        other=make_user(alpha, "other@alpha.test", roles=["student"]),
        teacher=make_user(alpha, "teacher@alpha.test", roles=["teacher"]),
        support=make_user(alpha, "support@alpha.test", roles=["support"]),
        financial=make_user(alpha, "financial@alpha.test", roles=["financial"]),
    )


@pytest.fixture
def api(client_for: ClientFor, login: Login) -> ApiAsOrAnonymous:
    """``api(tenant, email)``: an API client of ``tenant`` logged in as ``email``; ``api(tenant)``: anonymous."""

    def make(tenant: Tenant, email: str | None = None) -> APIClient:
        if email is None:
            return client_for(tenant)
        return client_for(tenant, login(tenant, email, PASSWORD)["access"])

    return make


@pytest.fixture
def make_product(people: SimpleNamespace) -> MakeProduct:
    """``make_product(tenant, title="...", lessons=3, **fields)``: a published product by the author
    "Ada", with lessons (``ProductFactory``)."""
    from tenant_apps.school.lessons.models import Author

    def make(tenant: Tenant, title: str = "Python from zero", lessons: int = 3, **fields: Any) -> Product:
        fields.setdefault("price", "100.00")
        fields.setdefault("currency", "USD")
        fields.setdefault("is_published", True)
        with tenant_context(tenant):
            author = Author.objects.filter(name="Ada").first() or AuthorFactory(name="Ada")
            return ProductFactory(title=title, author=author, lessons=lessons, **fields)

    return make


@pytest.fixture
def buy() -> Buy:
    """``buy(tenant, student, product)``: the student's pending purchase and invoice (``ProductPurchaseFactory``)."""

    def do(tenant: Tenant, student: User, product: Product) -> ProductPurchase:
        return create_in(tenant, ProductPurchaseFactory, student=student, product=product)

    return do


@pytest.fixture
def pay(people: SimpleNamespace) -> Pay:
    """``pay(tenant, purchase, amount=None)``: a bank transfer of ``amount`` (default: what is left)
    on the purchase's invoice, approved by the financial user (``PaymentFactory``); returns the
    refreshed purchase."""
    from tenant_apps.accounts.models import User

    counter = iter(range(1, 10_000))

    def do(tenant: Tenant, purchase: ProductPurchase, amount: str | Decimal | None = None) -> ProductPurchase:
        with tenant_context(tenant):
            invoice = purchase.invoice
            invoice.refresh_from_db()
            approver = User.objects.filter(groups__name__in=["financial", "admin"]).order_by("pk").first()
            PaymentFactory(
                invoice=invoice,
                payer=purchase.student,
                amount=amount or invoice.total - invoice.amount_paid,
                tracking_code=f"TRK-{purchase.pk}-{next(counter)}",
                receipt__name="r.pdf",
                approved=True,
                decided_by=approver,
            )
            purchase.refresh_from_db()
        return purchase

    return do


@pytest.fixture
def paid_student(make_user: MakeUser, buy: Buy, pay: Pay) -> PaidStudent:
    """``paid_student(tenant, product, email)``: a new student who bought and fully paid ``product``."""

    def make(tenant: Tenant, product: Product, email: str) -> User:
        student = make_user(tenant, email, roles=["student"])
        pay(tenant, buy(tenant, student, product))
        return student

    return make


def groups_of(tenant: Tenant, product: Product) -> list[tuple[str, int, int, list[str]]]:
    """``[(name, member_count, capacity, [member e-mails]), ...]`` of ``product``'s groups by number."""
    from tenant_apps.school.lessons.models import StudyGroup

    with tenant_context(tenant):
        return [
            (
                g.name,
                g.member_count,
                g.capacity,
                [m.student.email for m in g.memberships.select_related("student").order_by("joined_at", "id")],
            )
            for g in StudyGroup.objects.filter(product=product).order_by("number")
        ]
