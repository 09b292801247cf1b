"""URL patterns shared by the URL confs: auth, API docs, the catch-all JSON 404."""

from __future__ import annotations

from typing import Any

from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework_simplejwt.views import TokenRefreshView, TokenVerifyView

from saas.api.errors import not_found_view
from tenant_apps.accounts.views import (
    AuthSettingsView,
    AvatarView,
    LoginView,
    LogoutView,
    OTPRequestView,
    OTPVerifyView,
    PasswordChangeView,
    PasswordResetView,
    RegisterView,
    ResendEmailVerificationView,
    SessionView,
    TokensRevokeView,
    VerifyEmailView,
    email_confirmation_link,
    password_reset_confirm_link,
)

# Every URL conf uses the JSON error views.
handler400 = "saas.api.errors.bad_request_view"
handler403 = "saas.api.errors.permission_denied_view"
handler404 = "saas.api.errors.not_found_view"
handler500 = "saas.api.errors.server_error_view"


def token_urls() -> list[Any]:
    """Auth endpoints of every host, ahead of dj-rest-auth's own: throttled login and password
    reset, a password change that revokes older tokens, tenant-bound refresh, verify and logout,
    "log out everywhere", the session's idle time left, and the link that password e-mails point to."""
    return [
        path("login/", LoginView.as_view(), name="rest_login"),
        path("logout/", LogoutView.as_view(), name="rest_logout"),
        path("password/change/", PasswordChangeView.as_view(), name="rest_password_change"),
        path("password/reset/", PasswordResetView.as_view(), name="rest_password_reset"),
        path("tokens/revoke/", TokensRevokeView.as_view(), name="tokens_revoke"),
        path("session/", SessionView.as_view(), name="auth_session"),
        path("token/refresh/", TokenRefreshView.as_view(), name="token_refresh"),
        path("token/verify/", TokenVerifyView.as_view(), name="token_verify"),
        path(
            "password/reset/confirm/<str:uidb36>/<str:key>/", password_reset_confirm_link, name="password_reset_confirm"
        ),
    ]


def tenant_auth_urls() -> list[Any]:
    """``/api/v1/auth/`` on a tenant host: login, registration, OTP, password flows, JWT, and the
    site's sign-in settings (admins)."""
    return [
        *token_urls(),
        path("settings/", AuthSettingsView.as_view(), name="auth_settings"),
        path("user/avatar/", AvatarView.as_view(), name="user_avatar"),
        path("otp/request/", OTPRequestView.as_view(), name="otp_request"),
        path("otp/verify/", OTPVerifyView.as_view(), name="otp_verify"),
        path(
            "registration/",
            include(
                [
                    path("", RegisterView.as_view(), name="rest_register"),
                    path("verify-email/", VerifyEmailView.as_view(), name="rest_verify_email"),
                    path("resend-email/", ResendEmailVerificationView.as_view(), name="rest_resend_email"),
                    # The link in verification e-mails (allauth reverses this name): a JSON answer, no page.
                    path("account-confirm-email/<str:key>/", email_confirmation_link, name="account_confirm_email"),
                ]
            ),
        ),
        path("", include("dj_rest_auth.urls")),
    ]


def docs_urls(urlconf: str) -> list[Any]:
    """OpenAPI schema and Swagger UI describing only ``urlconf``'s endpoints."""
    return [
        path("api/v1/schema/", SpectacularAPIView.as_view(urlconf=urlconf), name="schema"),
        path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    ]


def catch_all() -> list[Any]:
    """A JSON 404 for every path no pattern matched (also in DEBUG, and without slash redirects).

    CSRF-exempt: a POST to an unknown URL is a 404, not Django's CSRF failure page."""
    return [re_path(r"^.*$", csrf_exempt(not_found_view))]
