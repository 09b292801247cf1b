"""A per-schema content-type cache.

Django's ``ContentTypeManager`` caches rows per process in ``_cache[db]``; content type ids are
per schema (the public schema and each kind hold different apps, and ids diverge as apps are
added). django-tenants clears the cache on every ``set_tenant``, but in a threaded server another
thread serving another schema can refill it at any moment, so ``get_for_model`` (used by
guardian, the audit log, notifications and generic relations) could return another schema's id.

``SchemaKeyedCache`` replaces ``ContentType.objects._cache``: the same ``{db: {...}}`` interface
the manager uses, but each ``db`` entry is looked up under ``(db, current schema)``. Installed
once by ``install()`` from ``TenancyConfig.ready``. Written by hand because it must fit Django's
private cache attribute; ``tests/saas/test_contenttypes.py`` pins the behaviour.
"""

from __future__ import annotations

from typing import Any

from saas.db.tenant import current_schema


class SchemaKeyedCache(dict[tuple[str, str], dict[Any, Any]]):
    """``{(db alias, schema): {key: ContentType}}`` addressed by db alias alone."""

    def __getitem__(self, db: Any) -> dict[Any, Any]:
        return super().__getitem__((db, current_schema()))

    def setdefault(self, db: Any, default: Any = None) -> dict[Any, Any]:
        return super().setdefault((db, current_schema()), {} if default is None else default)

    def get(self, db: Any, default: Any = None) -> Any:
        return super().get((db, current_schema()), default)

    def __contains__(self, db: object) -> bool:
        return super().__contains__((db, current_schema()))


def install() -> None:
    """Give ``ContentType.objects`` a per-schema cache (idempotent)."""
    from django.contrib.contenttypes.models import ContentType

    if not isinstance(ContentType.objects._cache, SchemaKeyedCache):  # type: ignore[attr-defined]
        ContentType.objects._cache = SchemaKeyedCache()  # type: ignore[attr-defined]
