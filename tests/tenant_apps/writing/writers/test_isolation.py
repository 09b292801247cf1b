"""One writing site's writer levels and profiles are invisible from another (golf and hotel)."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.writers.models import WriterLevel, WriterProfile
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.writing.conftest import Writing, make_writing
from tests.tenant_apps.writing.writers.conftest import LEVELS, WRITERS, level_body, level_url, writer_url


def test_golfs_levels_and_writers_are_not_hotels(
    writing: Writing, hotel: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given: golf adds a level and makes wren of it
    created = writing.client("admin").post(LEVELS, level_body(name="Golf Master"), format="json").json()
    writing.client("admin").patch(writer_url(writing.wren.pk), {"level": created["id"]}, format="json")
    other = make_writing(hotel, client_for, login)
    # then: hotel's admin lists hotel's default levels only, and golf's level id is a 404 there
    slugs = [lv["slug"] for lv in other.client("admin").get(LEVELS).json()["results"]]
    assert slugs == ["standard", "advanced", "expert"]
    with tenant_context(hotel):
        if not WriterLevel.objects.filter(pk=created["id"]).exists():
            assert other.client("admin").get(level_url(created["id"])).status_code == 404
        assert not WriterLevel.objects.filter(slug="golf-master").exists()
        assert not WriterProfile.objects.filter(level__slug="golf-master").exists()
    # and hotel's writers are hotel's, of the default level
    listed = other.client("admin").get(WRITERS).json()["results"]
    assert {w["id"] for w in listed} == {other.wren.pk, other.will.pk}
    assert {w["level"]["slug"] for w in listed} == {"standard"}
    assert other.client("wren").get(f"{WRITERS}me/").json()["level"]["slug"] == "standard"
