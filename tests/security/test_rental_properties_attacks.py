"""Attacks on the rental properties app: IDOR on another host's property, and mass assignment.

The site is ``echo`` with the people of ``make_rental``; the victim is host ``hana``: her
unpublished draft (its title carries ``SECRET``), which only she and the admin may see, and her
published property (anyone reads it; only she and the admin change it). Attackers: guest ``gia``,
host ``hugo``, agent ``cora``, and foxtrot's admin sending echo's ids to foxtrot. Each gets exactly
the answer a nonexistent id gets (404 for the hidden draft; 403 for changes to the published
property, which they may read, while a missing id is a 404 there), never the secret, and nothing of
hana's changes.

Mass assignment: a property's host, status (on update), calendar token, import time and photos
are not the client's to set: they are ignored, and the stored row shows none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tenant_apps.rental.properties.models import BlockedPeriod, Property, PropertyPhoto
from tests.factories import BlockedPeriodFactory, PropertyFactory, in_days, png_bytes
from tests.fixture_types import ClientFor, JsonResponse, Login
from tests.tenant_apps.accounts.conftest import error_code
from tests.tenant_apps.rental.conftest import Rental, make_rental

SECRET = "echo-secret-7d21"
MISSING_INT = 987_654_321
NOT_FOUND = (404, "not_found")
FORBIDDEN = (403, "permission_denied")
DATES = {"start": in_days(60).isoformat(), "end": in_days(63).isoformat()}

#: (attacker, method, path with {ref} and {sub}, body): every endpoint on one property.
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("get", "/api/v1/properties/{ref}/", None),
    ("patch", "/api/v1/properties/{ref}/", {"title": "Taken over", "nightly_price": "1.00"}),
    ("post", "/api/v1/properties/{ref}/publish/", None),
    ("post", "/api/v1/properties/{ref}/unpublish/", None),
    ("post", "/api/v1/properties/{ref}/photos/", {}),
    ("patch", "/api/v1/properties/{ref}/photos/{sub}/", {"position": 1, "caption": "Mine"}),
    ("delete", "/api/v1/properties/{ref}/photos/{sub}/", None),
    ("get", "/api/v1/properties/{ref}/blocked-periods/", None),
    ("post", "/api/v1/properties/{ref}/blocked-periods/", DATES),
    ("delete", "/api/v1/properties/{ref}/blocked-periods/{sub}/", None),
    ("post", "/api/v1/properties/{ref}/calendar-token/", None),
    ("post", "/api/v1/properties/{ref}/calendar-import/", None),
]
ATTACKERS = ["gia", "hugo", "cora"]


class Victim:
    """hana's property with a photo and a blocked period; ``state()`` what an attack would change."""

    def __init__(self, prop: Property) -> None:
        self.ref = prop.pk
        self.sub = PropertyPhoto.objects.get(property=prop).pk
        self.block = BlockedPeriod.objects.get(property=prop).pk

    def state(self) -> Any:
        row = Property.objects.filter(pk=self.ref).values("title", "status", "nightly_price", "calendar_token")
        return (
            list(row),
            list(PropertyPhoto.objects.filter(property_id=self.ref).values_list("pk", "position", "caption")),
            list(BlockedPeriod.objects.filter(property_id=self.ref).values_list("pk", "start", "end")),
        )


@pytest.fixture
def rental(echo: Tenant, client_for: ClientFor, login: Login) -> Rental:
    return make_rental(echo, client_for, login)


@pytest.fixture
def victim(rental: Rental) -> Callable[[bool], Victim]:
    """``victim(published)``: a new property of hana's (a draft titled with the secret, or published)."""

    def make(published: bool) -> Victim:
        with tenant_context(rental.tenant):
            prop = PropertyFactory(
                host=rental.hana,
                title="Open house" if published else f"Draft {SECRET}",
                unpublished=not published,
                with_photo=True,
                ical_import_url="https://channel.example.com/x.ics",
            )
            BlockedPeriodFactory(property=prop, summary=f"Private {SECRET}")
            return Victim(prop)

    return make


def send(client: APIClient, method: str, path: str, ref: int, sub: int, body: dict[str, Any] | None) -> JsonResponse:
    url = path.format(ref=ref, sub=sub)
    if method == "post" and path.endswith("/photos/"):
        upload = SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")
        return client.post(url, {"file": upload}, format="multipart")  # type: ignore[no-any-return]
    if body is not None:
        return getattr(client, method)(url, body, format="json")  # type: ignore[no-any-return]
    return getattr(client, method)(url)  # type: ignore[no-any-return]


def answer(response: JsonResponse) -> tuple[int, str]:
    return response.status_code, error_code(response)


def state_of(rental: Rental, target: Victim) -> Any:
    with tenant_context(rental.tenant):
        return target.state()


def _sub(path: str, target: Victim) -> int:
    return target.block if "blocked-periods/{sub}" in path else target.sub


