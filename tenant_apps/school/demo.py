"""Demo data of a ``school`` site for ``manage.py setup_demo``: programs and lessons."""

from __future__ import annotations

from typing import Any


def seed_demo(*, password: str) -> dict[str, Any]:
    """Create (idempotently) the school demo data in the current schema; returns what exists."""
    from tenant_apps.school.lessons.demo import seed_demo as seed_lessons
    from tenant_apps.school.programs.demo import seed_demo as seed_programs

    return {"programs": seed_programs(password=password), "lessons": seed_lessons(password=password)}
