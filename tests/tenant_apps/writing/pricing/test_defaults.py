"""Every writing site starts with the default options, rate table and extras of the kind's
template (``migrations/0002_defaults``); each site's admins then edit their own copy."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.pricing import defaults
from tenant_apps.writing.pricing.models import ExtraService, OptionGroup, OrderOption, PageRate, PricingSettings
from tests.tenant_apps.writing.conftest import Writing


def test_a_writing_site_starts_with_the_default_options(golf: Tenant) -> None:
    # given the session writing site golf, provisioned like any new site
    with tenant_context(golf):
        # when its options are read
        counts = {group: OrderOption.objects.filter(group=group, is_active=True).count() for group in OptionGroup}
        levels = list(
            OrderOption.objects.filter(group=OptionGroup.ACADEMIC_LEVEL)
            .order_by("position")
            .values_list("slug", flat=True)
        )
        styles = set(OrderOption.objects.filter(group=OptionGroup.FORMATTING_STYLE).values_list("name", flat=True))
    # then every dropdown has its defaults
    assert counts == {
        OptionGroup.PAPER_TYPE: 6,
        OptionGroup.SUBJECT: 10,
        OptionGroup.ACADEMIC_LEVEL: 5,
        OptionGroup.FORMATTING_STYLE: 5,
        OptionGroup.LANGUAGE: 4,
    }
    assert levels == ["high-school", "undergraduate", "masters", "doctoral", "professional"]
    assert styles == {"APA", "MLA", "Chicago", "Harvard", "IEEE"}


def test_a_writing_site_starts_with_the_default_rate_table_extras_and_settings(golf: Tenant) -> None:
    # given golf
    with tenant_context(golf):
        # when its pricing is read
        rates = {(r.academic_level.slug, r.deadline_hours_max): r.price_per_page for r in PageRate.objects.all()}
        extras = {e.slug: (e.pricing, e.amount) for e in ExtraService.objects.all()}
        row = PricingSettings.objects.get(pk=1)
    # then 5 levels x 7 bands, undergraduate 12.00 for 14 days rising to 37.80 for 6 hours
    assert rates == defaults.default_rates()
    assert len(rates) == 35
    assert rates[("undergraduate", 336)] == Decimal("12.00")
    assert rates[("undergraduate", 6)] == Decimal("37.80")
    # and every level is dearer for a shorter deadline, and every shorter deadline dearer for a higher level
    bands = sorted(defaults.BAND_FACTORS)
    for level in defaults.BASE_RATES:
        assert [rates[(level, h)] for h in bands] == sorted((rates[(level, h)] for h in bands), reverse=True)
    for hours in bands:
        column = [rates[(level, hours)] for level in defaults.BASE_RATES]
        assert column == sorted(column)
    assert extras == {
        "plagiarism-report": ("fixed", Decimal("9.99")),
        "top-writer": ("percent", Decimal("25.00")),
        "one-page-summary": ("fixed", Decimal("15.00")),
    }
    assert row.currency == settings.DEFAULT_CURRENCY
    assert (row.single_spacing_factor, row.minimum_pages) == (Decimal("2.00"), 1)


def test_an_admins_edit_in_one_site_leaves_the_other_sites_table_alone(writing: Writing, hotel: Tenant) -> None:
    # given golf's admin changing the undergraduate 14-day rate
    admin = writing.client("admin")
    rates = admin.get("/api/v1/pricing/page-rates/?page_size=100").json()["results"]
    target = next(r for r in rates if r["academic_level"]["slug"] == "undergraduate" and r["deadline_hours_max"] == 336)
    # when they set it to 13.50
    response = admin.patch(f"/api/v1/pricing/page-rates/{target['id']}/", {"price_per_page": "13.50"}, format="json")
    # then golf's table says 13.50 and hotel's still 12.00
    assert response.status_code == 200, response.json()
    assert response.json()["price_per_page"] == "13.50"
    with tenant_context(hotel):
        assert PageRate.objects.get(
            academic_level__slug="undergraduate", deadline_hours_max=336
        ).price_per_page == Decimal("12.00")
