"""The order-options and pricing API of a writing site (golf): what each role may do, admins'
edits, and the quote endpoint."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.writing.pricing.models import ExtraService, OptionGroup, OrderOption, PageRate
from tests.api import error_code
from tests.tenant_apps.writing.conftest import Writing

ROLES = [None, "cleo", "wren", "eddie", "sue", "admin"]  # anonymous, client, writer, editor, support, admin


def _deadline(hours: float) -> str:
    return (timezone.now() + timedelta(hours=hours)).isoformat()


def _ids(writing: Writing) -> dict[str, int]:
    with tenant_context(writing.tenant):
        return {
            "option": OrderOption.objects.get(group=OptionGroup.SUBJECT, slug="history").pk,
            "level": OrderOption.objects.get(group=OptionGroup.ACADEMIC_LEVEL, slug="masters").pk,
            "extra": ExtraService.objects.get(slug="plagiarism-report").pk,
            "rate": PageRate.objects.get(academic_level__slug="masters", deadline_hours_max=24).pk,
        }


def _request(writing: Writing, who: str | None, method: str, path: str, body: Any = None) -> Any:
    client = writing.client(who)
    return getattr(client, method)(path, body, format="json") if body is not None else getattr(client, method)(path)


#: (method, path, body, anyone may): every endpoint; ``anyone`` False means admin only.
MATRIX: list[tuple[str, str, Any, bool]] = [
    ("get", "/api/v1/order-options/", None, True),
    ("get", "/api/v1/order-options/{option}/", None, True),
    ("post", "/api/v1/order-options/", {"group": "subject", "name": "Astronomy"}, False),
    ("patch", "/api/v1/order-options/{option}/", {"name": "World history"}, False),
    ("post", "/api/v1/order-options/{option}/retire/", None, False),
    ("get", "/api/v1/extra-services/", None, True),
    ("get", "/api/v1/extra-services/{extra}/", None, True),
    ("post", "/api/v1/extra-services/", {"name": "Outline", "pricing": "fixed", "amount": "4.00"}, False),
    ("patch", "/api/v1/extra-services/{extra}/", {"amount": "10.99"}, False),
    ("get", "/api/v1/pricing/settings/", None, False),
    ("patch", "/api/v1/pricing/settings/", {"maximum_pages": 150}, False),
    ("get", "/api/v1/pricing/page-rates/", None, False),
    (
        "post",
        "/api/v1/pricing/page-rates/",
        {"academic_level": "{level}", "deadline_hours_max": 4, "price_per_page": "50.00"},
        False,
    ),
    ("patch", "/api/v1/pricing/page-rates/{rate}/", {"price_per_page": "31.00"}, False),
    ("delete", "/api/v1/pricing/page-rates/{rate}/", None, False),
    ("get", "/api/v1/dropdown-options/", None, True),
    ("get", "/api/v1/dropdown-options/subject/", None, True),
    (
        "post",
        "/api/v1/quote/",
        {"academic_level": "masters", "deadline": "{deadline}", "pages": 2, "spacing": "double"},
        True,
    ),
]


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize(("method", "path", "body", "anyone"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX])
def test_each_endpoint_answers_each_role_as_the_role_matrix_says(
    writing: Writing, who: str | None, method: str, path: str, body: Any, anyone: bool
) -> None:
    # given golf's default table and one of its people
    ids = _ids(writing)
    url = path.format(**ids)
    if body is not None:
        body = {
            k: (ids["level"] if v == "{level}" else _deadline(48) if v == "{deadline}" else v) for k, v in body.items()
        }
    # when they call the endpoint
    response = _request(writing, who, method, url, body)
    # then admins (and anyone, for public ones) succeed; others 401 anonymous, 403 signed in
    if anyone or who == "admin":
        assert response.status_code in {200, 201, 204}, response.content
    elif who is None:
        assert (response.status_code, error_code(response)) == (401, "not_authenticated")
    else:
        assert (response.status_code, error_code(response)) == (403, "permission_denied")


def test_anyone_lists_the_active_options_of_one_group(writing: Writing) -> None:
    # given a retired subject
    admin = writing.client("admin")
    history = admin.get("/api/v1/order-options/?group=subject&page_size=100").json()["results"][1]
    admin.post(f"/api/v1/order-options/{history['id']}/retire/")
    # when a visitor lists the subjects
    listed = writing.client(None).get("/api/v1/order-options/?group=subject&page_size=100").json()
    # then the 9 active ones, in position order; the admin sees the retired one too
    assert [o["slug"] for o in listed["results"]][:3] == ["english-literature", "business", "economics"]
    assert listed["count"] == 9
    assert admin.get("/api/v1/order-options/?group=subject&is_active=false").json()["count"] == 1
    # and the retired one is a 404 to the visitor
    response = writing.client(None).get(f"/api/v1/order-options/{history['id']}/")
    assert (response.status_code, error_code(response)) == (404, "not_found")


@pytest.mark.parametrize("query", ["group=poetry", "is_active=maybe", "page_size=0"])
def test_a_bad_filter_is_a_400_naming_it(writing: Writing, query: str) -> None:
    response = writing.client(None).get(f"/api/v1/order-options/?{query}")
    assert (response.status_code, error_code(response)) == (400, "validation_error")


def test_an_admin_adds_renames_and_retires_an_option_and_slugs_stay_unique_per_group(writing: Writing) -> None:
    admin = writing.client("admin")
    # when the admin adds a subject
    created = admin.post("/api/v1/order-options/", {"group": "subject", "name": "Art History"}, format="json")
    # then it is offered with a slug from its name
    assert created.status_code == 201
    assert (created.json()["slug"], created.json()["is_active"]) == ("art-history", True)
    # and the same slug in the same group is refused, in another group allowed
    again = admin.post("/api/v1/order-options/", {"group": "subject", "name": "x", "slug": "history"}, format="json")
    assert (again.status_code, error_code(again)) == (400, "validation_error")
    assert "slug" in again.json()["error"]["details"]
    other = admin.post("/api/v1/order-options/", {"group": "paper_type", "name": "History"}, format="json")
    assert other.status_code == 201
    # when renamed and retired
    option_id = created.json()["id"]
    renamed = admin.patch(f"/api/v1/order-options/{option_id}/", {"name": "Art history", "position": 3}, format="json")
    retired = admin.post(f"/api/v1/order-options/{option_id}/retire/")
    # then the changes show and are audited
    assert (renamed.json()["name"], renamed.json()["position"]) == ("Art history", 3)
    assert retired.json()["is_active"] is False
    with tenant_context(writing.tenant):
        verbs = set(AuditLogEntry.objects.filter(target_id=str(option_id)).values_list("verb", flat=True))
    assert verbs == {"writing.option_created", "writing.option_updated"}


def test_retiring_a_level_keeps_its_rates_and_no_option_can_be_deleted(writing: Writing) -> None:
    ids = _ids(writing)
    admin = writing.client("admin")
    # when the admin retires master's and tries to delete it
    admin.post(f"/api/v1/order-options/{ids['level']}/retire/")
    deleted = admin.delete(f"/api/v1/order-options/{ids['level']}/")
    # then it stays, retired, with its 7 rates; a quote for it is refused
    assert deleted.status_code == 405
    with tenant_context(writing.tenant):
        assert PageRate.objects.filter(academic_level_id=ids["level"]).count() == 7
    body = {"academic_level": "masters", "deadline": _deadline(48), "pages": 1, "spacing": "double"}
    response = writing.client(None).post("/api/v1/quote/", body, format="json")
    assert (response.status_code, error_code(response)) == (400, "validation_error")
    assert "academic_level" in response.json()["error"]["details"]


def test_an_admin_edits_the_rate_table(writing: Writing) -> None:
    ids = _ids(writing)
    admin = writing.client("admin")
    # when a 4-hour band is added to master's, a band changed, and one removed
    added = admin.post(
        "/api/v1/pricing/page-rates/",
        {"academic_level": ids["level"], "deadline_hours_max": 4, "price_per_page": "55.00"},
        format="json",
    )
    changed = admin.patch(f"/api/v1/pricing/page-rates/{ids['rate']}/", {"price_per_page": "31.00"}, format="json")
    # then they show in the table
    assert added.status_code == 201, added.json()
    assert added.json()["academic_level"]["slug"] == "masters"
    assert changed.json()["price_per_page"] == "31.00"
    assert admin.delete(f"/api/v1/pricing/page-rates/{added.json()['id']}/").status_code == 204
    assert admin.get("/api/v1/pricing/page-rates/").json()["count"] == 35


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"deadline_hours_max": 24, "price_per_page": "10.00"}, 400, "validation_error"),  # the band exists
        ({"deadline_hours_max": 4, "price_per_page": "10.001"}, 400, "validation_error"),  # beyond cents
        ({"deadline_hours_max": 4, "price_per_page": "0"}, 400, "validation_error"),
        ({"deadline_hours_max": 0, "price_per_page": "10.00"}, 400, "validation_error"),
        ({"deadline_hours_max": 4, "price_per_page": "١٠"}, 400, "validation_error"),  # Arabic-Indic digits
    ],
)
def test_a_bad_page_rate_is_refused(writing: Writing, body: dict[str, Any], status: int, code: str) -> None:
    response = writing.client("admin").post(
        "/api/v1/pricing/page-rates/", {"academic_level": _ids(writing)["level"], **body}, format="json"
    )
    assert (response.status_code, error_code(response)) == (status, code)


def test_a_rate_needs_an_academic_level(writing: Writing) -> None:
    response = writing.client("admin").post(
        "/api/v1/pricing/page-rates/",
        {"academic_level": _ids(writing)["option"], "deadline_hours_max": 4, "price_per_page": "10.00"},
        format="json",
    )
    assert (response.status_code, error_code(response)) == (400, "validation_error")
    assert "academic_level" in response.json()["error"]["details"]


def test_an_admin_manages_extra_services(writing: Writing) -> None:
    admin = writing.client("admin")
    # when the admin adds a 10 % extra and retires the plagiarism report
    added = admin.post(
        "/api/v1/extra-services/", {"name": "Priority editing", "pricing": "percent", "amount": "10"}, format="json"
    )
    admin.patch(f"/api/v1/extra-services/{_ids(writing)['extra']}/", {"is_active": False}, format="json")
    # then visitors see the new one and not the retired one
    assert added.status_code == 201, added.json()
    assert (added.json()["slug"], added.json()["amount"]) == ("priority-editing", "10.00")
    slugs = [e["slug"] for e in writing.client(None).get("/api/v1/extra-services/").json()["results"]]
    assert slugs == ["top-writer", "one-page-summary", "priority-editing"]
    # and a percentage above 100 is refused
    over = admin.patch(f"/api/v1/extra-services/{added.json()['id']}/", {"amount": "100.01"}, format="json")
    assert (over.status_code, error_code(over)) == (400, "validation_error")


def test_an_admin_changes_the_pricing_settings(writing: Writing) -> None:
    admin = writing.client("admin")
    # when
    response = admin.patch(
        "/api/v1/pricing/settings/",
        {"currency": "eur", "single_spacing_factor": "1.75", "maximum_pages": 80},
        format="json",
    )
    # then
    assert response.status_code == 200, response.json()
    assert {k: response.json()[k] for k in ("currency", "single_spacing_factor", "minimum_pages", "maximum_pages")} == {
        "currency": "EUR",
        "single_spacing_factor": "1.75",
        "minimum_pages": 1,
        "maximum_pages": 80,
    }


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"currency": "XYZ"}, "invalid_currency"),
        ({"currency": "JPY"}, "validation_error"),  # 9.99 and 37.80 are not whole yen
        ({"minimum_pages": 300}, "validation_error"),  # above the maximum (200)
        ({"single_spacing_factor": "0.5"}, "validation_error"),
    ],
)
def test_pricing_settings_that_contradict_the_table_are_refused(
    writing: Writing, body: dict[str, Any], code: str
) -> None:
    response = writing.client("admin").patch("/api/v1/pricing/settings/", body, format="json")
    assert (response.status_code, error_code(response)) == (400, code)


def test_a_visitor_gets_a_quote(writing: Writing) -> None:
    # when a visitor asks for 3 single-spaced master's pages due in 2 days with a plagiarism report
    body = {
        "academic_level": "masters",
        "deadline": _deadline(40),
        "pages": 3,
        "spacing": "single",
        "extras": ["plagiarism-report"],
        "paper_type": "essay",
        "subject": "history",
        "formatting_style": "apa",
        "language": "english-uk",
    }
    response = writing.client(None).post("/api/v1/quote/", body, format="json")
    # then the 48-hour band's 24.00 a page, doubled for single spacing, plus 9.99
    assert response.status_code == 200, response.json()
    quote = response.json()
    assert (quote["deadline_band_hours"], quote["price_per_page"], quote["spacing_factor"]) == (48, "24.00", "2.00")
    assert (quote["subtotal"], quote["extras_total"], quote["total"]) == ("144.00", "9.99", "153.99")
    assert [line["amount"] for line in quote["lines"]] == ["144.00", "9.99"]
    assert quote["currency"] == "USD"


def test_a_quote_follows_the_table_an_admin_edits(writing: Writing) -> None:
    ids = _ids(writing)
    body = {"academic_level": "masters", "deadline": _deadline(20), "pages": 1, "spacing": "double"}
    before = writing.client(None).post("/api/v1/quote/", body, format="json").json()["total"]
    writing.client("admin").patch(
        f"/api/v1/pricing/page-rates/{ids['rate']}/", {"price_per_page": "31.00"}, format="json"
    )
    after = writing.client(None).post("/api/v1/quote/", body, format="json").json()["total"]
    assert (before, after) == ("30.00", "31.00")
    with tenant_context(writing.tenant):
        assert str(PageRate.objects.get(pk=ids["rate"]).price_per_page) == "31.00"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"deadline": "2030-01-01T12:00:00"}, "deadline"),  # no time zone
        ({"deadline": "tomorrow"}, "deadline"),
        ({"deadline": 1893456000}, "deadline"),
        ({"deadline": "2020-01-01T12:00:00Z"}, "deadline"),  # past
        ({"pages": "3"}, None),  # DRF reads "3" as 3: allowed
        ({"pages": 0}, "pages"),
        ({"pages": 1.5}, "pages"),
        ({"spacing": "1.5"}, "spacing"),
        ({"academic_level": 7}, "academic_level"),
        ({"academic_level": "Masters!"}, "academic_level"),
        ({"extras": "top-writer"}, "extras"),
        ({"extras": [1]}, "extras"),
        ({"subject": "nonexistent"}, "subject"),
    ],
)
def test_the_quote_endpoint_answers_400_naming_the_field(
    writing: Writing, change: dict[str, Any], field: str | None
) -> None:
    body = {"academic_level": "masters", "deadline": _deadline(48), "pages": 1, "spacing": "double", **change}
    response = writing.client(None).post("/api/v1/quote/", body, format="json")
    if field is None:
        assert response.status_code == 200
        return
    assert (response.status_code, error_code(response)) == (400, "validation_error")
    assert field in response.json()["error"]["details"]
