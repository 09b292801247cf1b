"""Unique slugs: from the text, never clashing, never all digits or reserved."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from saas.db.slugs import unique_slug
from shared_apps.tenancy.models import Tenant
from tests.fixture_types import MakeUser


def test_unique_slug_counts_up_past_taken_ones_and_avoids_ids_and_reserved_words(
    alpha: Tenant, make_user: MakeUser
) -> None:
    from tenant_apps.school.lessons.models import Product
    from tests.factories import AuthorFactory, ProductFactory

    with tenant_context(alpha):
        author = AuthorFactory(name="A")
        for slug in ("django-basics", "django-basics-2"):
            ProductFactory(title=slug, slug=slug, author=author, price="1.00", currency="USD")
        products = Product.objects.all()
        assert unique_slug(products, "Django Basics!", fallback="product") == "django-basics-3"
        assert unique_slug(products, "2026", fallback="product") == "product-2026"
        assert unique_slug(products, "mine", fallback="product", reserved={"mine"}) == "product-mine"
        assert unique_slug(products, "¿?", fallback="product") == "product"
