"""Token attacks: lifetime past the tenant (finding 2), revocation and credential hygiene (finding 3),
and the attacks the audit found already closed (replay across tenants and to the platform, forged
claims, ``alg: none``), kept here so they stay closed.
"""

from __future__ import annotations

import base64
import json

import jwt
import pytest
from django.conf import settings
from django_tenants.utils import tenant_context
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from shared_apps.tenancy.models import Tenant
from shared_apps.tenancy.services import tenant_drop, tenant_provision
from tenant_apps.accounts.models import User
from tests.conftest import PASSWORD
from tests.fixture_types import ApiResponse, ClientFor, Login, MakeUser
from tests.tenant_apps.accounts.conftest import ME, REFRESH, USERS, VERIFY, error_code

LOGOUT = "/api/v1/auth/logout/"
REVOKE = "/api/v1/auth/tokens/revoke/"
PASSWORD_CHANGE = "/api/v1/auth/password/change/"
NEW_PASSWORD = "Brand-new-pass-42"


def assert_refused(response: ApiResponse) -> None:
    assert response.status_code == 401, response.content
    assert error_code(response) in {"token_not_valid", "token_revoked", "user_inactive", "user_not_found"}


# --------------------------------------------------------------------------------------------
# Finding 2: tokens outlive their tenant
# --------------------------------------------------------------------------------------------


def test_tokens_of_a_dropped_tenant_are_refused_by_a_new_tenant_with_the_same_slug(
    session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, login: Login
) -> None:
    # given: the owner of "kappa" holds a token pair; user ids start at 1 in every new schema
    old = tenant_provision(
        kind="store", slug="kappa", name="Kappa", owner_email="old@kappa.test", owner_password=PASSWORD
    )
    tokens = login(old, "old@kappa.test")
    # when: kappa is dropped and the slug provisioned again for somebody else
    tenant_drop(tenant=old, confirm_slug="kappa")
    new = tenant_provision(
        kind="store", slug="kappa", name="Kappa 2", owner_email="new@kappa.test", owner_password=PASSWORD
    )
    with tenant_context(new):
        assert User.objects.get(email="new@kappa.test").pk == 1  # the old owner's id, reused
    # then: neither of the old owner's tokens works on the new site
    assert_refused(client_for(new, tokens["access"]).get(ME))
    assert_refused(client_for(new, tokens["access"]).get(USERS))
    assert_refused(client_for(new).post(REFRESH, {"refresh": tokens["refresh"]}))
    assert client_for(new).post(VERIFY, {"token": tokens["access"]}).status_code == 401


def test_every_tenant_has_its_own_random_uuid_that_tokens_carry(alpha: Tenant, beta: Tenant, login: Login) -> None:
    access = login(alpha, "admin@alpha.test")["access"]
    claims = jwt.decode(access, options={"verify_signature": False})
    assert claims["tenant"] == "alpha"
    assert claims["tenant_uuid"] == str(alpha.uuid)
    assert alpha.uuid != beta.uuid


# --------------------------------------------------------------------------------------------
# Finding 3: revoke all, password change, deactivation, logout
# --------------------------------------------------------------------------------------------


def test_log_out_everywhere_revokes_every_access_and_refresh_token(
    alpha: Tenant, client_for: ClientFor, login: Login, make_user: MakeUser
) -> None:
    # given: one user logged in on two devices
    make_user(alpha, "two@alpha.test")
    laptop, phone = login(alpha, "two@alpha.test"), login(alpha, "two@alpha.test")
    # when: they log out everywhere from the laptop
    response = client_for(alpha, laptop["access"]).post(REVOKE)
    # then: nothing of either device works any more, and a new login does
    assert response.status_code == 204
    for device in (laptop, phone):
        assert_refused(client_for(alpha, device["access"]).get(ME))
        assert_refused(client_for(alpha).post(REFRESH, {"refresh": device["refresh"]}))
    assert client_for(alpha, login(alpha, "two@alpha.test")["access"]).get(ME).status_code == 200
    with tenant_context(alpha):
        assert BlacklistedToken.objects.filter(token__user__email="two@alpha.test").count() == 2


