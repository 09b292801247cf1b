"""Programs (bootcamps and advanced courses): admin CRUD, status transitions, who sees drafts,
and the public list's filters, search, ordering and pagination."""

from __future__ import annotations

from typing import Any

import pytest
from django_tenants.utils import tenant_context

from tenant_apps.school.programs.models import Program
from tests.fixture_types import MakeProgram
from tests.tenant_apps.school.programs.conftest import Site, error_code, in_days, programs_url, results, slugs

BOTH = pytest.mark.parametrize("path", ["bootcamps", "courses"])


def _payload(**fields: Any) -> dict[str, Any]:
    return {
        "title": "Python Web Bootcamp",
        "description": "Django, REST, PostgreSQL.",
        "start_date": str(in_days(30)),
        "end_date": str(in_days(90)),
        "capacity": 12,
        "price": "1200.00",
        "currency": "usd",
        **fields,
    }


# --- create, read, change, delete -------------------------------------------------------------


@BOTH
def test_an_admin_creates_a_draft_program_with_a_slug_made_from_its_title(site: Site, path: str) -> None:
    # when
    response = site.client("admin").post(programs_url(path), _payload(teachers=[site.tom.pk]))
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["type"] == {"bootcamps": "bootcamp", "courses": "course"}[path]
    assert (body["slug"], body["price"], body["currency"]) == ("python-web-bootcamp", "1200.00", "USD")
    assert body["teachers"] == [{"id": site.tom.pk, "full_name": "Tom Teacher"}]
    assert (body["capacity"], body["seats_taken"], body["seats_left"], body["waitlist_length"]) == (12, 0, 12, 0)


def test_a_title_already_used_gets_a_numbered_slug_and_a_given_slug_in_use_is_refused(site: Site) -> None:
    # given
    admin = site.client("admin")
    assert admin.post(programs_url(), _payload()).json()["slug"] == "python-web-bootcamp"
    # when
    second = admin.post(programs_url(), _payload())
    taken = admin.post(programs_url(), _payload(slug="python-web-bootcamp"))
    course = admin.post(programs_url("courses"), _payload())
    # then
    assert second.json()["slug"] == "python-web-bootcamp-2"
    assert (taken.status_code, error_code(taken)) == (409, "slug_taken")
    assert course.json()["slug"] == "python-web-bootcamp"  # slugs are unique per program type


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"end_date": str(in_days(29))}, "end_date"),
        ({"capacity": 0}, "capacity"),
        ({"price": "-1.00"}, "price"),
        ({"price": "10.005"}, "price"),
        ({"currency": "JPY", "price": "1000.50"}, "price"),
        ({"title": "   "}, "title"),
        ({"slug": "12345"}, "slug"),
        ({"slug": "mine"}, "slug"),
        ({"slug": "Not A Slug"}, "slug"),
    ],
    ids=[
        "ends-before-start",
        "no-seats",
        "negative-price",
        "sub-cent",
        "yen-with-cents",
        "blank-title",
        "digit-slug",
        "reserved-slug",
        "bad-slug",
    ],
)
def test_a_program_with_invalid_values_is_refused(site: Site, fields: dict[str, Any], field: str) -> None:
    # when
    response = site.client("admin").post(programs_url(), _payload(**fields))
    # then
    assert response.status_code == 400, response.content
    assert error_code(response) == "validation_error"
    assert field in response.json()["error"]["details"]


def test_an_unknown_currency_and_a_teacher_without_the_teacher_role_are_refused(site: Site) -> None:
    # when
    currency = site.client("admin").post(programs_url(), _payload(currency="XYZ"))
    teacher = site.client("admin").post(programs_url(), _payload(teachers=[site.ann.pk]))
    # then
    assert (currency.status_code, error_code(currency)) == (400, "invalid_currency")
    assert (teacher.status_code, error_code(teacher)) == (400, "invalid_teacher")


def test_a_program_is_read_by_id_or_by_slug(site: Site, make_program: MakeProgram) -> None:
    # given
    program = make_program(title="Data Engineering")
    # when
    by_id = site.client(None).get(programs_url("bootcamps", program.pk))
    by_slug = site.client(None).get(programs_url("bootcamps", "data-engineering"))
    missing = site.client(None).get(programs_url("bootcamps", "no-such-program"))
    # then
    assert by_id.status_code == by_slug.status_code == 200
    assert by_id.json() == by_slug.json()
    assert (missing.status_code, error_code(missing)) == (404, "not_found")