@pytest.mark.parametrize("attacker", ATTACKERS)
@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=[f"{m}-{p}" for m, p, _ in ENDPOINTS])
def test_another_user_gets_the_answer_of_a_nonexistent_draft(
    rental: Rental,
    victim: Callable[[bool], Victim],
    attacker: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    # given hana's draft
    target = victim(False)
    before = state_of(rental, target)
    client = rental.client(attacker)
    # when the attacker uses its ids, then ids that do not exist
    response = send(client, method, path, target.ref, _sub(path, target), body)
    nonexistent = send(client, method, path, MISSING_INT, MISSING_INT, body)
    # then the same 404, nothing of hana's in the answer, nothing changed
    assert answer(response) == NOT_FOUND, response.content
    assert answer(nonexistent) == NOT_FOUND, nonexistent.content
    assert SECRET not in response.content.decode()
    assert state_of(rental, target) == before


@pytest.mark.parametrize("attacker", ATTACKERS)
@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS[1:], ids=[f"{m}-{p}" for m, p, _ in ENDPOINTS[1:]])
def test_another_user_cannot_change_a_published_property(
    rental: Rental,
    victim: Callable[[bool], Victim],
    attacker: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    # given hana's published property (anyone reads it)
    target = victim(True)
    before = state_of(rental, target)
    # when
    response = send(rental.client(attacker), method, path, target.ref, _sub(path, target), body)
    # then refused, and nothing changed; the secret (the blocked period's note) never shows
    assert answer(response) == FORBIDDEN, response.content
    assert SECRET not in response.content.decode()
    assert state_of(rental, target) == before


@pytest.fixture
def foxtrot_admin(foxtrot: Tenant, client_for: ClientFor, login: Login) -> APIClient:
    return client_for(foxtrot, login(foxtrot, "admin@foxtrot.test")["access"])


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=[f"{m}-{p}" for m, p, _ in ENDPOINTS])
def test_echos_ids_on_foxtrot_never_reach_echos_property(
    rental: Rental,
    victim: Callable[[bool], Victim],
    foxtrot_admin: APIClient,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    target = victim(False)
    before = state_of(rental, target)
    response = send(foxtrot_admin, method, path, target.ref, _sub(path, target), body)
    nonexistent = send(foxtrot_admin, method, path, MISSING_INT, MISSING_INT, body)
    assert answer(response) == answer(nonexistent) == NOT_FOUND, response.content
    assert SECRET not in response.content.decode()
    assert state_of(rental, target) == before


@pytest.mark.parametrize("attacker", [*ATTACKERS, None])
def test_lists_show_nothing_of_hanas_draft(
    rental: Rental, victim: Callable[[bool], Victim], attacker: str | None
) -> None:
    victim(False)
    victim(True)
    for path in ("/api/v1/properties/", "/api/v1/properties/?mine=true", "/api/v1/amenities/"):
        response = rental.client(attacker).get(path)
        assert response.status_code == 200, response.content
        assert SECRET not in response.content.decode()


def test_a_host_cannot_set_the_host_status_token_or_import_time(rental: Rental) -> None:
    # when hana creates a property naming hugo as host and setting what she may not
    forged = {
        "title": "Mine",
        "address": "1 Main St",
        "city": "Lisbon",
        "country": "PT",
        "latitude": "38.7",
        "longitude": "-9.1",
        "nightly_price": "90.00",
        "currency": "USD",
        "max_guests": 2,
        "host": rental.hugo.pk,
        "host_id": rental.hugo.pk,
        "calendar_token": "forged-token-forged-token-forged",
        "ical_imported_at": "2020-01-01T00:00:00Z",
        "created_at": "2020-01-01T00:00:00Z",
        "photos": [{"id": 1}],
    }
    created = rental.client("hana").post("/api/v1/properties/", forged, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    # and changes it the same way, with a status
    changed = rental.client("hana").patch(
        f"/api/v1/properties/{pk}/", forged | {"status": "unpublished", "title": "Mine too"}, format="json"
    )
    assert changed.status_code == 200, changed.content
    # then
    with tenant_context(rental.tenant):
        row = Property.objects.get(pk=pk)
        assert (row.host_id, row.status, row.title) == (rental.hana.pk, "published", "Mine too")
        assert row.calendar_token != forged["calendar_token"]
        assert row.ical_imported_at is None
        assert row.created_at.year != 2020
        assert not PropertyPhoto.objects.filter(property=row).exists()


def test_a_blocked_period_cannot_be_given_a_source_or_uid(rental: Rental) -> None:
    with tenant_context(rental.tenant):
        prop = PropertyFactory(host=rental.hana)
    response = rental.client("hana").post(
        f"/api/v1/properties/{prop.pk}/blocked-periods/",
        DATES | {"source": "ical", "uid": "forged", "property": 1},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert (response.json()["source"], response.json()["uid"]) == ("manual", "")
