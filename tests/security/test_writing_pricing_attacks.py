"""Attacks on the writing pricing app: retired options and extras read by people who may not see
them, another site's ids (golf's on hotel), and mass assignment.

The site is ``golf`` with the people of ``make_writing``. The victims: a retired subject and a
retired extra service whose names carry ``SECRET`` (only golf's admin sees them), and a page
rate of a new academic level. Attackers: client ``cleo``, writer ``wren``, editor ``eddie``,
support ``sue``, anonymous, and hotel's admin sending golf's ids to hotel. Each gets exactly the
answer a nonexistent id gets, never the secret, and nothing changes.

Mass assignment: an option's group, an id, a page rate's level, a quote's price and currency are
not the client's to set: they are ignored (or refused), and the stored rows show none of them.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.pricing.models import ExtraService, OrderOption, PageRate, PricingSettings
from tenant_apps.writing.pricing.services import extra_service_update
from tests.api import error_code
from tests.factories.base import site_admin
from tests.factories.writing_pricing import ExtraServiceFactory, OrderOptionFactory, PageRateFactory
from tests.fixture_types import ClientFor, JsonResponse, Login
from tests.tenant_apps.writing.conftest import Writing, make_writing

SECRET = "golf-secret-41c9"
MISSING_INT = 987_654_321
NOT_FOUND = (404, "not_found")
ATTACKERS: list[str | None] = ["cleo", "wren", "eddie", "sue", None]

#: (method, path with {option}, {extra}, {rate}, body): every endpoint taking an id.
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("get", "/api/v1/order-options/{option}/", None),
    ("patch", "/api/v1/order-options/{option}/", {"name": "Taken over", "is_active": True}),
    ("post", "/api/v1/order-options/{option}/retire/", None),
    ("get", "/api/v1/extra-services/{extra}/", None),
    ("patch", "/api/v1/extra-services/{extra}/", {"amount": "0.01", "is_active": True}),
    ("patch", "/api/v1/pricing/page-rates/{rate}/", {"price_per_page": "0.01"}),
    ("delete", "/api/v1/pricing/page-rates/{rate}/", None),
]


class Victims:
    """golf's retired secret subject and extra, and a page rate; ``state()`` what an attack would change."""

    def __init__(self) -> None:
        self.option = OrderOptionFactory(name=f"Subject {SECRET}", retired=True).pk
        extra = ExtraServiceFactory(name=f"Extra {SECRET}")
        extra_service_update(actor=site_admin(), extra=extra, is_active=False)
        self.extra = extra.pk
        self.rate = PageRateFactory(price_per_page=Decimal("20.00")).pk

    def ids(self, missing: bool = False) -> dict[str, int]:
        if missing:
            return {"option": MISSING_INT, "extra": MISSING_INT, "rate": MISSING_INT}
        return {"option": self.option, "extra": self.extra, "rate": self.rate}

    def state(self) -> Any:
        return (
            list(OrderOption.objects.filter(pk=self.option).values()),
            list(ExtraService.objects.filter(pk=self.extra).values()),
            list(PageRate.objects.filter(pk=self.rate).values()),
        )


@pytest.fixture
def writing(golf: Tenant, client_for: ClientFor, login: Login) -> Writing:
    return make_writing(golf, client_for, login)


@pytest.fixture
def victims(writing: Writing) -> Victims:
    with tenant_context(writing.tenant):
        return Victims()


def send(client: APIClient, method: str, path: str, ids: dict[str, int], body: dict[str, Any] | None) -> JsonResponse:
    url = path.format(**ids)
    if body is not None:
        return getattr(client, method)(url, body, format="json")  # type: ignore[no-any-return]
    return getattr(client, method)(url)  # type: ignore[no-any-return]


def answer(response: JsonResponse) -> tuple[int, str]:
    return response.status_code, error_code(response)


def state_of(writing: Writing, victims: Victims) -> Any:
    with tenant_context(writing.tenant):
        return victims.state()


@pytest.mark.parametrize("attacker", ATTACKERS)
@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=[f"{m}-{p}" for m, p, _ in ENDPOINTS])
def test_anyone_but_the_admin_gets_the_answer_of_a_nonexistent_id(
    writing: Writing, victims: Victims, attacker: str | None, method: str, path: str, body: dict[str, Any] | None
) -> None:
    # given golf's retired secret rows and a rate
    before = state_of(writing, victims)
    client = writing.client(attacker)
    # when the attacker uses their ids, then ids that do not exist
    response = send(client, method, path, victims.ids(), body)
    nonexistent = send(client, method, path, victims.ids(missing=True), body)
    # then the same answer (404 for reads; 401/403 for changes, before any lookup), no secret, no change
    assert answer(response) == answer(nonexistent), response.content
    assert response.status_code in {401, 403, 404}
    assert SECRET not in response.content.decode()
    assert state_of(writing, victims) == before


