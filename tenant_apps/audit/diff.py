"""The audit diff of a partial update: what changed, as JSON, in one helper every service uses."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any


def audit_value(value: Any) -> Any:
    """``value`` as the audit log stores it: ``Decimal`` as a string, dates and times in ISO 8601,
    model instances as their primary key, lists item by item; anything else as it is."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    if hasattr(value, "_meta") and hasattr(value, "pk"):
        return value.pk
    if isinstance(value, list | tuple):
        return [audit_value(item) for item in value]
    return value


def apply_changes(obj: Any, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set each of ``values`` on ``obj`` (not saved); returns ``{field: [before, after]}`` (JSON-able,
    ``audit_value``) for the fields whose value really changed: the ``changes`` of an audit row."""
    changed: dict[str, list[Any]] = {}
    for name, value in values.items():
        before = getattr(obj, name)
        if before != value:
            changed[name] = [audit_value(before), audit_value(value)]
            setattr(obj, name, value)
    return changed
