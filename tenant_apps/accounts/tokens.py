"""JWTs bound to the tenant that issued them.

Every access and refresh token carries a ``tenant`` claim (the issuing schema's name, ``public``
for the platform host). Verification refuses a token whose claim is not the schema serving the
request, so a token from ``acme`` is worthless on ``globex`` and on the platform host, even
though user ids repeat across schemas. The claim is inside the signed payload and cannot be
changed without the signing key.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.serializers import (
    TokenObtainPairSerializer,
    TokenRefreshSerializer,
    TokenVerifySerializer,
)
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken, Token, UntypedToken

from saas.db.tenant import current_schema

TENANT_CLAIM = "tenant"


def check_token_tenant(token: Token) -> None:
    """Raise ``TokenError`` unless ``token`` was issued by the schema serving this request."""
    if token.payload.get(TENANT_CLAIM) != current_schema():
        raise TokenError(_("Token was issued for another site."))


class TenantTokenMixin:
    """Adds the ``tenant`` claim when issuing and checks it when verifying.

    The claim is set as soon as a new token is made, before ``for_user`` records a refresh token
    as outstanding, so the recorded token is the one handed out.
    """

    def __init__(self, token: Any = None, verify: bool = True) -> None:
        super().__init__(token, verify)  # type: ignore[call-arg]
        if token is None:
            self.payload[TENANT_CLAIM] = current_schema()  # type: ignore[attr-defined]

    def verify(self) -> None:
        super().verify()  # type: ignore[misc]
        check_token_tenant(self)  # type: ignore[arg-type]


class TenantAccessToken(TenantTokenMixin, AccessToken):
    """Access token bound to its tenant (``SIMPLE_JWT['AUTH_TOKEN_CLASSES']``)."""


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


class TenantTokenRefreshSerializer(TokenRefreshSerializer):
    """``POST /auth/token/refresh/``: refuses refresh tokens of other tenants; rotates and blacklists."""

    token_class = TenantRefreshToken


class TenantTokenVerifySerializer(TokenVerifySerializer):
    """``POST /auth/token/verify/``: a token of another tenant is not valid here."""

    def validate(self, attrs: dict[str, Any]) -> dict[Any, Any]:
        data = super().validate(attrs)
        try:
            check_token_tenant(UntypedToken(attrs["token"]))
        except TokenError as exc:
            raise InvalidToken(exc.args[0]) from exc
        return data


class TokenPairSerializer(serializers.Serializer):
    """Response body of endpoints that log a user in."""

    access = serializers.CharField()
    refresh = serializers.CharField()
