"""A per-schema content-type cache that lives as long as the process.

Django's ``ContentTypeManager`` caches rows per process in ``_cache[db]``; content type ids are
per schema (the public schema and each kind hold different apps, and ids diverge as apps are
added). ``get_for_model`` is used by guardian, the audit log, notifications and generic
relations, so a list of such rows needs content types on every request.

``SchemaKeyedCache`` replaces ``ContentType.objects._cache``: the same ``{db: {...}}`` interface
the manager uses, but each ``db`` entry is looked up under ``(db, current schema, current
tenant's primary key)``, so one thread's tenant never answers for another's, and a slug dropped
and provisioned again (possibly as another kind, with other ids) is a new tenant row, hence a new
entry. Installed once by ``install()`` from ``TenancyConfig.ready``. Written by hand because it
must fit Django's private cache attribute; ``tests/saas/test_contenttypes.py`` pins the behaviour.

**When entries go.** django-tenants calls ``ContentType.objects.clear_cache()`` on every
``set_tenant``, i.e. on every request, which emptied the cache of every schema each time and made
each list query ``django_content_type`` again. Its reason (ids differ per schema) is what the
keys above already solve, so ``clear()`` (what ``clear_cache`` calls) does nothing. Content types
change when migrations run or a test flushes the database, and Django announces both with
``post_migrate``: ``install`` connects ``clear_all`` to it. A tenant's change (dropped,
provisioned) also drops its schema's entries in every process (``forget_schema``, called by
``shared_apps.tenancy.hosts``).
"""

from __future__ import annotations

import threading
from typing import Any

from django.db.models.signals import post_migrate

from saas.db.tenant import current_schema, current_tenant

_lock = threading.Lock()


def _key(db: Any) -> tuple[Any, str, Any]:
    return (db, current_schema(), getattr(current_tenant(), "pk", None))


class SchemaKeyedCache(dict[tuple[Any, str, Any], dict[Any, Any]]):
    """``{(db alias, schema, tenant pk): {key: ContentType}}`` addressed by db alias alone."""

    def __getitem__(self, db: Any) -> dict[Any, Any]:
        return super().__getitem__(_key(db))

    def setdefault(self, db: Any, default: Any = None) -> dict[Any, Any]:
        return super().setdefault(_key(db), {} if default is None else default)

    def get(self, db: Any, default: Any = None) -> Any:
        return super().get(_key(db), default)

    def __contains__(self, db: object) -> bool:
        return super().__contains__(_key(db))

    def clear(self) -> None:
        """Nothing: the manager's ``clear_cache`` runs on every ``set_tenant`` (see the module
        docstring). ``clear_all`` empties the cache."""

    def clear_all(self) -> None:
        """Forget every schema's content types."""
        with _lock:
            super().clear()

    def forget_schema(self, schema_name: str) -> None:
        """Forget the content types of ``schema_name`` (every tenant that had that name)."""
        with _lock:
            for key in [key for key in list(self) if key[1] == schema_name]:
                self.pop(key, None)


def _cache() -> SchemaKeyedCache | None:
    from django.contrib.contenttypes.models import ContentType

    found = ContentType.objects._cache  # type: ignore[attr-defined]
    return found if isinstance(found, SchemaKeyedCache) else None


def clear_all(**_: Any) -> None:
    """Forget every schema's content types (a ``post_migrate`` receiver)."""
    cache = _cache()
    if cache is not None:
        cache.clear_all()


def forget_schema(schema_name: str) -> None:
    """Forget the content types cached for ``schema_name`` in this process."""
    cache = _cache()
    if cache is not None:
        cache.forget_schema(schema_name)


def install() -> None:
    """Give ``ContentType.objects`` a per-schema cache, cleared on ``post_migrate`` (idempotent)."""
    from django.contrib.contenttypes.models import ContentType

    if not isinstance(ContentType.objects._cache, SchemaKeyedCache):  # type: ignore[attr-defined]
        ContentType.objects._cache = SchemaKeyedCache()  # type: ignore[attr-defined]
    post_migrate.connect(clear_all, dispatch_uid="saas.db.contenttypes.clear_all")
