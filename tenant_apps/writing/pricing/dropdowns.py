"""The order form's dropdowns in one answer, cached per site: ``GET /api/v1/dropdown-options/``
and ``GET /api/v1/dropdown-options/{category}/``, as the reference system documents them.

A category is an ``OptionGroup`` (``paper_type``, ``subject``, ``academic_level``,
``formatting_style``, ``language``); each lists its active options ``{id, slug, name}`` in the
order offered. The whole answer is built by one query and kept in the site's cache (keys carry
the schema, so one site's options never answer another's) until an option changes: every save or
delete of an ``OrderOption`` drops it after commit (``receivers.py``), so a front end never sees a
retired option for longer than the transaction that retired it. Redis down: reads miss (one
query per request) and the write is skipped.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from django.core.cache import cache

from tenant_apps.writing.pricing.models import OptionGroup, OrderOption

logger = logging.getLogger(__name__)

CACHE_KEY = "writing:dropdown-options"
#: Seconds the answer is kept at most; a change drops it at once anyway.
CACHE_TTL = 3600


def dropdown_options() -> dict[str, list[dict[str, Any]]]:
    """``{category: [{id, slug, name}, ...]}`` of every category (empty lists included), active
    options only, by position then name: from the cache, or one query on a miss."""
    cached = cache.get(CACHE_KEY)
    if isinstance(cached, dict):
        return cached
    found: dict[str, list[dict[str, Any]]] = {group: [] for group in OptionGroup.values}
    rows = (
        OrderOption.objects.filter(is_active=True)
        .order_by("group", "position", "name", "id")
        .values_list("group", "id", "slug", "name")
    )
    for group, pk, slug, name in rows:
        found.setdefault(group, []).append({"id": pk, "slug": slug, "name": name})
    try:
        cache.set(CACHE_KEY, found, CACHE_TTL)
    except redis.RedisError as exc:
        logger.info("dropdown options not cached: %s", exc.__class__.__name__)
    return found


def forget_dropdown_options() -> None:
    """Drop the cached answer (an option changed); raises ``redis.RedisError`` if Redis fails (the
    receiver calls it after commit, robustly)."""
    cache.delete(CACHE_KEY)
