"""Writers in a writing site's admin: the site admin lists, filters, searches and opens writers'
profiles and the levels (other roles are sent to the login page); setting a writer's level goes
through the API's service (the profile, the audit row, the writer told) and a user who is no
longer a writer is refused with the service's reason; the profile list costs the same queries for
2 writers as for 10; a site never shows another site's writers."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.services import user_update
from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.notifications.models import Notification
from tenant_apps.writing.writers.models import WriterLevel, WriterProfile
from tests.admin import (
    admin_client,
    admin_url,
    assert_admin_hides,
    assert_list_queries_fixed,
    messages_of,
    run_action,
    session_client,
)
from tests.factories.writing_writers import WriterLevelFactory, WriterProfileFactory
from tests.tenant_apps.writing.conftest import Writing, reload


def test_the_admin_lists_filters_searches_and_opens_profiles_and_levels(writing: Writing) -> None:
    # given: wren of a "Senior" level, will of a "Junior" one
    with tenant_context(writing.tenant):
        senior, junior = WriterLevelFactory(name="Senior"), WriterLevelFactory(name="Junior")
        wrens = WriterProfileFactory(user=writing.wren, level=senior)
        WriterProfileFactory(user=writing.will, level=junior)
    client = admin_client(writing.tenant)
    # then
    seniors = client.get(admin_url(WriterProfile), {"level__id__exact": senior.pk}).content.decode()
    assert "wren@golf.test" in seniors and "will@golf.test" not in seniors
    searched = client.get(admin_url(WriterProfile), {"q": "Will Writer"}).content.decode()
    assert "will@golf.test" in searched and "wren@golf.test" not in searched
    assert client.get(admin_url(WriterProfile, "change", wrens.pk)).status_code == 200
    levels = client.get(admin_url(WriterLevel), {"is_default__exact": "0", "q": "Senior"}).content.decode()
    assert "Senior" in levels and "Junior" not in levels
    assert client.get(admin_url(WriterLevel, "change", senior.pk)).status_code == 200


@pytest.mark.parametrize("who", ["cleo", "wren", "eddie", "sue"])
def test_other_roles_are_sent_to_the_login_page(writing: Writing, who: str) -> None:
    client = session_client(writing.tenant, getattr(writing, who))

    for url in (admin_url(WriterProfile), admin_url(WriterLevel)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_setting_a_level_goes_through_the_service(writing: Writing) -> None:
    with tenant_context(writing.tenant):
        junior, senior = WriterLevelFactory(name="Junior"), WriterLevelFactory(name="Senior")
        profile = WriterProfileFactory(user=writing.wren, level=junior)

    response = run_action(admin_client(writing.tenant), WriterProfile, "set_level", [profile], level=senior.pk)

    assert messages_of(response) == ["1 set."]
    assert reload(writing, profile).level_id == senior.pk
    with tenant_context(writing.tenant):
        assert AuditLogEntry.objects.filter(
            verb="writing.writer_level_set", target_id=str(profile.pk), actor=writing.admin
        ).exists()
        assert Notification.objects.filter(recipient=writing.wren, verb="writing_writer.level_changed").exists()


def test_a_user_no_longer_a_writer_gets_no_level(writing: Writing) -> None:
    # given: wren's profile, then wren made a client only
    with tenant_context(writing.tenant):
        junior, senior = WriterLevelFactory(name="Junior"), WriterLevelFactory(name="Senior")
        profile = WriterProfileFactory(user=writing.wren, level=junior)
        user_update(writing.wren, roles=["client"], actor=writing.admin)
    # when
    response = run_action(admin_client(writing.tenant), WriterProfile, "set_level", [profile], level=senior.pk)
    # then
    assert messages_of(response) == [f"{profile}: No such writer."]
    assert reload(writing, profile).level_id == junior.pk


def test_the_profile_list_costs_the_same_queries_for_2_and_for_10_writers(writing: Writing) -> None:
    with tenant_context(writing.tenant):
        level = WriterLevelFactory()

    assert_list_queries_fixed(writing.tenant, WriterProfile, lambda: WriterProfileFactory(level=level))


def test_a_site_never_shows_another_sites_writers(writing: Writing, hotel: Tenant) -> None:
    with tenant_context(hotel):
        theirs = WriterLevelFactory(name="Hotel-only level")

    assert_admin_hides(writing.tenant, theirs, "Hotel-only level")
