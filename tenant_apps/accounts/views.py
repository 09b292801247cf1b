"""Thin API views: validate, call one service, serialize."""

from __future__ import annotations

from typing import Any

from dj_rest_auth.registration.views import RegisterView as BaseRegisterView
from dj_rest_auth.registration.views import ResendEmailVerificationView as BaseResendEmailVerificationView
from dj_rest_auth.registration.views import VerifyEmailView as BaseVerifyEmailView
from dj_rest_auth.serializers import JWTSerializer
from dj_rest_auth.views import LoginView as BaseLoginView
from dj_rest_auth.views import PasswordResetView as BasePasswordResetView
from django.conf import settings
from django.http import JsonResponse
from drf_spectacular.contrib.rest_auth import RestAuthRegisterView
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.views import VisibleQuerysetMixin
from saas.db.tenant import current_schema
from tenant_apps.accounts import selectors, services, sessions
from tenant_apps.accounts.access import access_user, can_manage_users
from tenant_apps.accounts.filters import UserFilter
from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import Allows
from tenant_apps.accounts.roles import roles_of
from tenant_apps.accounts.serializers import (
    AuthSettingsSerializer,
    AuthSettingsUpdateSerializer,
    AvatarSerializer,
    DetailSerializer,
    LoginSerializer,
    OTPRequestSerializer,
    OTPVerifySerializer,
    PasswordChangedSerializer,
    PasswordChangeSerializer,
    PasswordResetSerializer,
    RefreshTokenSerializer,
    SessionStatusSerializer,
    SiteSerializer,
    UserCreateSerializer,
    UserDetailsSerializer,
    UserSerializer,
    UserUpdateSerializer,
)
from tenant_apps.accounts.throttles import ADDRESS_AND_IP, ClientIPRateThrottle, UserRateThrottle
from tenant_apps.accounts.tokens import NotImpersonated, TokenPairSerializer, token_pair


@extend_schema_view(post=extend_schema(request=LoginSerializer, responses={200: JWTSerializer}))
class LoginView(BaseLoginView):
    """``POST /api/v1/auth/login/`` ``{email, password}`` -> ``{access, refresh, user}``.

    dj-rest-auth's login, throttled per address and per client IP (``AUTH_THROTTLE_RATES``).
    """

    throttle_scope = "login"
    throttle_classes = ADDRESS_AND_IP


@extend_schema_view(post=extend_schema(request=PasswordResetSerializer, responses={200: DetailSerializer}))
class PasswordResetView(BasePasswordResetView):
    """``POST /api/v1/auth/password/reset/`` ``{email}``: a reset link to the stored address; throttled."""

    throttle_scope = "password_reset"
    throttle_classes = ADDRESS_AND_IP


class RegisterView(BaseRegisterView):
    """``POST /api/v1/auth/registration/``: dj-rest-auth's sign-up, throttled per client IP (one
    client cannot create accounts by the thousand); 403 ``plan_limit_reached`` when the site's plan
    has no active user left (``serializers.RegisterSerializer.save``)."""

    throttle_scope = "registration"
    throttle_classes = [ClientIPRateThrottle]
    extra_error_statuses = (403,)  # plan_limit_reached


class RegisterViewSchema(RestAuthRegisterView):
    """OpenAPI: our ``RegisterView`` answers like dj-rest-auth's (a JWT pair, or a message when
    e-mail verification is mandatory); drf-spectacular's extension only matches the original class."""

    target_class = "tenant_apps.accounts.views.RegisterView"


class PasswordChangeView(APIView):
    """``POST /api/v1/auth/password/change/`` ``{old_password, new_password1, new_password2}``.

    Needs the old password (a stolen access token alone cannot lock the owner out). The new
    password revokes every token issued before (``User.save``); the answer carries a fresh pair
    so this client stays logged in. Wrong old passwords are throttled per user and per IP.
    """

    permission_classes = [IsAuthenticated, NotImpersonated]
    throttle_scope = "password_change"
    throttle_classes = [UserRateThrottle, ClientIPRateThrottle]

    @extend_schema(request=PasswordChangeSerializer, responses={200: PasswordChangedSerializer})
    def post(self, request: Request) -> Response:
        serializer = PasswordChangeSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response({"detail": "New password has been saved.", **token_pair(request.user)})