def test_an_admin_changes_a_program_and_the_change_is_audited(site: Site, make_program: MakeProgram) -> None:
    # given
    from tenant_apps.audit.models import AuditLogEntry

    program = make_program()
    # when
    response = site.client("admin").patch(
        programs_url("bootcamps", program.pk), {"title": "Renamed", "price": "999.00", "teachers": [site.tia.pk]}
    )
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["price"], [t["id"] for t in body["teachers"]]) == ("Renamed", "999.00", [site.tia.pk])
    with tenant_context(site.tenant):
        entry = AuditLogEntry.objects.get(verb="program.updated", target_id=str(program.pk))
    assert entry.changes["price"] == ["1200.00", "999.00"]
    assert entry.changes["teachers"] == [[site.tom.pk], [site.tia.pk]]


def test_a_completed_program_can_no_longer_be_changed(site: Site, make_program: MakeProgram) -> None:
    # given
    program = make_program("completed")
    # when
    response = site.client("admin").patch(programs_url("bootcamps", program.pk), {"capacity": 50})
    # then
    assert (response.status_code, error_code(response)) == (409, "program_closed")


def test_only_a_draft_can_be_deleted(site: Site, make_program: MakeProgram) -> None:
    # given
    draft, open_one = make_program("draft"), make_program("registration_open")
    admin = site.client("admin")
    # when
    deleted = admin.delete(programs_url("bootcamps", draft.pk))
    refused = admin.delete(programs_url("bootcamps", open_one.pk))
    # then
    assert deleted.status_code == 204
    assert admin.get(programs_url("bootcamps", draft.pk)).status_code == 404
    assert (refused.status_code, error_code(refused)) == (409, "program_not_deletable")


# --- status transitions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        ["registration_open", "in_progress", "completed"],
        ["cancelled"],
        ["registration_open", "cancelled"],
        ["registration_open", "in_progress", "cancelled"],
    ],
    ids=["draft-to-completed", "draft-cancelled", "open-cancelled", "running-cancelled"],
)
def test_a_program_moves_along_the_allowed_transitions(site: Site, make_program: MakeProgram, path: list[str]) -> None:
    # given
    from tenant_apps.audit.models import AuditLogEntry

    program = make_program("draft")
    admin = site.client("admin")
    # when
    statuses = [
        admin.post(programs_url("bootcamps", program.pk, "transition"), {"status": step}).json()["status"]
        for step in path
    ]
    # then
    assert statuses == path
    with tenant_context(site.tenant):
        audited = [
            entry.changes["status"]
            for entry in AuditLogEntry.objects.filter(
                verb="program.status_changed", target_id=str(program.pk)
            ).order_by("id")
        ]
    assert audited == [[before, after] for before, after in zip(["draft", *path], path, strict=False)]


@pytest.mark.parametrize(
    ("start", "wanted"),
    [
        ("draft", "in_progress"),
        ("draft", "completed"),
        ("draft", "draft"),
        ("registration_open", "draft"),
        ("registration_open", "completed"),
        ("in_progress", "registration_open"),
        ("in_progress", "draft"),
        ("completed", "cancelled"),
        ("completed", "in_progress"),
        ("cancelled", "registration_open"),
        ("cancelled", "draft"),
    ],
)
def test_any_other_transition_is_refused_with_409_and_changes_nothing(
    site: Site, make_program: MakeProgram, start: str, wanted: str
) -> None:
    # given
    program = make_program(start)
    # when
    response = site.client("admin").post(programs_url("bootcamps", program.pk, "transition"), {"status": wanted})
    # then
    assert (response.status_code, error_code(response)) == (409, "invalid_status_transition")
    assert site.client("admin").get(programs_url("bootcamps", program.pk)).json()["status"] == start


def test_an_unknown_status_is_a_validation_error(site: Site, make_program: MakeProgram) -> None:
    program = make_program("draft")
    response = site.client("admin").post(programs_url("bootcamps", program.pk, "transition"), {"status": "archived"})
    assert (response.status_code, error_code(response)) == (400, "validation_error")


# --- who sees drafts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("viewer", "sees_draft"),
    [
        (None, False),
        ("ann", False),
        ("fay", False),
        ("tia", False),
        ("tom", True),
        ("sue", True),
        ("admin", True),
    ],
    ids=["anonymous", "student", "financial", "other-teacher", "its-teacher", "support", "admin"],
)
def test_drafts_are_hidden_from_everyone_but_staff_and_their_teachers(
    site: Site, make_program: MakeProgram, viewer: str | None, sees_draft: bool
) -> None:
    # given
    draft = make_program("draft", title="Secret Plans", teachers=[site.tom.pk])
    public = make_program("registration_open", title="Open House")
    client = site.client(viewer)
    # when
    listed = slugs(client.get(programs_url()))
    detail = client.get(programs_url("bootcamps", draft.slug))
    # then
    assert public.slug in listed
    assert (draft.slug in listed) is sees_draft
    assert detail.status_code == (200 if sees_draft else 404)


