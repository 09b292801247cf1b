"""Password reset by e-mail and password change, on a tenant site."""

from __future__ import annotations

import re

from django.core import mail

from shared_apps.tenancy.models import Tenant
from tests.conftest import PASSWORD
from tests.fixture_types import ClientFor, Login, MakeUser


def test_password_reset_mails_a_link_that_sets_a_new_password(
    alpha: Tenant, client_for: ClientFor, make_user: MakeUser
) -> None:
    # given
    make_user(alpha, "forgetful@example.com")
    client = client_for(alpha)
    # when
    response = client.post("/api/v1/auth/password/reset/", {"email": "forgetful@example.com"})
    # then
    assert response.status_code == 200
    assert len(mail.outbox) == 1
    link = re.search(r"https://alpha\.localhost\S*/password/reset/confirm/([^/]+)/([^/\s]+)/", str(mail.outbox[0].body))
    assert link, mail.outbox[0].body
    uid, token = link.groups()
    # and the link works once
    new = {"uid": uid, "token": token, "new_password1": "Brand-new-pass-42", "new_password2": "Brand-new-pass-42"}
    assert client.post("/api/v1/auth/password/reset/confirm/", new).status_code == 200
    assert (
        client.post(
            "/api/v1/auth/login/", {"email": "forgetful@example.com", "password": "Brand-new-pass-42"}
        ).status_code
        == 200
    )
    assert client.post("/api/v1/auth/password/reset/confirm/", new).status_code == 400


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(
    alpha: Tenant, client_for: ClientFor
) -> None:
    response = client_for(alpha).post("/api/v1/auth/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 200
    assert mail.outbox == []


def test_password_reset_of_one_tenant_cannot_be_confirmed_on_another(
    alpha: Tenant, beta: Tenant, client_for: ClientFor, make_user: MakeUser
) -> None:
    make_user(alpha, "same@example.com")
    make_user(beta, "same@example.com")
    client_for(alpha).post("/api/v1/auth/password/reset/", {"email": "same@example.com"})
    link = re.search(r"/password/reset/confirm/([^/]+)/([^/\s]+)/", str(mail.outbox[0].body))
    assert link, mail.outbox[0].body
    uid, token = link.groups()
    response = client_for(beta).post(
        "/api/v1/auth/password/reset/confirm/",
        {"uid": uid, "token": token, "new_password1": "Brand-new-pass-42", "new_password2": "Brand-new-pass-42"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_password_change_requires_login_and_takes_effect(
    alpha: Tenant, client_for: ClientFor, login: Login, make_user: MakeUser
) -> None:
    make_user(alpha, "changer@example.com")
    assert client_for(alpha).post("/api/v1/auth/password/change/", {}).status_code == 401
    client = client_for(alpha, login(alpha, "changer@example.com")["access"])
    response = client.post(
        "/api/v1/auth/password/change/",
        {"old_password": PASSWORD, "new_password1": "Changed-pass-77", "new_password2": "Changed-pass-77"},
    )
    assert response.status_code == 200
    login(alpha, "changer@example.com", "Changed-pass-77")
    assert (
        client_for(alpha)
        .post("/api/v1/auth/login/", {"email": "changer@example.com", "password": PASSWORD})
        .status_code
        == 400
    )