class LogoutView(APIView):
    """``POST /api/v1/auth/logout/`` ``{refresh}``: blacklist this site's refresh token.

    A refresh token of another site, or one already spent, answers 401 ``token_not_valid`` and
    writes nothing.
    """

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []  # the refresh token in the body is the credential
    extra_error_statuses = (401,)  # token_not_valid

    def get_authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'  # a refused token is a 401 (DRF answers 403 without a header)

    @extend_schema(request=RefreshTokenSerializer, responses={200: DetailSerializer})
    def post(self, request: Request) -> Response:
        serializer = RefreshTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.token_logout(refresh=serializer.validated_data["refresh"])
        return Response({"detail": "Successfully logged out."})


class TokensRevokeView(APIView):
    """``POST /api/v1/auth/tokens/revoke/`` -> 204: log out everywhere.

    Every access and refresh token of the caller, on every device, stops working at once
    (including the one used for this call).
    """

    permission_classes = [IsAuthenticated, NotImpersonated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        services.user_tokens_revoke(user=request.user, actor=request.user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class SessionView(APIView):
    """``GET /api/v1/auth/session/`` -> ``{idle_timeout_seconds, expires_in_seconds, expires_at}``:
    how long until the caller's login session ends for inactivity, so a front end can warn and
    log out. Asking does not extend the session; any other API request does. Once it has ended,
    this (like every request and the refresh) answers 401 ``session_expired``.
    """

    permission_classes = [IsAuthenticated]
    peeks_session = True  # read by TenantJWTAuthentication: this request does not extend the session

    @extend_schema(responses=SessionStatusSerializer)
    def get(self, request: Request) -> Response:
        status_ = sessions.session_check(request.auth, touch=False)
        now = sessions.wall_clock()
        return Response(
            SessionStatusSerializer(
                {
                    "idle_timeout_seconds": status_.idle_timeout_seconds,
                    "expires_in_seconds": status_.expires_in_seconds(now),
                    "expires_at": status_.expires_at,
                }
            ).data
        )


class AuthSettingsView(APIView):
    """``GET/PATCH /api/v1/auth/settings/`` (admins): ``{session_idle_timeout_minutes}``, the
    site's idle timeout of login sessions (``null``: the platform default; 0: off; at most a week).
    """

    permission_classes = [IsAuthenticated, Allows(can_manage_users)]  # type: ignore[list-item]

    @staticmethod
    def _body(minutes: int | None) -> Response:
        default = settings.SESSION_IDLE_TIMEOUT_MINUTES
        return Response(
            AuthSettingsSerializer(
                {
                    "session_idle_timeout_minutes": minutes,
                    "default_session_idle_timeout_minutes": default,
                    "effective_session_idle_timeout_minutes": default if minutes is None else minutes,
                }
            ).data
        )

    @extend_schema(responses=AuthSettingsSerializer)
    def get(self, request: Request) -> Response:
        return self._body(sessions.site_idle_timeout_minutes())

    @extend_schema(request=AuthSettingsUpdateSerializer, responses=AuthSettingsSerializer)
    def patch(self, request: Request) -> Response:
        serializer = AuthSettingsUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.auth_settings_update(actor=request.user, **serializer.validated_data)
        return self._body(row.session_idle_timeout_minutes)


class AvatarView(APIView):
    """``PUT /api/v1/auth/user/avatar/`` (multipart ``avatar``) -> the profile; ``DELETE`` -> 204.

    The profile itself (``/auth/user/``) is JSON; its ``avatar`` is a short-lived signed URL. The
    image passes the files app's checks (``FILE_MAX_BYTES``: 413; images only, by content: 415).
    """

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": AvatarSerializer}, responses=UserDetailsSerializer)
    def put(self, request: Request) -> Response:
        serializer = AvatarSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_avatar_set(user=request.user, avatar=serializer.validated_data["avatar"])  # type: ignore[arg-type]
        return Response(UserDetailsSerializer(user).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        services.user_avatar_set(user=request.user, avatar=None)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(post=extend_schema(responses={200: DetailSerializer}))
class VerifyEmailView(BaseVerifyEmailView):
    """``POST /api/v1/auth/registration/verify-email/`` ``{key}``: confirm an address (when
    ``ACCOUNT_EMAIL_VERIFICATION`` is on); an unknown key answers 404."""

    extra_error_statuses = (404,)


@extend_schema_view(post=extend_schema(responses={200: DetailSerializer}))
class ResendEmailVerificationView(BaseResendEmailVerificationView):
    """``POST /api/v1/auth/registration/resend-email/`` ``{email}`` -> 200 whether or not the address
    is known (no enumeration)."""


def email_confirmation_link(request: Any, key: str) -> JsonResponse:
    """Where verification e-mails point: tells the client how to finish (a JSON answer, no page)."""
    return JsonResponse({"key": key, "detail": "POST the key to /api/v1/auth/registration/verify-email/."})


class OTPRequestView(APIView):
    """``POST /api/v1/auth/otp/request/`` ``{email | phone}`` -> 202; the code goes by e-mail or SMS."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_scope = "otp_request"
    throttle_classes = ADDRESS_AND_IP

    @extend_schema(request=OTPRequestSerializer, responses={202: None})
    def post(self, request: Request) -> Response:
        serializer = OTPRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.otp_request(address=data.get("email") or data["phone"])
        return Response(
            {"detail": "If an account has this address, a code is on its way."}, status=status.HTTP_202_ACCEPTED
        )


class OTPVerifyView(APIView):
    """``POST /api/v1/auth/otp/verify/`` ``{email | phone, code}`` -> ``{access, refresh}``."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_scope = "otp_verify"
    throttle_classes = ADDRESS_AND_IP

    @extend_schema(request=OTPVerifySerializer, responses={200: TokenPairSerializer})
    def post(self, request: Request) -> Response:
        serializer = OTPVerifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = services.otp_verify(address=data.get("email") or data["phone"], code=data["code"])
        return Response(token_pair(user))


class SiteView(APIView):
    """``GET /api/v1/site/``: the site this host serves (public)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(responses=SiteSerializer)
    def get(self, request: Request) -> Response:
        tenant = request.tenant  # type: ignore[attr-defined]
        return Response(
            SiteSerializer(
                {
                    "name": tenant.name,
                    "slug": tenant.schema_name,
                    "kind": tenant.kind,
                    "roles": list(roles_of(tenant.kind)),
                }
            ).data
        )


class UserViewSet(VisibleQuerysetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The tenant admin's user management: ``/api/v1/users/`` (``access.can_manage_users``).

    ``POST`` creates a user with roles, ``PATCH`` changes fields and roles, ``DELETE``
    deactivates (users are never deleted: their records stay attributable). One user is fetched
    by ``access.access_user`` (404 ``not_found`` for an id of no user of this site).
    """

    # Allows instances stand in for classes (DRF calls them); the stubs only know classes.
    permission_classes = [IsAuthenticated, Allows(can_manage_users)]  # type: ignore[list-item]
    serializer_class = UserSerializer
    search_fields = ("email", "full_name", "phone")
    ordering_fields = ("id", "email", "date_joined")
    filterset_class = UserFilter

    def visible_queryset(self) -> Any:
        return selectors.user_list(user=self.request.user)

    def _user(self, pk: str | None) -> User:
        return access_user(user=self.request.user, pk=pk)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(self.get_serializer(self._user(pk)).data)

    @extend_schema(request=UserCreateSerializer, responses={201: UserSerializer})
    def create(self, request: Request) -> Response:
        serializer = UserCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_create(**serializer.validated_data, actor=request.user)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=UserUpdateSerializer, responses=UserSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        serializer = UserUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.user_update(self._user(pk), **serializer.validated_data, actor=request.user)
        return Response(UserSerializer(User.objects.prefetch_related("groups").get(pk=user.pk)).data)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.user_update(self._user(pk), is_active=False, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def password_reset_confirm_link(request: Any, uidb36: str, key: str) -> JsonResponse:
    """Where reset and set-password e-mails point: tells the client how to finish."""
    return JsonResponse(
        {
            "uid": uidb36,
            "token": key,
            "detail": "POST uid, token, new_password1 and new_password2 to /api/v1/auth/password/reset/confirm/.",
            "site": current_schema(),
        }
    )
