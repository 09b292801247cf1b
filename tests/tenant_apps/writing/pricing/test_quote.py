"""``pricing.quote``, the one place an order is priced: band choice, spacing, extras, rounding
and every refusal (400 ``validation_error`` naming the field).

The table is golf's default one (``defaults.py``): undergraduate is 12.00 a page for 14 days,
13.80 for 7 days, 16.20 for 3 days, 19.20 for 48 h, 24.00 for 24 h, 31.20 for 12 h, 37.80 for 6 h.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from saas.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.pricing.pricing import quote
from tenant_apps.writing.pricing.services import order_option_retire, pricing_settings_update
from tests.factories.base import site_admin
from tests.factories.writing_pricing import (
    AcademicLevelFactory,
    ExtraServiceFactory,
    OrderOptionFactory,
    PageRateFactory,
)

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def in_golf(golf: Tenant) -> Iterator[Tenant]:
    """The test body runs in golf's schema (a writing site with the default table)."""
    with tenant_context(golf):
        yield golf


def _quote(**overrides: Any) -> Any:
    order: dict[str, Any] = {
        "academic_level": "undergraduate",
        "deadline": NOW + timedelta(days=14),
        "pages": 1,
        "spacing": "double",
        "extras": [],
        "now": NOW,
    }
    return quote(**{**order, **overrides})


def _refusal(**overrides: Any) -> dict[str, Any]:
    with pytest.raises(ApplicationError) as caught:
        _quote(**overrides)
    assert caught.value.code == "validation_error"
    assert caught.value.status_code == 400
    return dict(caught.value.details or {})


@pytest.mark.parametrize(
    ("due_in", "band", "per_page"),
    [
        (timedelta(hours=6), 6, "37.80"),  # exactly the shortest band
        (timedelta(hours=6) - timedelta(minutes=4), 6, "37.80"),  # a form's clock a moment behind (grace)
        (timedelta(hours=6, minutes=1), 12, "31.20"),  # just past a band: the next one
        (timedelta(hours=24), 24, "24.00"),
        (timedelta(hours=47), 48, "19.20"),
        (timedelta(days=3), 72, "16.20"),
        (timedelta(days=6), 168, "13.80"),
        (timedelta(days=14), 336, "12.00"),
        (timedelta(days=90), 336, "12.00"),  # beyond every band: the longest
    ],
)
def test_the_shortest_band_covering_the_deadline_sets_the_page_rate(
    in_golf: Tenant, due_in: timedelta, band: int, per_page: str
) -> None:
    # when an undergraduate page due in `due_in` is quoted
    result = _quote(deadline=NOW + due_in, pages=2)
    # then that band's rate applies to both pages
    assert result.deadline_band_hours == band
    assert result.price_per_page == Decimal(per_page)
    assert result.subtotal == Decimal(per_page) * 2
    assert result.total == result.subtotal
    assert result.currency == "USD"


@pytest.mark.parametrize(("spacing", "subtotal"), [("double", "36.00"), ("single", "72.00")])
def test_single_spaced_pages_cost_the_spacing_factor_times_more(in_golf: Tenant, spacing: str, subtotal: str) -> None:
    # when 3 undergraduate pages due in 14 days are quoted
    result = _quote(pages=3, spacing=spacing)
    # then single spacing doubles the price (factor 2.00)
    assert result.subtotal == Decimal(subtotal)
    assert result.lines[0].amount == Decimal(subtotal)
    assert result.spacing == spacing


def test_the_spacing_factor_is_the_sites_setting(in_golf: Tenant) -> None:
    # given an admin setting the factor to 1.50
    pricing_settings_update(actor=site_admin(), changes={"single_spacing_factor": Decimal("1.50")})
    # when 3 single-spaced pages are quoted
    result = _quote(pages=3, spacing="single")
    # then they cost 3 x 12.00 x 1.50
    assert (result.spacing_factor, result.subtotal) == (Decimal("1.50"), Decimal("54.00"))


@pytest.mark.parametrize(
    ("extras", "amounts", "extras_total"),
    [
        (["plagiarism-report"], ["9.99"], "9.99"),  # fixed: per order, whatever the pages
        (["top-writer"], ["6.00"], "6.00"),  # percent: 25 % of the 24.00 pages
        (["one-page-summary", "top-writer"], ["15.00", "6.00"], "21.00"),  # in the order asked
    ],
)
def test_each_kind_of_extra_service_adds_its_line(
    in_golf: Tenant, extras: list[str], amounts: list[str], extras_total: str
) -> None:
    # when 2 undergraduate pages due in 14 days are quoted with extras
    result = _quote(pages=2, extras=extras)
    # then each extra has a line and the total adds them up
    assert [line.slug for line in result.lines[1:]] == extras
    assert [line.amount for line in result.lines[1:]] == [Decimal(a) for a in amounts]
    assert result.extras_total == Decimal(extras_total)
    assert result.total == Decimal("24.00") + Decimal(extras_total)
    assert sum(line.amount for line in result.lines) == result.total


