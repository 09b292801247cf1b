"""Demo catalog for ``manage.py setup_demo`` (the store's ``demo.py`` calls ``seed_catalog``).

Call inside a store tenant's context, after its demo users exist::

    with tenant_context(tenant):
        made = seed_catalog(password=password)

What it makes (idempotent: a second call finds everything and changes nothing), through the
services, as the site's admin and the sellers:

* a category tree three levels deep: Electronics > Phones > Smartphones, Electronics > Laptops,
  Home > Kitchen, Books;
* sellers ``seller@<schema>.<PLATFORM_DOMAIN>`` (the demo seller, created if missing, 120 points:
  bronze, brands unlocked) and ``seller2@...`` (no points yet);
* brands in every state: "Acme" (approved), "Globex" (pending), "Initech" (rejected);
* products with stock and one generated PNG image each (with its thumbnail): approved ones (one
  with its own discount, one under Acme), one pending and one rejected;
* a running sale event "Spring sale" (15 %) over two approved products.
"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from saas.db.tenant import current_schema
from tenant_apps.accounts.models import User
from tenant_apps.accounts.roles import ADMIN
from tenant_apps.accounts.services import user_create
from tenant_apps.store.catalog.models import Brand, BrandStatus, Category, Product, ProductStatus, SaleEvent
from tenant_apps.store.catalog.services import (
    brand_approve,
    brand_create,
    brand_reject,
    category_create,
    product_approve,
    product_create,
    product_image_add,
    product_reject,
    sale_event_create,
)
from tenant_apps.store.kind import SELLER
from tenant_apps.store.shop.models import PointsEntryKind
from tenant_apps.store.shop.services import seller_points_change

#: ``(name, parent name or None)``, parents first.
CATEGORIES = [
    ("Electronics", None),
    ("Phones", "Electronics"),
    ("Smartphones", "Phones"),
    ("Laptops", "Electronics"),
    ("Home", None),
    ("Kitchen", "Home"),
    ("Books", None),
]
#: ``(name, status)``; the demo seller owns them.
BRANDS = [("Acme", BrandStatus.APPROVED), ("Globex", BrandStatus.PENDING), ("Initech", BrandStatus.REJECTED)]
#: Product rows: title, category, price, stock, own discount, brand, status, seller ("seller"/"seller2").
PRODUCTS: list[dict[str, Any]] = [
    {"title": "Acme Phone X", "category": "Smartphones", "price": "599.00", "stock": 12, "brand": "Acme"},
    {"title": "Pocket Phone Mini", "category": "Phones", "price": "199.00", "stock": 30, "discount_percent": "10"},
    {"title": "Ultrabook 14", "category": "Laptops", "price": "1099.00", "stock": 5},
    {"title": "Chef's Knife", "category": "Kitchen", "price": "45.00", "stock": 40, "seller": "seller2"},
    {"title": "Cast Iron Pan", "category": "Kitchen", "price": "60.00", "stock": 0, "seller": "seller2"},
    {"title": "Django for Everyone", "category": "Books", "price": "29.00", "stock": 100, "status": "pending"},
    {"title": "Counterfeit Watch", "category": "Home", "price": "15.00", "stock": 3, "status": "rejected"},
]
SALE_NAME, SALE_PERCENT, SALE_PRODUCTS = "Spring sale", "15", ("Ultrabook 14", "Chef's Knife")
SELLER_POINTS = 120


def _email(local: str) -> str:
    return f"{local}@{current_schema()}.{settings.PLATFORM_DOMAIN}"


def _user(local: str, *, password: str, full_name: str) -> User:
    found = User.objects.filter(email=_email(local)).first()
    if found is not None:
        return found
    return user_create(email=_email(local), password=password, full_name=full_name, roles=[SELLER])


def _png(title: str, n: int) -> SimpleUploadedFile:
    image = Image.new("RGB", (480, 360), ((n * 67) % 256, (n * 131) % 256, 180))
    ImageDraw.Draw(image).text((20, 20), title, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return SimpleUploadedFile(f"demo-{n}.png", out.getvalue(), content_type="image/png")


def seed_catalog(*, password: str) -> dict[str, Any]:
    """Create (idempotently) the store's demo catalog in the current schema; returns what exists:
    ``{"categories", "brands", "products", "sale_event", "sellers"}`` (names and ids)."""
    admin = User.objects.filter(groups__name=ADMIN, is_active=True).order_by("pk").first()
    if admin is None:
        raise LookupError("The store has no admin to seed the catalog as.")
    sellers = {
        "seller": _user("seller", password=password, full_name="Sam Seller"),
        "seller2": _user("seller2", password=password, full_name="Sue Second"),
    }
    seller_points_change(
        seller=sellers["seller"], delta=SELLER_POINTS, kind=PointsEntryKind.ADJUSTMENT, reference="demo:points"
    )

    categories: dict[str, Category] = {}
    for name, parent in CATEGORIES:
        found = Category.objects.filter(name=name).first()
        categories[name] = found or category_create(
            actor=admin, name=name, parent=categories[parent] if parent else None
        )

    brands: dict[str, Brand] = {}
    for name, status in BRANDS:
        brand = Brand.objects.filter(name=name).first()
        if brand is None:
            brand = brand_create(actor=sellers["seller"], name=name, description=f"{name} products.")
            if status == BrandStatus.APPROVED:
                brand = brand_approve(actor=admin, brand=brand)
            elif status == BrandStatus.REJECTED:
                brand = brand_reject(actor=admin, brand=brand, reason="The name belongs to someone else.")
        brands[name] = brand

    products: dict[str, Product] = {}
    for n, row in enumerate(PRODUCTS, start=1):
        product = Product.objects.filter(title=row["title"]).first()
        if product is None:
            seller = sellers[row.get("seller", "seller")]
            product = product_create(
                actor=seller,
                title=row["title"],
                description=f"{row['title']}: a demo product.",
                category=categories[row["category"]],
                price=row["price"],
                stock=row["stock"],
                discount_percent=row.get("discount_percent", "0"),
                brand=brands[row["brand"]] if "brand" in row else None,
            )
            product_image_add(actor=seller, product=product, upload=_png(row["title"], n), alt_text=row["title"])
            status = row.get("status", ProductStatus.APPROVED)
            if status == ProductStatus.APPROVED:
                product = product_approve(actor=admin, product=product)
            elif status == ProductStatus.REJECTED:
                product = product_reject(actor=admin, product=product, reason="Looks like a counterfeit.")
        products[row["title"]] = product

    sale = SaleEvent.objects.filter(name=SALE_NAME).first()
    if sale is None:
        now = timezone.now()
        sale = sale_event_create(
            actor=admin,
            name=SALE_NAME,
            percent=SALE_PERCENT,
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=30),
            products=[products[title] for title in SALE_PRODUCTS],
        )
    return {
        "categories": {name: c.pk for name, c in categories.items()},
        "brands": {name: b.pk for name, b in brands.items()},
        "products": {title: p.pk for title, p in products.items()},
        "sale_event": sale.pk,
        "sellers": {key: user.email for key, user in sellers.items()},
    }
