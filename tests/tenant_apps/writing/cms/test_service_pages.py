"""Service pages through the API: admins manage them, anyone reads the published ones; FAQ blocks
are checked strictly and their answers cleaned; the "from" price is exact in its currency."""

from __future__ import annotations

from typing import Any

import pytest
from django_tenants.utils import tenant_context

from tenant_apps.writing.cms.models import ServicePage
from tests.api import error_code
from tests.tenant_apps.writing.cms.conftest import PAGES, make_page, page_url, slugs
from tests.tenant_apps.writing.conftest import Writing


def test_a_published_service_page_is_read_anonymously_with_its_faq(writing: Writing) -> None:
    # given
    admin = writing.client("admin")
    created = admin.post(
        PAGES,
        {
            "title": "Essay writing",
            "body": "<p>Any subject, any level.</p>",
            "price_from": "12.50",
            "faq": [{"question": "Is it original?", "answer": "<p>Yes, <b>always</b>.</p>"}],
            "is_published": True,
            "seo_title": "Essay writing service",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    # when
    read = writing.client(None).get(page_url("essay-writing"))
    # then
    assert read.status_code == 200
    body = read.json()
    assert (body["price_from"], body["currency"]) == ("12.50", "USD")
    assert body["faq"] == [{"question": "Is it original?", "answer": "<p>Yes, <b>always</b>.</p>"}]
    assert slugs(writing.client(None).get(PAGES)) == ["essay-writing"]


def test_an_unpublished_page_answers_404_to_all_but_admins(writing: Writing) -> None:
    # given
    page = make_page(writing, is_published=False)
    # then
    assert writing.client(None).get(page_url(page.slug)).status_code == 404
    assert writing.client("cleo").get(page_url(page.slug)).status_code == 404
    assert slugs(writing.client(None).get(PAGES)) == []
    assert writing.client("admin").get(page_url(page.slug)).status_code == 200
    # when published by a PATCH
    writing.client("admin").patch(page_url(page.slug), {"is_published": True}, format="json")
    # then
    assert writing.client(None).get(page_url(page.slug)).status_code == 200


@pytest.mark.parametrize(
    "faq",
    [
        "not a list",
        [{"question": "Q?"}],
        [{"question": "Q?", "answer": "A.", "extra": "x"}],
        [{"question": "", "answer": "A."}],
        [{"question": "Q?", "answer": "<script>alert(1)</script>"}],
        [{"question": 3, "answer": "A."}],
        [{"question": "Q" * 301, "answer": "A."}],
        [{"question": "Q?", "answer": "A" * 5001}],
        ["a string item"],
        [{"question": "Q?", "answer": "A."}] * 51,
    ],
)
def test_faq_blocks_are_checked_strictly(writing: Writing, faq: Any) -> None:
    # when
    response = writing.client("admin").post(PAGES, {"title": "Strict", "faq": faq}, format="json")
    # then
    assert response.status_code == 400, response.content
    assert error_code(response) == "validation_error"
    assert "faq" in response.json()["error"]["details"]
    with tenant_context(writing.tenant):
        assert not ServicePage.objects.filter(title="Strict").exists()


def test_price_from_is_exact_in_its_currency(writing: Writing) -> None:
    admin = writing.client("admin")
    # when
    half_yen = admin.post(PAGES, {"title": "Yen", "price_from": "10.50", "currency": "JPY"}, format="json")
    bad_currency = admin.post(PAGES, {"title": "Bad", "currency": "XXQ"}, format="json")
    negative = admin.post(PAGES, {"title": "Neg", "price_from": "-1.00"}, format="json")
    none = admin.post(PAGES, {"title": "Free quote", "price_from": None}, format="json")
    yen = admin.post(PAGES, {"title": "Yen ok", "price_from": "1500", "currency": "jpy"}, format="json")
    # then
    assert half_yen.status_code == 400 and error_code(half_yen) == "invalid_amount"
    assert bad_currency.status_code == 400 and error_code(bad_currency) == "invalid_currency"
    assert negative.status_code == 400
    assert none.status_code == 201 and none.json()["price_from"] is None
    assert yen.status_code == 201 and (yen.json()["price_from"], yen.json()["currency"]) == ("1500.00", "JPY")
    # and a currency switch re-checks the stored price
    switch = admin.patch(page_url("yen-ok"), {"currency": "USD"}, format="json")
    assert switch.status_code == 200 and switch.json()["price_from"] == "1500.00"


def test_an_admin_deletes_a_page_and_a_taken_slug_is_a_400(writing: Writing) -> None:
    # given
    page = make_page(writing, title="Editing")
    admin = writing.client("admin")
    # when
    taken = admin.post(PAGES, {"title": "Other", "slug": "editing"}, format="json")
    suffixed = admin.post(PAGES, {"title": "Editing"}, format="json")
    removed = admin.delete(page_url(page.slug))
    # then
    assert taken.status_code == 400 and "slug" in taken.json()["error"]["details"]
    assert suffixed.status_code == 201 and suffixed.json()["slug"] == "editing-2"
    assert removed.status_code == 204
    assert admin.get(page_url(page.slug)).status_code == 404
