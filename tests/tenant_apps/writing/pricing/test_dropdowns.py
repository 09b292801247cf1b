"""The order form's dropdowns in one answer (``GET /api/v1/dropdown-options/`` and
``/{category}/``): public, active choices in the order offered, cached per site and dropped from
the cache when an admin changes an option."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.pricing.models import OptionGroup, OrderOption
from tests.api import error_code
from tests.fixture_types import ClientFor
from tests.tenant_apps.writing.conftest import Writing

DROPDOWNS = "/api/v1/dropdown-options/"

CaptureCallbacks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """No cached dropdowns from another test (their rows were rolled back; the cache was not)."""
    caches["default"].clear()
    yield
    caches["default"].clear()


def test_a_visitor_gets_every_dropdown_with_its_active_choices_in_order(writing: Writing) -> None:
    # given a retired subject
    with tenant_context(writing.tenant):
        OrderOption.objects.filter(group=OptionGroup.SUBJECT, slug="philosophy").update(is_active=False)
    # when
    response = writing.client(None).get(DROPDOWNS)
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == set(OptionGroup.values)
    levels = [choice["slug"] for choice in body["academic_level"]]
    assert levels == ["high-school", "undergraduate", "masters", "doctoral", "professional"]
    assert set(body["academic_level"][0]) == {"id", "slug", "name"}
    assert "philosophy" not in {choice["slug"] for choice in body["subject"]}
    assert "history" in {choice["slug"] for choice in body["subject"]}


def test_one_category_and_an_unknown_one(writing: Writing) -> None:
    # when
    styles = writing.client(None).get(f"{DROPDOWNS}formatting_style/")
    unknown = writing.client(None).get(f"{DROPDOWNS}colours/")
    # then
    assert styles.status_code == 200
    assert [choice["name"] for choice in styles.json()] == ["APA", "MLA", "Chicago", "Harvard", "IEEE"]
    assert unknown.status_code == 404 and error_code(unknown) == "not_found"


def test_the_answer_is_cached_until_an_admin_changes_an_option(
    writing: Writing, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    # given the dropdowns asked for once
    visitor = writing.client(None)
    visitor.get("/api/v1/site/")  # warm: the host's routing
    with CaptureQueriesContext(connection) as first:
        visitor.get(DROPDOWNS)
    first_count = len(first)  # read now: the next request resets the connection's query log
    # when asked again, then an admin adds a subject (the cache dropped once it commits)
    with CaptureQueriesContext(connection) as second:
        cached = visitor.get(DROPDOWNS).json()
    second_count = len(second)
    with django_capture_on_commit_callbacks(execute=True):
        added = writing.client("admin").post(
            "/api/v1/order-options/", {"group": "subject", "name": "Astronomy"}, format="json"
        )
    assert added.status_code == 201, added.content
    fresh = visitor.get(DROPDOWNS).json()
    # then the first answer took one query (the options), the second none (the cache), and the
    # change shows at once
    assert (first_count, second_count) == (1, 0)
    assert "astronomy" not in {c["slug"] for c in cached["subject"]}
    assert "astronomy" in {c["slug"] for c in fresh["subject"]}


def test_golfs_cached_dropdowns_never_answer_hotel(
    writing: Writing, hotel: Tenant, client_for: ClientFor, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    # given golf's own subject, and both sites' dropdowns cached
    with django_capture_on_commit_callbacks(execute=True):
        writing.client("admin").post("/api/v1/order-options/", {"group": "subject", "name": "Golf only"}, format="json")
    hotel_visitor = client_for(hotel)
    writing.client(None).get(DROPDOWNS)
    hotel_visitor.get(DROPDOWNS)
    # when hotel's visitors ask
    subjects = {c["slug"] for c in hotel_visitor.get(DROPDOWNS).json()["subject"]}
    category = {c["slug"] for c in hotel_visitor.get(f"{DROPDOWNS}subject/").json()}
    # then golf's subject is golf's alone
    assert "golf-only" in {c["slug"] for c in writing.client(None).get(DROPDOWNS).json()["subject"]}
    assert "golf-only" not in subjects | category
