"""Unique slugs for rows that are found by slug in URLs."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.utils.text import slugify


def unique_slug(
    queryset: Any, text: str, *, fallback: str, reserved: Collection[str] = (), max_length: int = 200
) -> str:
    """A slug made from ``text`` that no row of ``queryset`` has in ``slug``: ``text``, ``text-2``, ...

    ``fallback`` stands in for a ``text`` with nothing to slugify, and prefixes a slug that is all
    digits (it would read as an id in ``/{id or slug}/`` routes) or in ``reserved``. One query:
    the slugs starting with the base. ``queryset`` excludes the row being renamed, if any.
    """
    base = slugify(text)[: max_length - 10].strip("-") or fallback
    if base.isdigit() or base in reserved:
        base = f"{fallback}-{base}"
    taken = set(queryset.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug
