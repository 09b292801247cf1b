"""Content types are cached per schema, so one thread's tenant never answers for another's."""

from __future__ import annotations

import threading

from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django_tenants.utils import tenant_context

from saas.db.contenttypes import SchemaKeyedCache
from saas.db.tenant import tenant_connection
from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User


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
