"""golf's options, extras, rates and settings are golf's alone: hotel (another writing site)
neither sees nor prices with them."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.pricing.models import ExtraService, OrderOption, PageRate, PricingSettings
from tests.fixture_types import ClientFor
from tests.tenant_apps.writing.conftest import Writing


def test_golfs_pricing_is_invisible_from_hotel(writing: Writing, hotel: Tenant, client_for: ClientFor) -> None:
    # given golf's admin adding a subject, a level with its rate, an extra, and switching to EUR
    admin = writing.client("admin")
    admin.post("/api/v1/order-options/", {"group": "subject", "name": "Golf Geology"}, format="json")
    level = admin.post(
        "/api/v1/order-options/", {"group": "academic_level", "name": "Golf Level"}, format="json"
    ).json()
    admin.post(
        "/api/v1/pricing/page-rates/",
        {"academic_level": level["id"], "deadline_hours_max": 24, "price_per_page": "99.00"},
        format="json",
    )
    admin.post("/api/v1/extra-services/", {"name": "Golf Gilding", "pricing": "fixed", "amount": "3.00"}, format="json")
    admin.patch("/api/v1/pricing/settings/", {"currency": "EUR"}, format="json")
    # when a visitor of hotel lists and quotes
    visitor = client_for(hotel)
    options = visitor.get("/api/v1/order-options/?page_size=100").content.decode()
    extras = visitor.get("/api/v1/extra-services/").content.decode()
    body = {
        "academic_level": "golf-level",
        "deadline": (timezone.now() + timedelta(days=2)).isoformat(),
        "pages": 1,
        "spacing": "double",
        "extras": ["golf-gilding"],
    }
    quote = visitor.post("/api/v1/quote/", body, format="json")
    # then nothing of golf's shows, and hotel cannot price with it
    assert "Golf" not in options and "Golf" not in extras
    assert quote.status_code == 400
    assert set(quote.json()["error"]["details"]) == {"academic_level", "extras"}
    with tenant_context(hotel):
        assert not OrderOption.objects.filter(name__startswith="Golf").exists()
        assert not ExtraService.objects.filter(slug="golf-gilding").exists()
        assert PageRate.objects.count() == 35
        assert PricingSettings.objects.get().currency == settings.DEFAULT_CURRENCY