def test_password_change_with_a_stolen_access_token_alone_is_refused(
    alpha: Tenant, client_for: ClientFor, login: Login, make_user: MakeUser
) -> None:
    # given: an attacker holds the victim's access token, not their password
    make_user(alpha, "victim@alpha.test")
    stolen = login(alpha, "victim@alpha.test")["access"]
    # when: the attacker tries to set a new password without the old one, or with a guess
    no_old = client_for(alpha, stolen).post(
        PASSWORD_CHANGE, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    wrong_old = client_for(alpha, stolen).post(
        PASSWORD_CHANGE, {"old_password": "guess-guess-1", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    # then: both refused; the owner's password still works
    assert no_old.status_code == 400
    assert "old_password" in no_old.json()["error"]["details"]
    assert wrong_old.status_code == 400
    assert "old_password" in wrong_old.json()["error"]["details"]
    assert (
        client_for(alpha).post("/api/v1/auth/login/", {"email": "victim@alpha.test", "password": PASSWORD}).status_code
        == 200
    )


def test_password_change_revokes_every_token_issued_before_and_answers_a_fresh_pair(
    alpha: Tenant, client_for: ClientFor, login: Login, make_user: MakeUser
) -> None:
    # given: the owner on two devices, one of whose refresh tokens has leaked
    make_user(alpha, "owner2@alpha.test")
    device, leaked = login(alpha, "owner2@alpha.test"), login(alpha, "owner2@alpha.test")
    # when: the owner changes the password on the first device
    response = client_for(alpha, device["access"]).post(
        PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    # then: every older token is dead; the pair in the answer works
    assert response.status_code == 200, response.content
    assert_refused(client_for(alpha).post(REFRESH, {"refresh": leaked["refresh"]}))
    assert_refused(client_for(alpha, leaked["access"]).get(ME))
    assert_refused(client_for(alpha, device["access"]).get(ME))
    assert client_for(alpha, response.json()["access"]).get(ME).status_code == 200
    assert client_for(alpha).post(REFRESH, {"refresh": response.json()["refresh"]}).status_code == 200


def test_password_reset_revokes_existing_tokens(
    alpha: Tenant, client_for: ClientFor, login: Login, make_user: MakeUser
) -> None:
    import re

    from django.core import mail

    make_user(alpha, "reset@alpha.test")
    leaked = login(alpha, "reset@alpha.test")
    client_for(alpha).post("/api/v1/auth/password/reset/", {"email": "reset@alpha.test"})
    link = re.search(r"/password/reset/confirm/([^/]+)/([^/\s]+)/", str(mail.outbox[0].body))
    assert link, mail.outbox[0].body
    uid, token = link.groups()
    confirmed = client_for(alpha).post(
        "/api/v1/auth/password/reset/confirm/",
        {"uid": uid, "token": token, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert confirmed.status_code == 200, confirmed.content
    assert_refused(client_for(alpha).post(REFRESH, {"refresh": leaked["refresh"]}))
    assert_refused(client_for(alpha, leaked["access"]).get(ME))


def test_deactivation_revokes_tokens_and_reactivation_does_not_revive_them(
    alpha: Tenant, client_for: ClientFor, login: Login, make_user: MakeUser
) -> None:
    # given: a user with a token pair
    user = make_user(alpha, "leaver@alpha.test")
    tokens = login(alpha, "leaver@alpha.test")
    admin = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    # when: the admin deactivates, then reactivates the user
    assert admin.delete(f"{USERS}{user.pk}/").status_code == 204
    assert_refused(client_for(alpha).post(REFRESH, {"refresh": tokens["refresh"]}))
    assert admin.patch(f"{USERS}{user.pk}/", {"is_active": True}).status_code == 200
    # then: the tokens from before stay dead
    assert_refused(client_for(alpha, tokens["access"]).get(ME))
    assert_refused(client_for(alpha).post(REFRESH, {"refresh": tokens["refresh"]}))


def test_logout_blacklists_this_sites_refresh_token(alpha: Tenant, client_for: ClientFor, login: Login) -> None:
    tokens = login(alpha, "admin@alpha.test")
    response = client_for(alpha).post(LOGOUT, {"refresh": tokens["refresh"]})
    assert response.status_code == 200
    assert_refused(client_for(alpha).post(REFRESH, {"refresh": tokens["refresh"]}))


def test_logout_refuses_a_refresh_token_of_another_tenant_and_writes_nothing(
    alpha: Tenant, beta: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given: a refresh token of alpha
    tokens = login(alpha, "admin@alpha.test")
    with tenant_context(beta):
        before = (OutstandingToken.objects.count(), BlacklistedToken.objects.count())
    # when: it is sent to beta's logout
    response = client_for(beta).post(LOGOUT, {"refresh": tokens["refresh"]})
    # then: 401 in the error shape, no rows in beta's schema, and the token still works at home
    assert response.status_code == 401
    assert error_code(response) == "token_not_valid"
    with tenant_context(beta):
        assert (OutstandingToken.objects.count(), BlacklistedToken.objects.count()) == before
    assert client_for(alpha).post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 200


@pytest.mark.parametrize("body", [{}, {"refresh": ""}, {"refresh": "not-a-token"}], ids=["missing", "empty", "junk"])
def test_logout_errors_use_the_error_shape(alpha: Tenant, client_for: ClientFor, body: dict[str, str]) -> None:
    response = client_for(alpha).post(LOGOUT, body)
    assert response.status_code in {400, 401}
    error_code(response)  # asserts the shape


# --------------------------------------------------------------------------------------------
# Attacks that already failed, kept failing
# --------------------------------------------------------------------------------------------


def test_access_token_replayed_on_another_tenant_is_refused(
    alpha: Tenant, beta: Tenant, client_for: ClientFor, login: Login
) -> None:
    access = login(alpha, "admin@alpha.test")["access"]
    assert_refused(client_for(beta, access).get(USERS))


def test_access_token_replayed_on_the_platform_host_is_refused(
    alpha: Tenant, client_for: ClientFor, login: Login
) -> None:
    access = login(alpha, "admin@alpha.test")["access"]
    assert_refused(client_for(None, access).get("/api/v1/tenants/"))


def test_platform_staff_token_replayed_on_a_tenant_is_refused(
    alpha: Tenant, client_for: ClientFor, login: Login
) -> None:
    access = login(None, "staff@localhost")["access"]
    assert_refused(client_for(alpha, access).get(USERS))


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_token_with_a_forged_tenant_claim_is_refused(
    alpha: Tenant, beta: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given: alpha's token with its payload rewritten to name beta (the signature is alpha's)
    header, _payload, signature = login(alpha, "admin@alpha.test")["access"].split(".")
    claims = jwt.decode(f"{header}.{_payload}.{signature}", options={"verify_signature": False})
    claims.update(tenant="beta", tenant_uuid=str(beta.uuid))
    forged = f"{header}.{_b64(claims)}.{signature}"
    # then
    assert_refused(client_for(beta, forged).get(USERS))


def test_token_signed_with_another_key_is_refused(alpha: Tenant, client_for: ClientFor, login: Login) -> None:
    claims = jwt.decode(login(alpha, "admin@alpha.test")["access"], options={"verify_signature": False})
    forged = jwt.encode(claims, "not-the-" + settings.SECRET_KEY, algorithm="HS256")
    assert_refused(client_for(alpha, forged).get(USERS))


def test_unsigned_alg_none_token_is_refused(alpha: Tenant, client_for: ClientFor, login: Login) -> None:
    claims = jwt.decode(login(alpha, "admin@alpha.test")["access"], options={"verify_signature": False})
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    assert_refused(client_for(alpha, unsigned).get(USERS))
