"""Writer levels: every site starts with the default set (standard, the default, advanced,
expert); admins add, change, make default and delete levels; nobody else sees them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.writing.writers.models import WriterLevel
from tests.api import error_code
from tests.factories import WriterProfileFactory
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.writers.conftest import LEVELS, level_body, level_url


def test_a_new_site_has_the_default_levels_with_standard_the_default(writing: Writing) -> None:
    levels = writing.client("admin").get(LEVELS).json()["results"]
    assert [(lv["slug"], lv["share_percent"], lv["per_page_amount"], lv["is_default"]) for lv in levels] == [
        ("standard", "50.00", "5.00", True),
        ("advanced", "60.00", "6.00", False),
        ("expert", "70.00", "7.50", False),
    ]


def test_an_admin_adds_a_level_and_makes_it_the_default(writing: Writing) -> None:
    # when
    created = writing.client("admin").post(LEVELS, level_body(), format="json")
    # then
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["slug"], body["share_percent"], body["is_default"], body["writers"]) == ("senior", "65.00", False, 0)
    # when: it becomes the default
    changed = writing.client("admin").patch(level_url(body["id"]), {"is_default": True}, format="json")
    # then: the only default
    assert changed.status_code == 200 and changed.json()["is_default"] is True
    with tenant_context(writing.tenant):
        assert list(WriterLevel.objects.filter(is_default=True).values_list("slug", flat=True)) == ["senior"]
        assert AuditLogEntry.objects.filter(verb="writing.writer_level_updated", target_id=str(body["id"])).exists()


def test_the_default_level_cannot_be_unset_or_deleted(writing: Writing) -> None:
    with tenant_context(writing.tenant):
        standard = WriterLevel.objects.get(slug="standard")
    unset = writing.client("admin").patch(level_url(standard.pk), {"is_default": False}, format="json")
    assert (unset.status_code, error_code(unset)) == (400, "validation_error")
    deleted = writing.client("admin").delete(level_url(standard.pk))
    assert (deleted.status_code, error_code(deleted)) == (409, "conflict")


def test_a_level_writers_have_is_not_deleted_and_a_free_one_is(writing: Writing) -> None:
    with tenant_context(writing.tenant):
        expert = WriterLevel.objects.get(slug="expert")
        advanced = WriterLevel.objects.get(slug="advanced")
        WriterProfileFactory(user=writing.wren, level=expert)
    in_use = writing.client("admin").delete(level_url(expert.pk))
    assert (in_use.status_code, error_code(in_use)) == (409, "conflict")
    assert writing.client("admin").delete(level_url(advanced.pk)).status_code == 204
    assert writing.client("admin").get(level_url(advanced.pk)).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        level_body(share_percent="100.01"),
        level_body(share_percent="-1"),
        level_body(share_percent=50),
        level_body(per_page_amount="1.001"),
        level_body(per_page_amount="-2.00"),
        level_body(name=""),
        level_body(slug="Not A Slug"),
        level_body(slug="standard"),
        level_body(is_default="maybe"),
        {"name": "No amounts"},
    ],
)
def test_level_bodies_of_the_wrong_shape_are_400(writing: Writing, body: dict[str, object]) -> None:
    response = writing.client("admin").post(LEVELS, body, format="json")
    assert response.status_code == 400, (body, response.content)
    assert error_code(response) in {"validation_error", "invalid_amount"}


@pytest.mark.parametrize("who", ["cleo", "wren", "eddie", "sue"])
def test_only_admins_see_and_manage_levels(writing: Writing, who: str) -> None:
    with tenant_context(writing.tenant):
        standard = WriterLevel.objects.get(slug="standard")
    client = writing.client(who)
    assert client.get(LEVELS).status_code == 403
    assert client.post(LEVELS, level_body(), format="json").status_code == 403
    assert client.get(level_url(standard.pk)).status_code == 403
    assert client.patch(level_url(standard.pk), {"share_percent": "99.00"}, format="json").status_code == 403
    assert client.delete(level_url(standard.pk)).status_code == 403
    assert writing.client(None).get(LEVELS).status_code == 401
    with tenant_context(writing.tenant):
        assert WriterLevel.objects.get(slug="standard").share_percent == Decimal("50.00")