def test_amounts_are_rounded_half_up_to_the_cent(in_golf: Tenant) -> None:
    # given a level at 10.02 a page and a 25 % extra: 25 % of 10.02 is 2.505
    # (saas/money.py: "Rounding is half up (ROUND_HALF_UP)"; banker's rounding would give 2.50)
    rate = PageRateFactory(price_per_page=Decimal("10.02"), deadline_hours_max=24)
    extra = ExtraServiceFactory(pricing="percent", amount=Decimal("25.00"))
    # when one page is quoted with it
    result = _quote(academic_level=rate.academic_level.slug, deadline=NOW + timedelta(hours=30), extras=[extra.slug])
    # then the extra is 2.51
    assert result.lines[1].amount == Decimal("2.51")
    assert result.total == Decimal("12.53")


def test_the_quote_describes_its_lines(in_golf: Tenant) -> None:
    # when
    result = _quote(pages=1, extras=["plagiarism-report"])
    # then
    assert result.lines[0].kind == "pages"
    assert result.lines[0].description == ("1 page, double-spaced, Undergraduate, due within 336 h, at 12.00 a page")
    assert (result.lines[1].kind, result.lines[1].description) == ("extra", "Plagiarism report")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"deadline": NOW - timedelta(minutes=1)}, "deadline"),  # in the past
        ({"deadline": NOW}, "deadline"),  # now is not the future
        ({"deadline": NOW + timedelta(hours=3)}, "deadline"),  # shorter than the shortest band (6 h)
        ({"deadline": datetime(2030, 2, 1, 12, 0)}, "deadline"),  # naive
        ({"pages": 0}, "pages"),
        ({"pages": 201}, "pages"),  # above the default maximum (200)
        ({"pages": True}, "pages"),
        ({"spacing": "triple"}, "spacing"),
        ({"academic_level": "essay"}, "academic_level"),  # an option of another group
        ({"academic_level": "nonexistent"}, "academic_level"),
        ({"academic_level": ""}, "academic_level"),
        ({"extras": ["gold-plating"]}, "extras"),
        ({"extras": ["top-writer", "top-writer"]}, "extras"),
        ({"paper_type": "haiku"}, "paper_type"),
        ({"subject": "undergraduate"}, "subject"),
        ({"formatting_style": "vancouver"}, "formatting_style"),
        ({"language": "klingon"}, "language"),
    ],
)
def test_an_order_the_site_cannot_price_is_refused_naming_the_field(
    in_golf: Tenant, overrides: dict[str, Any], field: str
) -> None:
    assert field in _refusal(**overrides)


def test_every_field_in_error_is_named_at_once(in_golf: Tenant) -> None:
    details = _refusal(pages=0, spacing="triple", extras=["nope"], language="klingon")
    assert set(details) == {"pages", "spacing", "extras", "language"}


def test_retired_options_and_extras_are_not_quoted(in_golf: Tenant) -> None:
    # given a retired subject and a retired extra
    subject = OrderOptionFactory(retired=True)
    extra = ExtraServiceFactory()
    from tenant_apps.writing.pricing.services import extra_service_update

    extra_service_update(actor=site_admin(), extra=extra, is_active=False)
    # when they are asked for, then both are refused
    details = _refusal(subject=subject.slug, extras=[extra.slug])
    assert set(details) == {"subject", "extras"}


def test_a_retired_level_is_not_quoted_though_its_rates_stay(in_golf: Tenant) -> None:
    rate = PageRateFactory()
    order_option_retire(actor=site_admin(), option=rate.academic_level)
    assert "academic_level" in _refusal(academic_level=rate.academic_level.slug)
    assert type(rate).objects.filter(pk=rate.pk).exists()


def test_a_level_without_rates_cannot_be_quoted(in_golf: Tenant) -> None:
    level = AcademicLevelFactory()
    assert "academic_level" in _refusal(academic_level=level.slug)


def test_the_page_limits_are_the_sites_settings(in_golf: Tenant) -> None:
    # given a site allowing 2 to 5 pages
    pricing_settings_update(actor=site_admin(), changes={"minimum_pages": 2, "maximum_pages": 5})
    # then 1 and 6 pages are refused, 5 priced
    assert "pages" in _refusal(pages=1)
    assert "pages" in _refusal(pages=6)
    assert _quote(pages=5).subtotal == Decimal("60.00")


def test_a_quote_is_a_value_the_table_changed_afterwards_leaves_alone(in_golf: Tenant) -> None:
    # given a quote (what the orders app copies onto a placed order)
    from tenant_apps.writing.pricing.models import PageRate
    from tenant_apps.writing.pricing.services import page_rate_update

    placed = _quote(pages=2)
    # when the admin raises the rate it used
    rate = PageRate.objects.get(academic_level__slug="undergraduate", deadline_hours_max=336)
    page_rate_update(actor=site_admin(), rate=rate, price_per_page=Decimal("20.00"))
    # then the quote keeps its price, and only a new quote sees the new rate
    assert (placed.price_per_page, placed.total) == (Decimal("12.00"), Decimal("24.00"))
    assert _quote(pages=2).total == Decimal("40.00")
    with pytest.raises(AttributeError):
        placed.total = Decimal("0")  # type: ignore[misc]
