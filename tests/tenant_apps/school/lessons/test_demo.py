"""``seed_demo``: a paid and an unpaid product for the demo student, groups filled by real payments."""

from __future__ import annotations

from django.conf import settings
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tests.fixture_types import ApiAsOrAnonymous
from tests.tenant_apps.school.lessons.conftest import PRODUCTS


def test_seed_demo_makes_paid_and_unpaid_products_with_groups_and_is_idempotent(
    alpha: Tenant, api: ApiAsOrAnonymous
) -> None:
    # given
    from tenant_apps.payments.models import Invoice, Payment
    from tenant_apps.school.lessons.demo import seed_demo
    from tenant_apps.school.lessons.models import GroupMembership, Product, ProductPurchase

    domain = f"alpha.{settings.PLATFORM_DOMAIN}"
    # when
    with tenant_context(alpha):
        first = seed_demo(password="demo-pass-1234")
        counts = (
            Product.objects.count(),
            ProductPurchase.objects.count(),
            Payment.objects.count(),
            Invoice.objects.count(),
            GroupMembership.objects.count(),
        )
        second = seed_demo(password="demo-pass-1234")
        counts_again = (
            Product.objects.count(),
            ProductPurchase.objects.count(),
            Payment.objects.count(),
            Invoice.objects.count(),
            GroupMembership.objects.count(),
        )
    # then
    assert first["demo_student"] == {
        "email": f"student@{domain}",
        "paid": ["python-from-zero"],
        "unpaid": ["django-in-depth"],
    }
    assert len(first["students_created"]) == 8  # the demo student did not exist in alpha
    groups = {p["slug"]: [len(g["members"]) for g in p["groups"]] for p in first["products"]}
    assert groups == {"python-from-zero": [2, 2, 1], "django-in-depth": [2, 1, 0]}
    assert f"student@{domain}" in first["products"][0]["groups"][0]["members"]
    assert counts == (2, 8, 8, 8, 8)
    assert counts_again == counts
    assert second["students_created"] == []
    assert {k: v for k, v in second.items() if k != "students_created"} == {
        k: v for k, v in first.items() if k != "students_created"
    }
    # and the demo student logs in with the password and sees one product unlocked, one outline
    client = api(alpha)
    token = client.post("/api/v1/auth/login/", {"email": f"student@{domain}", "password": "demo-pass-1234"})
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.json()['access']}")
    access = {p["slug"]: p["access"] for p in client.get(PRODUCTS).json()["results"]}
    assert access == {"python-from-zero": "full", "django-in-depth": "outline"}
