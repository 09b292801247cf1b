"""Helpers of the writing writers tests: URLs and a level body."""

from __future__ import annotations

from typing import Any

LEVELS = "/api/v1/writer-levels/"
WRITERS = "/api/v1/writers/"


def level_url(pk: Any) -> str:
    """``/api/v1/writer-levels/{pk}/``."""
    return f"{LEVELS}{pk}/"


def writer_url(pk: Any) -> str:
    """``/api/v1/writers/{pk}/``."""
    return f"{WRITERS}{pk}/"


def level_body(**overrides: Any) -> dict[str, Any]:
    """A ``POST /writer-levels/`` body: "Senior", 65 %, 8.00 a page."""
    body: dict[str, Any] = {"name": "Senior", "share_percent": "65.00", "per_page_amount": "8.00"}
    body.update(overrides)
    return body