# --- filters, search, ordering, pagination --------------------------------------------------------


@pytest.fixture
def catalogue(site: Site, make_program: MakeProgram) -> dict[str, Program]:
    """Four bootcamps with distinct statuses, teachers, dates and prices, and one course."""
    return {
        "python": make_program(
            "registration_open",
            title="Python for the Web",
            price="1200.00",
            start_date=in_days(10),
            teachers=[site.tom.pk],
            description="Django and DRF",
        ),
        "rust": make_program(
            "in_progress",
            title="Rust Systems",
            price="900.00",
            start_date=in_days(-5),
            teachers=[site.tia.pk],
            description="Ownership and lifetimes",
        ),
        "data": make_program(
            "registration_open",
            title="Data Engineering",
            price="1500.00",
            start_date=in_days(40),
            teachers=[site.tom.pk, site.tia.pk],
            description="Spark",
        ),
        "old": make_program(
            "completed",
            title="Intro to Go",
            price="300.00",
            start_date=in_days(-100),
            teachers=[site.tia.pk],
            description="Goroutines",
        ),
        "course": make_program("registration_open", type="courses", title="Python Internals", price="500.00"),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["old", "rust", "python", "data"]),
        ({"status": "registration_open"}, ["python", "data"]),
        ({"status": ["in_progress", "completed"]}, ["old", "rust"]),
        ({"teacher": "tom"}, ["python", "data"]),
        ({"start_after": 0}, ["python", "data"]),
        ({"start_before": 0}, ["old", "rust"]),
        ({"start_after": -10, "start_before": 20}, ["rust", "python"]),
        ({"min_price": "900", "max_price": "1200"}, ["rust", "python"]),
        ({"min_price": "1000.01"}, ["python", "data"]),
        ({"currency": "usd", "max_price": "300"}, ["old"]),
        ({"search": "python"}, ["python"]),
        ({"search": "lifetimes"}, ["rust"]),
        ({"ordering": "-price"}, ["data", "python", "rust", "old"]),
        ({"ordering": "title"}, ["data", "old", "python", "rust"]),
        ({"status": "registration_open", "ordering": "-start_date"}, ["data", "python"]),
    ],
    ids=[
        "default-by-start",
        "status",
        "statuses",
        "teacher",
        "start-after",
        "start-before",
        "date-window",
        "price-range",
        "min-price",
        "currency",
        "search-title",
        "search-description",
        "order-price-desc",
        "order-title",
        "filter-and-order",
    ],
)
def test_the_public_list_filters_searches_and_orders(
    site: Site, catalogue: dict[str, Program], query: dict[str, Any], expected: list[str]
) -> None:
    # given
    teacher_ids = {"tom": site.tom.pk, "tia": site.tia.pk}
    params = {
        key: (teacher_ids[value] if key == "teacher" else str(in_days(value)) if key.startswith("start_") else value)
        for key, value in query.items()
    }
    # when
    response = site.client(None).get(programs_url(), params)
    # then
    assert slugs(response) == [catalogue[name].slug for name in expected]


def test_the_list_is_paginated(site: Site, catalogue: dict[str, Program]) -> None:
    # when
    first = site.client(None).get(programs_url(), {"page_size": 3})
    second = site.client(None).get(first.json()["next"])
    # then
    assert first.json()["count"] == 4
    assert len(results(first)) == 3
    assert slugs(second) == [catalogue["data"].slug]
    assert second.json()["next"] is None


@pytest.mark.parametrize(
    "query", [{"start_after": "yesterday"}, {"min_price": "cheap"}, {"teacher": "tom"}, {"status": "archived"}]
)
def test_invalid_filter_values_answer_400(site: Site, catalogue: dict[str, Program], query: dict[str, Any]) -> None:
    response = site.client(None).get(programs_url(), query)
    assert (response.status_code, error_code(response)) == (400, "validation_error")


def test_the_courses_list_holds_only_courses(site: Site, catalogue: dict[str, Program]) -> None:
    assert slugs(site.client(None).get(programs_url("courses"))) == [catalogue["course"].slug]
