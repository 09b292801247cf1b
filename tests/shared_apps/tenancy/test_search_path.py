"""The connection's search_path is set once per tenant switch and survives rollbacks correctly.

django-tenants issue 1262: with TENANT_LIMIT_SET_CALLS, a ``SET search_path`` issued inside a
savepoint is undone by ``ROLLBACK TO SAVEPOINT``, and a backend that still believed the path was
set served the previous tenant's rows.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django_tenants.utils import tenant_context

from saas.db.tenant import tenant_connection
from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User


def _visible_admins() -> list[str]:
    return list(User.objects.filter(email__startswith="admin@").values_list("email", flat=True))


def test_savepoint_rollback_does_not_serve_the_previous_tenants_rows(alpha: Tenant, beta: Tenant) -> None:
    # given: the connection has alpha's path set
    with tenant_context(alpha):
        assert _visible_admins() == ["admin@alpha.test"]
    # when: beta's path is first set inside a savepoint that rolls back
    with tenant_context(beta), transaction.atomic():
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            assert _visible_admins() == ["admin@beta.test"]
            1 / 0  # noqa: B018
        # then: still beta's rows after the rollback undid the SET
        assert _visible_admins() == ["admin@beta.test"]


def test_transaction_rollback_does_not_serve_the_previous_tenants_rows(alpha: Tenant, beta: Tenant) -> None:
    with tenant_context(alpha):
        assert _visible_admins() == ["admin@alpha.test"]
    with tenant_context(beta):
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            assert _visible_admins() == ["admin@beta.test"]
            1 / 0  # noqa: B018
        assert _visible_admins() == ["admin@beta.test"]


def test_search_path_is_not_set_again_for_the_same_tenant(alpha: Tenant, beta: Tenant) -> None:
    from django.test.utils import CaptureQueriesContext

    # given: alpha's path is set on the connection
    tenant_connection().set_tenant(alpha)
    _visible_admins()
    # when: the next request selects alpha again
    tenant_connection().set_tenant(alpha)
    with CaptureQueriesContext(connection) as queries:
        _visible_admins()
    # then
    assert not [q for q in queries.captured_queries if "search_path" in q["sql"]]
    # but switching tenants sets it
    tenant_connection().set_tenant(beta)
    with CaptureQueriesContext(connection) as queries:
        assert _visible_admins() == ["admin@beta.test"]
    assert [q["sql"] for q in queries.captured_queries if "search_path" in q["sql"]] == [
        'SET search_path = "beta","public"'
    ]
