"""Deleting rows in a schema that holds only some of the project's apps.

Every kind's models are installed in one process (django-tenants' multi-type tenants), but a
schema holds only the tables of its own type's apps (``settings.TENANT_TYPES[kind]["APPS"]``).
Django's deletion collector follows *every* reverse relation of a model: deleting a user in a
school schema also looked for their carts and orders in store tables that schema does not have,
and failed with ``ProgrammingError: relation "orders_cartitem" does not exist`` (and the other way
round in a store schema, through ``programs_bootcamp_teachers``).

``install()`` (from ``TenancyConfig.ready``) narrows the collector's candidate relations
(``django.db.models.deletion.get_candidate_relations_to_delete``, which both the collector and its
fast-delete check call) to models whose app is migrated into the schema the connection serves or
into the public schema, which every tenant's ``search_path`` ends with.
There is nothing of another type's apps in that schema to cascade to, so leaving them out changes
no result. A schema whose type is not known (a template before its tenant exists, a raw
``set_schema``) keeps Django's behaviour. Written by hand: it patches one private function of
Django, the smallest change that fixes every ``delete()``; ``tests/saas/test_deletion.py`` pins it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from django.conf import settings
from django.db.models import deletion

_original = deletion.get_candidate_relations_to_delete


@cache
def _labels_of(kind: str) -> frozenset[str] | None:
    """App labels whose tables a connection serving ``kind`` reaches (the kind's and the public
    schema's), or ``None`` if the kind is unknown."""
    from django.apps import apps

    types: dict[str, Any] = getattr(settings, "TENANT_TYPES", {})
    if kind not in types or "public" not in types:
        return None
    # A tenant's search_path ends with the public schema: its tables (tenants, domains) are there too.
    names = set(types[kind]["APPS"]) | set(types["public"]["APPS"])
    return frozenset(config.label for config in apps.get_app_configs() if config.name in names)


def _current_labels() -> frozenset[str] | None:
    from saas.db.tenant import current_kind

    try:
        return _labels_of(current_kind())
    except Exception:  # no tenant-aware connection (e.g. a plain database): Django's behaviour
        return None


def relations_in_schema(opts: Any) -> Iterator[Any]:
    """``get_candidate_relations_to_delete(opts)`` without relations from models whose tables the
    current schema does not have."""
    labels = _current_labels()
    relations: Iterable[Any] = _original(opts)
    for relation in relations:
        if labels is None or relation.related_model._meta.app_label in labels:
            yield relation


def install() -> None:
    """Make Django's deletion collector consider only the current schema's apps (idempotent)."""
    deletion.get_candidate_relations_to_delete = relations_in_schema
