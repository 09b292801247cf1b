"""A site's impersonation sessions, as its audit log records them (issue 17, point 2).

Platform staff start a session on the platform host (``shared_apps.superadmin.impersonation``);
the site's audit log then holds, per session (the impersonation token's ``jti``):

* one ``impersonation.started`` row (``changes``: ``impersonator``, ``reason``, ``session``,
  ``expires_at``), written when the token is minted;
* one ``impersonation.request`` row per request made with the token
  (``AuditContextMiddleware``);
* at most one ``impersonation.ended`` row when the session was ended before its token expired
  (``impersonation_end``): by the impersonator (``POST /api/v1/impersonations/end/`` with the
  token) or by one of the site's admins (``POST /api/v1/impersonations/{session}/end/``).

Authentication refuses a token whose session has ended (401 ``session_expired``,
``tenant_apps.accounts.tokens.TenantJWTAuthentication``): one indexed query (``verb``), made only
for requests that carry an impersonation token. The record lives in the database, not the cache,
so an ended session stays ended through a Redis outage. The log is append-only: ending writes a
row, it never changes one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from saas.errors import NotFound
from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.audit.services import audit_record

STARTED = "impersonation.started"
REQUEST = "impersonation.request"
ENDED = "impersonation.ended"


def impersonation_ended_at(session: str) -> datetime | None:
    """When the impersonation ``session`` (a token's ``jti``) was ended (aware, UTC), or ``None``
    while it runs (or for an unknown session). One query."""
    return (
        AuditLogEntry.objects.filter(verb=ENDED, changes__session=session)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )


def impersonation_end(*, session: str, actor: Any = None, actor_repr: str = "") -> datetime:
    """End the impersonation ``session`` of the current site now: its token answers 401
    ``session_expired`` from the next request. ``actor``: the site's user who ended it (an admin),
    or ``None`` with ``actor_repr`` the staff e-mail when the impersonator ended it. Returns when
    it ended (aware, UTC); ending an ended session changes nothing and returns the first end.

    Raises ``NotFound`` (404) for a session the site's log does not know. Two concurrent ends write
    one row: the session's ``impersonation.started`` row is locked first.
    """
    with transaction.atomic():
        started = (
            AuditLogEntry.objects.select_for_update(no_key=True)
            .filter(verb=STARTED, changes__session=session)
            .order_by("id")
            .first()
        )
        if started is None:
            raise NotFound("No such impersonation session.")
        ended = impersonation_ended_at(session)
        if ended is not None:
            return ended
        entry = audit_record(
            actor=actor,
            actor_repr=actor_repr or None,
            verb=ENDED,
            target=started.target,
            changes={"session": session, "ended_by": actor_repr or str(getattr(actor, "email", ""))},
        )
    return entry.created_at
