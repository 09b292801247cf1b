"""JWTs bound to the tenant that issued them, and revocable per user.

Every access and refresh token carries three claims inside its signed payload:

* ``tenant``: the issuing schema's name (``public`` for the platform host), for people reading it;
* ``tenant_uuid``: the issuing tenant's random ``Tenant.uuid``, made at provisioning and never
  reused (``public`` on the platform host). Verification refuses a token whose ``tenant_uuid`` is
  not the tenant serving the request, so a token from ``acme`` is worthless on ``globex``, on the
  platform host, and on a new ``acme`` provisioned after the old one was dropped, even though
  schema names and user ids repeat;
* ``ver``: the user's ``token_version`` when the token was issued. Authentication and refresh
  refuse a token whose ``ver`` is not the user's current one, so raising it (password change,
  deactivation, ``POST /auth/tokens/revoke/``) revokes every access and refresh token at once.

* ``sid``: the login session the token belongs to (``sessions.py``): set when a login issues the
  pair, copied to its access tokens and kept across refresh rotation. Authentication, refresh and
  verify refuse a token whose session ended or was idle past the site's timeout (401
  ``session_expired``); a token without the claim has no idle timeout.

* ``impersonator`` (impersonation tokens only, ``ImpersonationAccessToken``): ``{"email", "id"}``
  of the platform staff member acting as the user. Authentication records each request made
  with it in the site's audit log and marks the audit rows written meanwhile.

None can be changed without the signing key; ``alg: none`` and other algorithms are refused by
simplejwt's backend (it accepts only ``SIMPLE_JWT['ALGORITHM']``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.serializers import (
    TokenObtainPairSerializer,
    TokenRefreshSerializer,
    TokenVerifySerializer,
)
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken, Token, UntypedToken

from saas.db.tenant import current_schema, current_tenant_uuid
from saas.errors import ErrorCode
from tenant_apps.accounts import sessions

TENANT_CLAIM = "tenant"
TENANT_UUID_CLAIM = "tenant_uuid"
VERSION_CLAIM = "ver"
IMPERSONATOR_CLAIM = "impersonator"


def check_token_tenant(token: Token) -> None:
    """Raise ``TokenError`` unless ``token`` was issued by the tenant serving this request."""
    if (
        token.payload.get(TENANT_UUID_CLAIM) != current_tenant_uuid()
        or token.payload.get(TENANT_CLAIM) != current_schema()
    ):
        raise TokenError(_("Token was issued for another site."))


def check_token_version(token: Token, user: Any) -> None:
    """Raise ``AuthenticationFailed`` (``token_revoked``) unless ``token`` is of ``user``'s current version."""
    if token.payload.get(VERSION_CLAIM) != user.token_version:
        raise AuthenticationFailed(_("Token has been revoked."), code=ErrorCode.TOKEN_REVOKED)


def token_user(token: Token) -> Any:
    """The active user ``token`` was issued to, if the token is not revoked.

    Raises ``AuthenticationFailed``: ``user_not_found``, ``user_inactive``, ``token_revoked`` (401).
    """
    from tenant_apps.accounts.models import User

    try:
        user = User.objects.get(pk=token.payload.get(api_settings.USER_ID_CLAIM))  # type: ignore[misc]
    except (User.DoesNotExist, ValueError, TypeError):
        raise AuthenticationFailed(_("User not found"), code=ErrorCode.USER_NOT_FOUND) from None
    if not user.is_active:
        raise AuthenticationFailed(_("User is inactive"), code=ErrorCode.USER_INACTIVE)
    check_token_version(token, user)
    return user


class TenantTokenMixin:
    """Adds the ``tenant`` claim when issuing and checks it when verifying.

    The tenant claims are set as soon as a new token is made, and ``for_user`` adds the user's
    claims before a refresh token is recorded as outstanding, so the recorded token is the one
    handed out.
    """

    def __init__(self, token: Any = None, verify: bool = True) -> None:
        super().__init__(token, verify)  # type: ignore[call-arg]
        if token is None:
            self.payload[TENANT_CLAIM] = current_schema()  # type: ignore[attr-defined]
            self.payload[TENANT_UUID_CLAIM] = current_tenant_uuid()  # type: ignore[attr-defined]

    @classmethod
    def for_user(cls, user: Any) -> Any:
        """A new token for ``user``, with its id, ``token_version`` and a new login session
        (``sessions.session_start``); refresh tokens are recorded."""
        token: Any = cls()
        token[api_settings.USER_ID_CLAIM] = str(getattr(user, api_settings.USER_ID_FIELD))
        token[VERSION_CLAIM] = user.token_version
        token[sessions.SESSION_CLAIM] = sessions.session_start()
        token.outstand()  # records refresh tokens as outstanding (simplejwt's blacklist app)
        return token

    def verify(self) -> None:
        super().verify()  # type: ignore[misc]
        check_token_tenant(self)  # type: ignore[arg-type]


class TenantAccessToken(TenantTokenMixin, AccessToken):
    """Access token bound to its tenant (``SIMPLE_JWT['AUTH_TOKEN_CLASSES']``)."""


class ImpersonationAccessToken(TenantAccessToken):
    """A short-lived access token (``IMPERSONATION_TOKEN_MINUTES``) that platform staff use to act
    as a site's user; made only by ``shared_apps.superadmin.impersonation``, never with a refresh
    token (none is minted, so none can be refreshed). It has no ``sid``: no login session."""

    @classmethod
    def for_impersonation(cls, user: Any, *, staff: Any) -> ImpersonationAccessToken:
        """A token of the current tenant for ``user``, naming ``staff`` (a platform user) as the
        ``impersonator``. Call it with the connection set to the user's tenant."""
        from datetime import timedelta

        from django.conf import settings

        token = cls()
        token.set_exp(lifetime=timedelta(minutes=settings.IMPERSONATION_TOKEN_MINUTES))
        token[api_settings.USER_ID_CLAIM] = str(getattr(user, api_settings.USER_ID_FIELD))
        token[VERSION_CLAIM] = user.token_version
        token[IMPERSONATOR_CLAIM] = {"email": str(staff.email), "id": str(staff.pk)}
        return token


