"""Impersonation: platform staff with the ``superadmin.impersonate_tenant_user`` permission act as
a site's user to reproduce a problem (issue 17, point 2).

``impersonation_start`` mints a short-lived access token (``IMPERSONATION_TOKEN_MINUTES``, no
refresh token) for the user, bound to the user's tenant like every token, with the staff member
in its ``impersonator`` claim (``tenant_apps.accounts.tokens.ImpersonationAccessToken``), and
records the start in the platform's audit log and in the site's. Every request made with the
token is then recorded in the site's audit log (``impersonation.request``, by
``tenant_apps.audit.middleware``), and the audit rows written meanwhile carry ``impersonator``.

``impersonation_sessions`` lists a site's sessions for its admins (read from the site's audit log:
no model of its own).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.db.models.fields.json import KT
from django_tenants.utils import tenant_context

from saas.errors import Conflict, ErrorCode, NotFound, PermissionDenied
from shared_apps.superadmin.services import platform_audit_record
from shared_apps.tenancy.models import Tenant, TenantStatus
from tenant_apps.accounts.tokens import ImpersonationAccessToken
from tenant_apps.audit.impersonation import ENDED, REQUEST, STARTED, impersonation_end, impersonation_ended_at
from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.audit.services import audit_record
from tenant_apps.kinds import ADMIN

#: The Django permission (``app_label.codename``) a platform user needs to impersonate.
IMPERSONATE_PERMISSION = "superadmin.impersonate_tenant_user"


@dataclass(frozen=True)
class Impersonation:
    """A started impersonation: the ``access`` token, when it expires (aware UTC), and the user."""

    access: str
    expires_at: datetime
    user_id: int
    email: str
    roles: list[str]


def impersonation_start(
    *, staff: Any, tenant_slug: str, reason: str, user_id: int | None = None, email: str | None = None
) -> Impersonation:
    """Start impersonating the user (by ``user_id`` or ``email``) of the site ``tenant_slug``.

    Raises ``PermissionDenied`` (403) when ``staff`` lacks ``IMPERSONATE_PERMISSION``, or with
    ``impersonation_of_admin_forbidden`` when the user is an ``admin`` of the site and
    ``IMPERSONATION_ALLOW_ADMINS`` is false; ``NotFound`` (404) for an unknown site or user;
    ``Conflict`` (409): ``conflict`` for a site that is not active, ``user_inactive`` for an
    inactive user. Writes ``impersonation.started`` to the platform's audit log (reason, user) and
    to the site's (actor shown as the staff e-mail), each in its schema's transaction.
    """
    if not staff.has_perm(IMPERSONATE_PERMISSION):
        raise PermissionDenied("You may not impersonate users.")
    tenant = Tenant.objects.filter(schema_name=tenant_slug).first()
    if tenant is None:
        raise NotFound("No such site.")
    if tenant.status != TenantStatus.ACTIVE:
        raise Conflict(f"The site is {tenant.status}, not active.", details={"status": tenant.status})
    with transaction.atomic():  # one database: both logs are written, or neither
        with tenant_context(tenant):
            from tenant_apps.accounts.models import User

            users = User.objects.prefetch_related("groups")
            found = users.filter(pk=user_id) if user_id is not None else users.filter(email__iexact=email)
            user = found.first()
            if user is None:
                raise NotFound("No such user.")
            if not user.is_active:
                raise Conflict("The user is inactive.", code=ErrorCode.USER_INACTIVE)
            roles = user.role_names
            if ADMIN in roles and not settings.IMPERSONATION_ALLOW_ADMINS:
                raise PermissionDenied(
                    "Impersonating a site's admin is not allowed here.",
                    code=ErrorCode.IMPERSONATION_OF_ADMIN_FORBIDDEN,
                )
            token = ImpersonationAccessToken.for_impersonation(user, staff=staff)
            session = str(token["jti"])
            expires_at = datetime.fromtimestamp(token["exp"], tz=UTC)
            audit_record(
                actor=None,
                actor_repr=str(staff.email),
                verb=STARTED,
                target=user,
                changes={
                    "impersonator": {"email": str(staff.email), "id": str(staff.pk)},
                    "reason": reason,
                    "session": session,
                    "expires_at": expires_at.isoformat(),
                },
            )
        platform_audit_record(
            verb=STARTED,
            actor=staff,
            tenant=tenant,
            details={"reason": reason, "user_id": user.pk, "email": user.email, "session": session},
        )
    return Impersonation(access=str(token), expires_at=expires_at, user_id=user.pk, email=user.email, roles=roles)


def impersonation_sessions() -> Any:
    """The current site's impersonation sessions, newest first: its ``impersonation.started``
    audit rows, each annotated with nothing; use ``request_counts`` for the requests made."""
    return AuditLogEntry.objects.filter(verb=STARTED).order_by("-created_at", "-id")


def request_counts(sessions: list[str]) -> dict[str, int]:
    """How many requests each of ``sessions`` (token ids) made: one grouped query."""
    if not sessions:
        return {}
    rows = (
        AuditLogEntry.objects.filter(verb=REQUEST)
        .annotate(session=KT("changes__session"))
        .filter(session__in=sessions)
        .values("session")
        .annotate(n=Count("id"))
    )
    return {row["session"]: row["n"] for row in rows}


def impersonation_stop(*, tenant: Tenant, session: str, admin: Any = None, impersonator_email: str = "") -> datetime:
    """End the impersonation ``session`` (a token's ``jti``) of ``tenant`` (the current site) early:
    by one of its ``admin`` users, or by the impersonator (``impersonator_email``, from the token).
    Its token answers 401 ``session_expired`` from the next request. Writes ``impersonation.ended``
    to the site's audit log (``tenant_apps.audit.impersonation.impersonation_end``) and to the
    platform's, in one transaction; ending an ended session writes nothing and returns when it
    first ended (aware, UTC).

    Raises ``NotFound`` (404) for a session the site does not know.
    """
    with transaction.atomic():
        already = impersonation_ended_at(session)
        ended = impersonation_end(session=session, actor=admin, actor_repr="" if admin else impersonator_email)
        if already is None:
            platform_audit_record(
                verb=ENDED,
                actor=None,
                tenant=tenant,
                details={"session": session, "ended_by": impersonator_email or str(getattr(admin, "email", ""))},
            )
    return ended


def ended_at_of(sessions: list[str]) -> dict[str, datetime]:
    """When each of ``sessions`` (token ids) was ended early, for those that were: one query."""
    if not sessions:
        return {}
    rows = (
        AuditLogEntry.objects.filter(verb=ENDED)
        .annotate(session=KT("changes__session"))
        .filter(session__in=sessions)
        .values_list("session", "created_at")
    )
    ended: dict[str, datetime] = {}
    for session, at in rows:
        ended.setdefault(session, at)
    return ended


__all__ = [
    "ENDED",
    "REQUEST",
    "STARTED",
    "Impersonation",
    "ended_at_of",
    "impersonation_end",
    "impersonation_sessions",
    "impersonation_start",
    "impersonation_stop",
    "request_counts",
]
