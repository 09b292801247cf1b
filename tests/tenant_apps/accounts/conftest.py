"""Helpers of the accounts tests: endpoints, an authenticated client, codes from the outboxes, a clock."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tests.api import error_code  # noqa: F401 (re-exported to the tests of this folder)
from tests.conftest import PASSWORD
from tests.fixture_types import AuthClient, ClientFor, Login

ME = "/api/v1/auth/user/"
LOGIN = "/api/v1/auth/login/"
REGISTER = "/api/v1/auth/registration/"
REFRESH = "/api/v1/auth/token/refresh/"
VERIFY = "/api/v1/auth/token/verify/"
OTP_REQUEST = "/api/v1/auth/otp/request/"
OTP_VERIFY = "/api/v1/auth/otp/verify/"
USERS = "/api/v1/users/"

_CODE = re.compile(r"\b(\d{6})\b")


def code_in(message: str) -> str:
    """The 6-digit code in an e-mail or SMS body."""
    found = _CODE.search(message)
    assert found, f"no 6-digit code in {message!r}"
    return found.group(1)


def emailed_code(to: str) -> str:
    """The code of the only e-mail sent to ``to``."""
    messages = [m for m in mail.outbox if m.to == [to]]
    assert len(messages) == 1, [m.to for m in mail.outbox]
    return code_in(str(messages[0].body))


def other_code(code: str) -> str:
    """A 6-digit code that is not ``code``."""
    return f"{(int(code) + 1) % 10**6:06d}"


def ensure_user_with_id(tenant: Tenant | None, pk: int, email: str) -> None:
    """Make sure ``tenant``'s schema (``None``: public) has a user with primary key ``pk``."""
    from tenant_apps.accounts.models import User

    with schema_context(tenant.schema_name if tenant is not None else "public"):
        if not User.objects.filter(pk=pk).exists():
            User.objects.create_user(email=email, password=PASSWORD, id=pk)


@pytest.fixture
def auth_client(client_for: ClientFor, login: Login) -> AuthClient:
    """``auth_client(tenant, email)``: a client of that tenant carrying a fresh access token of ``email``."""

    def make(tenant: Tenant | None, email: str, password: str = PASSWORD) -> APIClient:
        return client_for(tenant, login(tenant, email, password)["access"])

    return make


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """``clock.shift(seconds)``: from then on the accounts services see the time ``seconds`` from now."""
    from tenant_apps.accounts import services

    real_now = timezone.now

    def shift(seconds: float) -> None:
        moment = real_now() + timedelta(seconds=seconds)
        monkeypatch.setattr(services, "timezone", SimpleNamespace(now=lambda: moment))

    return SimpleNamespace(shift=shift)
