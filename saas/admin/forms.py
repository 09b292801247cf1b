"""Signing in to the admin sites: e-mail and password, who may, and the brute-force budget."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

from django import forms
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


class _EmailAuthenticationForm(AdminAuthenticationForm):
    """Django's admin sign-in form with the user's e-mail address as the user name."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": "Enter the e-mail address and password of an account allowed here. Both are case-sensitive.",
        "not_allowed": "This account cannot sign in to the admin site.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "E-mail address"
        self.fields["username"].widget = forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})

    def allowed(self, user: Any) -> bool:
        raise NotImplementedError

    def confirm_login_allowed(self, user: Any) -> None:
        if not user.is_active or not self.allowed(user):
            raise forms.ValidationError(self.error_messages["not_allowed"])


class TenantAuthenticationForm(_EmailAuthenticationForm):
    """A tenant's admin site: users holding the ``admin`` role only (students, staff and the
    kind's other roles are refused even with the right password)."""

    def allowed(self, user: Any) -> bool:
        from tenant_apps.accounts.permissions import user_has_role
        from tenant_apps.kinds import ADMIN

        return user_has_role(user, ADMIN)


class PlatformAuthenticationForm(_EmailAuthenticationForm):
    """The platform console: ``is_staff`` users of the public schema."""

    def allowed(self, user: Any) -> bool:
        return bool(user.is_staff)


class _LoginView:
    throttle_scope = "login"


def throttled_login(request: HttpRequest, site: AdminSite) -> HttpResponse | None:
    """``None`` when this sign-in may go ahead, else the login page again with status 429.

    Only POSTs count, against the same budgets as ``POST /api/v1/auth/login/`` (the address and
    the client IP, per site: ``tenant_apps.accounts.throttles``), so the admin is not a second door
    with its own allowance. The 429 page says when to try again and sends ``Retry-After``.
    """
    if request.method != "POST":
        return None
    from tenant_apps.accounts.throttles import ADDRESS_AND_IP

    # DRF throttles read ``data``, ``META`` and ``headers`` only; the form names the address "username".
    shim = SimpleNamespace(
        data={"email": request.POST.get("username", "")}, META=request.META, headers=request.headers, user=request.user
    )
    view = _LoginView()
    waits = []
    for throttle_class in ADDRESS_AND_IP:
        throttle = throttle_class()
        if not throttle.allow_request(shim, view):  # type: ignore[arg-type]
            waits.append(throttle.wait() or 0)
    if not waits:
        return None
    seconds = max(1, math.ceil(max(waits)))
    context = {
        **site.each_context(request),
        "title": "Log in",
        "subtitle": None,
        "app_path": request.get_full_path(),
        "username": request.POST.get("username", ""),
        "form": site.login_form(request) if site.login_form else None,
        "throttled_seconds": seconds,
    }
    response = TemplateResponse(request, "admin/login.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response