@pytest.mark.parametrize("attacker", ATTACKERS)
def test_lists_and_quotes_show_nothing_retired(writing: Writing, victims: Victims, attacker: str | None) -> None:
    client = writing.client(attacker)
    for path in ("/api/v1/order-options/?page_size=100", "/api/v1/extra-services/?page_size=100"):
        response = client.get(path)
        assert response.status_code == 200, response.content
        assert SECRET not in response.content.decode()


@pytest.fixture
def hotel_admin(hotel: Tenant, client_for: ClientFor, login: Login) -> APIClient:
    return client_for(hotel, login(hotel, "admin@hotel.test")["access"])


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=[f"{m}-{p}" for m, p, _ in ENDPOINTS])
def test_golfs_ids_on_hotel_never_reach_golfs_rows(
    writing: Writing, victims: Victims, hotel_admin: APIClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    before = state_of(writing, victims)
    response = send(hotel_admin, method, path, victims.ids(), body)
    nonexistent = send(hotel_admin, method, path, victims.ids(missing=True), body)
    assert answer(response) == answer(nonexistent) == NOT_FOUND, response.content
    assert SECRET not in response.content.decode()
    assert state_of(writing, victims) == before


def test_an_option_keeps_its_group_and_id_whatever_the_body_says(writing: Writing) -> None:
    admin = writing.client("admin")
    # when the admin sends fields that are not theirs to set
    created = admin.post(
        "/api/v1/order-options/",
        {"group": "subject", "name": "Geology", "id": 1, "is_active": False, "created_at": "2000-01-01T00:00:00Z"},
        format="json",
    )
    option_id = created.json()["id"]
    admin.patch(f"/api/v1/order-options/{option_id}/", {"group": "academic_level", "id": 2}, format="json")
    # then the option is a new, active subject, and stays one
    with tenant_context(writing.tenant):
        option = OrderOption.objects.get(pk=option_id)
        assert (option.group, option.is_active) == ("subject", True)
        assert option.pk != 1 and option.created_at.year > 2000
        assert OrderOption.objects.get(pk=1).slug == "essay"


def test_a_page_rate_keeps_its_level(writing: Writing) -> None:
    with tenant_context(writing.tenant):
        rate = PageRate.objects.get(academic_level__slug="masters", deadline_hours_max=24)
        doctoral = OrderOption.objects.get(slug="doctoral")
    writing.client("admin").patch(
        f"/api/v1/pricing/page-rates/{rate.pk}/",
        {"academic_level": doctoral.pk, "price_per_page": "30.50"},
        format="json",
    )
    with tenant_context(writing.tenant):
        rate.refresh_from_db()
    assert (rate.academic_level.slug, rate.price_per_page) == ("masters", Decimal("30.50"))


def test_a_client_cannot_set_the_price_of_a_quote(writing: Writing) -> None:
    body = {
        "academic_level": "undergraduate",
        "deadline": (timezone.now() + timedelta(days=20)).isoformat(),
        "pages": 2,
        "spacing": "double",
        "price_per_page": "0.01",
        "total": "0.01",
        "subtotal": "0.01",
        "currency": "JPY",
        "spacing_factor": "0.10",
        "deadline_band_hours": 999,
    }
    response = writing.client("cleo").post("/api/v1/quote/", body, format="json")
    assert response.status_code == 200, response.content
    quote = response.json()
    assert (quote["price_per_page"], quote["total"], quote["currency"]) == ("12.00", "24.00", "USD")
    assert quote["deadline_band_hours"] == 336


def test_the_settings_row_stays_the_one_row(writing: Writing) -> None:
    writing.client("admin").patch(
        "/api/v1/pricing/settings/", {"id": 2, "updated_at": "2000-01-01T00:00:00Z"}, format="json"
    )
    with tenant_context(writing.tenant):
        assert list(PricingSettings.objects.values_list("pk", flat=True)) == [1]
        assert PricingSettings.objects.get().updated_at.year > 2000
