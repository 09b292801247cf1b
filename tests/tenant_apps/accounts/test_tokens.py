"""JWTs are bound to the tenant that issued them; refresh rotates and blacklists."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context, tenant_context
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tests.conftest import PASSWORD
from tests.fixture_types import ApiResponse, ClientFor, Login, MakeUser
from tests.tenant_apps.accounts.conftest import ME, REFRESH, VERIFY, ensure_user_with_id, error_code


def assert_token_refused(response: ApiResponse) -> None:
    assert response.status_code == 401, response.content
    assert error_code(response) == "token_not_valid"


def test_access_token_is_accepted_by_the_tenant_that_issued_it(
    alpha: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given
    access = login(alpha, "admin@alpha.test")["access"]
    # when
    response = client_for(alpha, access).get(ME)
    # then
    assert response.status_code == 200
    assert response.json()["email"] == "admin@alpha.test"


def test_access_token_from_one_tenant_is_refused_on_another_even_if_the_user_id_exists_there(
    alpha: Tenant, beta: Tenant, client_for: ClientFor, login: Login, make_user: MakeUser
) -> None:
    # given: a user of alpha, and a user of beta with the same id
    ann = make_user(alpha, "ann@alpha.test", roles=["admin"])
    ensure_user_with_id(beta, ann.pk, "twin@beta.test")
    access = login(alpha, "ann@alpha.test")["access"]
    # when
    response = client_for(beta, access).get(ME)
    # then
    assert_token_refused(response)


def test_access_token_of_a_tenant_is_refused_on_the_platform_host(
    alpha: Tenant, client_for: ClientFor, login: Login, make_user: MakeUser
) -> None:
    # given: a platform user shares the id of the alpha user
    ann = make_user(alpha, "ann@alpha.test")
    ensure_user_with_id(None, ann.pk, "twin@localhost")
    access = login(alpha, "ann@alpha.test")["access"]
    # when
    responses = [client_for(None, access).get(ME), client_for(None, access).get("/api/v1/tenants/")]
    # then
    for response in responses:
        assert_token_refused(response)


@pytest.mark.parametrize("slug", ["alpha", "beta", "gamma"])
def test_platform_staff_token_is_refused_on_every_tenant(
    session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, login: Login, slug: str
) -> None:
    # given: a staff token that works on the platform host
    tenant = session_tenants[slug]
    staff = login(None, "staff@localhost")["access"]
    assert client_for(None, staff).get(ME).status_code == 200
    with schema_context("public"):
        staff_id = User.objects.get(email="staff@localhost").pk
    ensure_user_with_id(tenant, staff_id, f"twin@{slug}.test")
    # when
    response = client_for(tenant, staff).get(ME)
    # then
    assert_token_refused(response)


def test_refresh_token_of_one_tenant_is_refused_by_another_and_stays_usable_at_home(
    alpha: Tenant, beta: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given
    refresh = login(alpha, "admin@alpha.test")["refresh"]
    # when
    on_beta = client_for(beta).post(REFRESH, {"refresh": refresh})
    # then: refused, and the failed attempt did not burn the token on alpha
    assert_token_refused(on_beta)
    at_home = client_for(alpha).post(REFRESH, {"refresh": refresh})
    assert at_home.status_code == 200, at_home.content


def test_verify_endpoint_accepts_own_tokens_and_rejects_another_tenants(
    alpha: Tenant, beta: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given
    tokens = login(alpha, "admin@alpha.test")
    # when / then
    assert client_for(alpha).post(VERIFY, {"token": tokens["access"]}).status_code == 200
    assert_token_refused(client_for(beta).post(VERIFY, {"token": tokens["access"]}))
    assert_token_refused(client_for(beta).post(VERIFY, {"token": tokens["refresh"]}))
    assert_token_refused(client_for(None).post(VERIFY, {"token": tokens["access"]}))


def test_refresh_rotates_the_pair_and_blacklists_the_old_refresh_token(
    alpha: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given
    old = login(alpha, "admin@alpha.test")["refresh"]
    # when
    first = client_for(alpha).post(REFRESH, {"refresh": old})
    # then: a new, working pair
    assert first.status_code == 200, first.content
    new = first.json()
    assert new["refresh"] != old
    assert client_for(alpha, new["access"]).get(ME).json()["email"] == "admin@alpha.test"
    # and the old refresh token is spent, the new one is not
    assert_token_refused(client_for(alpha).post(REFRESH, {"refresh": old}))
    assert client_for(alpha).post(VERIFY, {"token": old}).status_code in {400, 401}
    assert client_for(alpha).post(REFRESH, {"refresh": new["refresh"]}).status_code == 200


def test_rotated_access_token_stays_bound_to_its_tenant(
    alpha: Tenant, beta: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given
    refresh = login(alpha, "admin@alpha.test")["refresh"]
    # when
    access = client_for(alpha).post(REFRESH, {"refresh": refresh}).json()["access"]
    # then
    assert client_for(alpha, access).get(ME).status_code == 200
    assert_token_refused(client_for(beta, access).get(ME))


def test_deactivated_user_can_no_longer_refresh(
    alpha: Tenant, client_for: ClientFor, login: Login, make_user: MakeUser
) -> None:
    # given
    make_user(alpha, "gone@alpha.test")
    refresh = login(alpha, "gone@alpha.test", PASSWORD)["refresh"]
    with tenant_context(alpha):
        User.objects.filter(email="gone@alpha.test").update(is_active=False)
    # when
    response = client_for(alpha).post(REFRESH, {"refresh": refresh})
    # then
    assert response.status_code == 401
    assert "access" not in response.json()


def test_outstanding_token_record_holds_the_refresh_token_that_was_issued(alpha: Tenant, login: Login) -> None:
    # given / when
    refresh = login(alpha, "admin@alpha.test")["refresh"]
    # then: the audit record (used to list and revoke a user's sessions) is the real token
    with tenant_context(alpha):
        recorded = list(OutstandingToken.objects.filter(user__email="admin@alpha.test").values_list("token", flat=True))
    assert refresh in recorded
