"""The demo catalog: every state shown, images with thumbnails, and a second run changes nothing."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.store.catalog.demo import seed_catalog
from tenant_apps.store.catalog.models import Brand, Category, Product, ProductImage, SaleEvent
from tests.conftest import PASSWORD


def test_the_demo_catalog_is_complete_and_idempotent(gamma: Tenant) -> None:
    with tenant_context(gamma):
        # when
        first = seed_catalog(password=PASSWORD)
        counts = (Category.objects.count(), Brand.objects.count(), Product.objects.count(), SaleEvent.objects.count())
        second = seed_catalog(password=PASSWORD)
        # then
        assert first == second
        assert counts == (
            Category.objects.count(),
            Brand.objects.count(),
            Product.objects.count(),
            SaleEvent.objects.count(),
        )
        assert set(Brand.objects.values_list("status", flat=True)) == {"approved", "pending", "rejected"}
        assert set(Product.objects.values_list("status", flat=True)) == {"approved", "pending", "rejected"}
        assert max(Category.objects.values_list("depth", flat=True)) == 3
        assert ProductImage.objects.filter(thumbnail__isnull=False).count() == Product.objects.count()
