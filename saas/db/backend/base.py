"""PostgreSQL backend: django-tenants' schema switching, with ``SET search_path`` kept to a minimum.

django-tenants issues ``SET search_path`` on every new cursor unless ``TENANT_LIMIT_SET_CALLS``
is on; with it on, it remembers the path it set and skips the statement until ``set_tenant`` is
called again. Two refinements here:

* ``set_tenant`` forgets the remembered path only when the path really changes, so a request to
  the same tenant as the previous request on a persistent connection issues no ``SET`` at all.
* A ``SET`` is transactional in PostgreSQL: ``ROLLBACK`` or ``ROLLBACK TO SAVEPOINT`` undoes a
  ``SET`` issued after it began. Trusting the remembered path after such a rollback serves the
  previous tenant's rows (django-tenants issue 1262). The base class forgets the remembered path
  on ``rollback`` and ``savepoint_rollback`` (django-tenants >= 3.7); we rely on that and prove it
  in ``tests/shared_apps/tenancy/test_search_path.py`` rather than re-implementing it.
"""

from __future__ import annotations

from typing import Any

from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper


class DatabaseWrapper(TenantDatabaseWrapper):
    """django-tenants' wrapper that keeps a still-valid ``search_path`` across ``set_tenant``."""

    search_path_set_schemas: list[str] | None

    def set_tenant(self, tenant: Any, include_public: bool = True) -> None:
        """Select ``tenant``'s schema for the following queries (no query is run here)."""
        remembered = self.search_path_set_schemas
        super().set_tenant(tenant, include_public)
        if remembered is not None and remembered == self._get_cursor_search_paths():
            self.search_path_set_schemas = remembered
