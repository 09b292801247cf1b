"""What the catalog, purchases and groups share: the role check and the audit diff of an update."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from saas.api.errors import ApplicationError
from saas.errors import PermissionDenied

logger = logging.getLogger(__name__)


def _denied() -> ApplicationError:
    return PermissionDenied("Your role does not allow this action.")


def _require(allowed: bool) -> None:
    if not allowed:
        raise _denied()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def _changes(obj: Any, fields: dict[str, Any]) -> dict[str, list[Any]]:
    """Set ``fields`` on ``obj``; returns ``{name: [before, after]}`` of those that changed."""
    changed = {}
    for name, value in fields.items():
        before = getattr(obj, name)
        if before != value:
            changed[name] = [_jsonable(before), _jsonable(value)]
            setattr(obj, name, value)
    return changed
