"""Content types are cached per schema, so one thread's tenant never answers for another's, and for
the process's life: django-tenants' per-request ``clear_cache`` no longer empties them."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections
from django.db.models.signals import post_migrate
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from saas.db.contenttypes import SchemaKeyedCache
from saas.db.tenant import tenant_connection
from shared_apps.tenancy.hosts import HostRouter
from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tests.fixture_types import ClientFor, Login, MakeUser


@pytest.fixture(autouse=True)
def forget_planted_entries() -> Iterator[None]:
    """The cache outlives tests now: do not leave the fake rows planted here to later tests."""
    yield
    ContentType.objects._cache.clear_all()  # type: ignore[attr-defined]


def test_cache_entries_are_kept_per_schema(alpha: Tenant, gamma: Tenant) -> None:
    # given: a fake, different content type cached for accounts.user in gamma's schema
    # Django's private per-process cache (replaced by ours at start-up); django-stubs omit it
    cache = ContentType.objects._cache  # type: ignore[attr-defined]
    assert isinstance(cache, SchemaKeyedCache)
    with tenant_context(alpha):
        alpha_ct = ContentType.objects.get_for_model(User)
    with tenant_context(gamma):
        cache.setdefault("default")[("accounts", "user")] = ContentType(id=999_999, app_label="accounts", model="user")
        assert ContentType.objects.get_for_model(User).id == 999_999
    # when alpha asks again, without any clear_cache in between
    tenant_connection().tenant = alpha
    tenant_connection().schema_name = alpha.schema_name
    try:
        # then it gets its own row, not gamma's cached one
        assert ContentType.objects.get_for_model(User).id == alpha_ct.id
    finally:
        tenant_connection().set_schema_to_public()


def test_another_thread_filling_the_cache_for_its_schema_does_not_change_ours(
    alpha: Tenant, session_tenants: dict[str, Tenant]
) -> None:
    with tenant_context(alpha):
        ours = ContentType.objects.get_for_model(User)

        def other_thread() -> None:
            tenant_connection().set_schema_to_public()
            ContentType.objects.get_for_model(Tenant)  # public-only model, public ids
            connections.close_all()

        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
        assert ContentType.objects.get_for_model(User) == ours
        assert ContentType.objects.get_for_id(ours.id) == ours


# --------------------------------------------------------------------------------------------
# Lifetime: the process's, per schema; emptied by migrations only
# --------------------------------------------------------------------------------------------
TICKETS = "/api/v1/tickets/"


def content_type_queries(queries: CaptureQueriesContext) -> list[str]:
    """Look-ups of content type rows (not a list's own join with the table)."""
    return [q["sql"] for q in queries.captured_queries if 'FROM "django_content_type"' in q["sql"]]


@pytest.fixture
def student_client(alpha: Tenant, make_user: MakeUser, login: Login, client_for: ClientFor) -> APIClient:
    """A student of alpha, whose ticket list goes through guardian (content types)."""
    make_user(alpha, "ann@alpha.test", roles=["student"])
    client = client_for(alpha, login(alpha, "ann@alpha.test")["access"])
    assert client.post(TICKETS, {"subject": "Lesson 3", "body": "The video does not load."}).status_code == 201
    return client


def test_a_second_request_to_a_list_runs_no_content_type_query(
    student_client: APIClient, client_for: ClientFor, beta: Tenant
) -> None:
    # given: the list was served once (and another tenant's request came in between)
    assert student_client.get(TICKETS).status_code == 200
    assert client_for(beta).get("/api/v1/site/").status_code == 200
    # when
    with CaptureQueriesContext(connection) as queries:
        response = student_client.get(TICKETS)
    # then: set_tenant ran for both requests, and nothing emptied the cache
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1
    assert content_type_queries(queries) == []


def test_the_list_would_query_content_types_on_every_request_if_set_tenant_emptied_the_cache(
    student_client: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the behaviour this module replaces, clear_cache() emptying every schema's entries
    monkeypatch.setattr(SchemaKeyedCache, "clear", SchemaKeyedCache.clear_all)
    assert student_client.get(TICKETS).status_code == 200
    # when
    with CaptureQueriesContext(connection) as queries:
        student_client.get(TICKETS)
    # then: the test above would fail
    assert content_type_queries(queries) != []


def test_set_tenant_keeps_every_schemas_entries(alpha: Tenant, gamma: Tenant) -> None:
    # given
    with tenant_context(alpha):
        ContentType.objects.get_for_model(User)
    with tenant_context(gamma):
        ContentType.objects.get_for_model(User)
    # when: django-tenants' set_tenant calls clear_cache()
    tenant_connection().set_tenant(alpha)
    tenant_connection().set_tenant(gamma)
    # then
    with CaptureQueriesContext(connection) as queries, tenant_context(alpha):
        ContentType.objects.get_for_model(User)
    with tenant_context(gamma):
        ContentType.objects.get_for_model(User)
    assert content_type_queries(queries) == []


def test_migrations_empty_the_cache(alpha: Tenant) -> None:
    # given
    with tenant_context(alpha):
        ContentType.objects.get_for_model(User)
    assert len(ContentType.objects._cache) > 0  # type: ignore[attr-defined]  # private, see above
    # when: a migration (or a test's flush) ends; for an app without models, so that Django's own
    # receivers (content types, permissions) have nothing to do
    app_config = apps.get_app_config("staticfiles")
    post_migrate.send(
        sender=app_config, app_config=app_config, verbosity=0, interactive=False, using="default", apps=apps, plan=[]
    )
    # then
    assert len(ContentType.objects._cache) == 0  # type: ignore[attr-defined]  # private, see above


def test_a_tenant_change_forgets_its_schemas_content_types_in_every_process(alpha: Tenant, gamma: Tenant) -> None:
    # given: both schemas' content types cached
    with tenant_context(alpha):
        ContentType.objects.get_for_model(User)
    with tenant_context(gamma):
        ContentType.objects.get_for_model(User)
    # when: alpha changes (a drop, a new provisioning of its slug, ...), as another process
    # applies it from the routing change log
    HostRouter().drop(["schema:alpha"])
    # then: alpha's are read again, gamma's are kept
    with CaptureQueriesContext(connection) as queries:
        with tenant_context(alpha):
            ContentType.objects.get_for_model(User)
        with tenant_context(gamma):
            ContentType.objects.get_for_model(User)
    assert len(content_type_queries(queries)) == 1


def test_a_slug_provisioned_again_does_not_see_the_previous_tenants_entries(alpha: Tenant) -> None:
    # given: alpha's content types cached, and a fake row cached for its user model
    with tenant_context(alpha):
        cache = ContentType.objects._cache  # type: ignore[attr-defined]  # private, see above
        cache.setdefault("default")[("accounts", "user")] = ContentType(id=999_999, app_label="accounts", model="user")
    # when: another tenant row (another pk) is served under the same schema name
    reborn = Tenant(pk=alpha.pk + 10_000, schema_name=alpha.schema_name, kind=alpha.kind)
    with tenant_context(reborn):
        found = ContentType.objects.get_for_model(User)
    # then
    assert found.id != 999_999
