"""What the catalog, purchases and groups share: the role check and the audit diff of an update."""

from __future__ import annotations

import logging

from saas.api.errors import ApplicationError
from saas.errors import PermissionDenied

logger = logging.getLogger(__name__)


def _denied() -> ApplicationError:
    return PermissionDenied("Your role does not allow this action.")


def _require(allowed: bool) -> None:
    if not allowed:
        raise _denied()