def is_impersonation(request: Any) -> bool:
    """Whether ``request`` (DRF) is authenticated by an impersonation token."""
    auth = getattr(request, "auth", None)
    return bool(auth is not None and getattr(auth, "payload", {}).get(IMPERSONATOR_CLAIM))


class NotImpersonated(BasePermission):
    """Refuses (403) a request made with an impersonation token: an impersonator must not change
    the user's credentials (password change, tokens revoke)."""

    message = "Not allowed while impersonating a user."

    def has_permission(self, request: Any, view: Any) -> bool:
        return not is_impersonation(request)


class TenantRefreshToken(TenantTokenMixin, RefreshToken):  # type: ignore[misc]  # simplejwt stubs
    """Refresh token bound to its tenant; the access tokens it mints copy the claim."""

    access_token_class = TenantAccessToken


def token_pair(user: Any) -> dict[str, str]:
    """A fresh ``{"access", "refresh"}`` pair for ``user``, bound to the current tenant."""
    refresh = TenantTokenObtainPairSerializer.get_token(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


class TenantTokenObtainPairSerializer(TokenObtainPairSerializer):
    """Issues tenant-bound pairs (dj-rest-auth's ``JWT_TOKEN_CLAIMS_SERIALIZER``)."""

    token_class = TenantRefreshToken

    @classmethod
    def get_token(cls, user: Any) -> Any:
        """A refresh token for ``user``; logging in this way also records ``last_login``."""
        from django.contrib.auth.models import update_last_login

        update_last_login(type(user), user)
        return super().get_token(user)


def mark_impersonation(request: Any, *, user: Any, token: Token) -> None:
    """Mark a request authenticated by an impersonation token: the audit rows written while it is
    served name the impersonator (``tenant_apps.audit.context``), and ``AuditContextMiddleware``
    records the request (``impersonation.request``) once it is answered."""
    from tenant_apps.audit.context import set_impersonator
    from tenant_apps.audit.middleware import IMPERSONATION_ATTR

    acting_for = dict(token.payload[IMPERSONATOR_CLAIM])
    set_impersonator(acting_for)  # reset by the middleware at the end of the request
    http_request = getattr(request, "_request", request)
    setattr(
        http_request,
        IMPERSONATION_ATTR,
        {"impersonator": acting_for, "session": str(token.payload.get(api_settings.JTI_CLAIM, "")), "user": user},
    )


class TenantJWTAuthentication(JWTAuthentication):
    """``Authorization: Bearer <access>``: a tenant-bound access token of an active user, not
    revoked, of a live session (``sessions.session_check``: 401 ``session_expired``; an
    impersonation token whose session was ended, ``tenant_apps.audit.impersonation``, too). The request
    counts as the session's activity, unless its view sets ``peeks_session = True`` (asking how
    long a session has left is not activity)."""

    #: Whether the request being authenticated extends its session (set per request: DRF makes
    #: an instance per request).
    touches_session = True

    def authenticate(self, request: Any) -> Any:
        view = (getattr(request, "parser_context", None) or {}).get("view")
        self.touches_session = not getattr(view, "peeks_session", False)
        result = super().authenticate(request)
        if result is not None and result[1].payload.get(IMPERSONATOR_CLAIM):
            from tenant_apps.audit.impersonation import impersonation_ended_at

            if impersonation_ended_at(str(result[1].payload.get(api_settings.JTI_CLAIM, ""))) is not None:
                raise AuthenticationFailed(_("This impersonation session has ended."), code=ErrorCode.SESSION_EXPIRED)
            mark_impersonation(request, user=result[0], token=result[1])
        if result is not None:
            from saas.logs import bind_user

            bind_user(result[0])
        return result

    def get_user(self, validated_token: Token) -> Any:
        user = token_user(validated_token)
        sessions.session_check(validated_token, touch=self.touches_session)
        return user


class TenantJWTScheme(SimpleJWTScheme):
    """OpenAPI: ``TenantJWTAuthentication`` is a bearer JWT, like simplejwt's own."""

    target_class = "tenant_apps.accounts.tokens.TenantJWTAuthentication"


class TenantTokenRefreshSerializer(TokenRefreshSerializer):
    """``POST /auth/token/refresh/``: refuses refresh tokens of other tenants, of inactive or
    unknown users, revoked ones and those of an ended or idle session (401); rotates (the new
    pair keeps the session) and blacklists."""

    token_class = TenantRefreshToken

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        token = self.token_class(attrs["refresh"])
        token_user(token)
        sessions.session_check(token, touch=True)  # 401 session_expired; a refresh is activity
        return super().validate(attrs)


class TenantTokenVerifySerializer(TokenVerifySerializer):
    """``POST /auth/token/verify/``: a token of another tenant is not valid here; verifying is not
    activity."""

    def validate(self, attrs: dict[str, Any]) -> dict[Any, Any]:
        data = super().validate(attrs)
        try:
            token = UntypedToken(attrs["token"])
            check_token_tenant(token)
        except TokenError as exc:
            raise InvalidToken(exc.args[0]) from exc
        token_user(token)  # a revoked token, or one of an inactive user, is not valid either
        sessions.session_check(token, touch=False)  # nor one of an ended or idle session
        return data


class TokenPairSerializer(serializers.Serializer):
    """Response body of endpoints that log a user in."""

    access = serializers.CharField()
    refresh = serializers.CharField()
