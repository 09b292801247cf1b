"""Login sessions end after the site's idle timeout (issue 13, point 7): the client can ask how long
is left, API use extends it, and once it has passed the refresh and the access tokens of that
session answer 401 ``session_expired``; logout ends the session at once.

The platform default here is ``SESSION_IDLE_TIMEOUT_MINUTES`` = 30 (the settings' default). The
session clock is the wall clock tokens are checked with; ``idle`` moves it forward.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context
from rest_framework_simplejwt.tokens import AccessToken

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts import sessions
from tenant_apps.accounts.models import AuthSettings, User
from tenant_apps.accounts.tokens import TenantRefreshToken
from tests.factories.base import at
from tests.fixture_types import ClientFor, Login, MakeUser
from tests.tenant_apps.accounts.conftest import ME, REFRESH, VERIFY, error_code

SESSION = "/api/v1/auth/session/"
SETTINGS = "/api/v1/auth/settings/"
LOGOUT = "/api/v1/auth/logout/"
TIMEOUT = 30 * 60

Idle = Callable[[float], None]


@pytest.fixture
def idle(monkeypatch: pytest.MonkeyPatch) -> Idle:
    """``idle(seconds)``: the session clock moves ``seconds`` further on (cumulative)."""
    moved = {"by": 0.0}
    real = sessions.wall_clock

    def move(seconds: float) -> None:
        moved["by"] += seconds
        monkeypatch.setattr(sessions, "wall_clock", lambda: real() + timedelta(seconds=moved["by"]))

    return move


def _left(client_for: ClientFor, tenant: Tenant, access: str) -> int:
    response = client_for(tenant, access).get(SESSION)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["idle_timeout_seconds"] == TIMEOUT or body["expires_in_seconds"] is None, body
    return int(body["expires_in_seconds"])


def test_a_new_session_has_the_whole_idle_timeout_left(alpha: Tenant, client_for: ClientFor, login: Login) -> None:
    # given
    access = login(alpha, "admin@alpha.test")["access"]
    # when
    body = client_for(alpha, access).get(SESSION).json()
    # then
    assert body["idle_timeout_seconds"] == TIMEOUT
    assert TIMEOUT - 5 <= body["expires_in_seconds"] <= TIMEOUT
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert abs((expires_at - timezone.now()).total_seconds() - TIMEOUT) < 5


def test_asking_does_not_extend_the_session_and_api_use_does(
    alpha: Tenant, client_for: ClientFor, login: Login, idle: Idle
) -> None:
    # given 20 idle minutes
    access = login(alpha, "admin@alpha.test")["access"]
    idle(20 * 60)
    # when the client only asks, twice
    first = _left(client_for, alpha, access)
    second = _left(client_for, alpha, access)
    # then about 10 minutes are left each time
    assert 9 * 60 <= second <= first <= 10 * 60
    # and when it uses the API, the whole timeout is left again
    assert client_for(alpha, access).get(ME).status_code == 200
    assert _left(client_for, alpha, access) >= TIMEOUT - 5


def test_an_idle_session_refuses_its_access_token_and_its_refresh(
    alpha: Tenant, client_for: ClientFor, login: Login, idle: Idle
) -> None:
    # given a session idle for longer than the timeout
    pair = login(alpha, "admin@alpha.test")
    idle(TIMEOUT + 1)
    # when
    responses = [
        client_for(alpha, pair["access"]).get(ME),
        client_for(alpha, pair["access"]).get(SESSION),
        client_for(alpha).post(REFRESH, {"refresh": pair["refresh"]}),
        client_for(alpha).post(VERIFY, {"token": pair["access"]}),
    ]
    # then every one is a 401 the front end can tell apart
    for response in responses:
        assert response.status_code == 401, response.content
        assert error_code(response) == "session_expired"


def test_a_refresh_extends_the_session_and_the_new_pair_keeps_it(
    alpha: Tenant, client_for: ClientFor, login: Login, idle: Idle
) -> None:
    # given 25 idle minutes, then a refresh
    pair = login(alpha, "admin@alpha.test")
    idle(25 * 60)
    refreshed = client_for(alpha).post(REFRESH, {"refresh": pair["refresh"]})
    assert refreshed.status_code == 200, refreshed.content
    new = refreshed.json()
    # then the new tokens belong to the same session, which has the whole timeout again
    sid = AccessToken(pair["access"])[sessions.SESSION_CLAIM]  # type: ignore[arg-type]
    assert AccessToken(new["access"])[sessions.SESSION_CLAIM] == sid  # type: ignore[arg-type]
    assert _left(client_for, alpha, new["access"]) >= TIMEOUT - 5
    # and 25 more idle minutes (50 since login) do not end it
    idle(25 * 60)
    assert client_for(alpha, pair["access"]).get(ME).status_code == 200


def test_logout_ends_the_session_for_its_access_tokens(alpha: Tenant, client_for: ClientFor, login: Login) -> None:
    # given
    pair = login(alpha, "admin@alpha.test")
    other = login(alpha, "admin@alpha.test")  # another device: another session
    # when
    assert client_for(alpha).post(LOGOUT, {"refresh": pair["refresh"]}).status_code == 200
    # then this session's access token is refused, the other session's is not
    response = client_for(alpha, pair["access"]).get(ME)
    assert response.status_code == 401
    assert error_code(response) == "session_expired"
    assert client_for(alpha, other["access"]).get(ME).status_code == 200


def test_a_token_issued_without_a_session_keeps_working(alpha: Tenant, client_for: ClientFor, idle: Idle) -> None:
    # given a pair issued before sessions existed (no sid claim)
    with tenant_context(alpha):
        refresh = TenantRefreshToken.for_user(User.objects.get(email="admin@alpha.test"))
        del refresh[sessions.SESSION_CLAIM]
        access = str(refresh.access_token)
    idle(TIMEOUT * 10)
    # when
    me = client_for(alpha, access).get(ME)
    left = client_for(alpha, access).get(SESSION).json()
    refreshed = client_for(alpha).post(REFRESH, {"refresh": str(refresh)})
    # then
    assert me.status_code == 200
    assert left == {"idle_timeout_seconds": TIMEOUT, "expires_in_seconds": None, "expires_at": None}
    assert refreshed.status_code == 200, refreshed.content


def test_a_lost_cache_entry_neither_ends_a_live_session_nor_revives_an_idle_one(
    alpha: Tenant, client_for: ClientFor, login: Login, idle: Idle
) -> None:
    from django.core.cache import cache

    # given a session used a minute ago, its cache entry then lost (Redis flushed)
    pair = login(alpha, "admin@alpha.test")
    idle(60)
    cache.clear()
    # then it still works (the token's issue time counts as activity)
    assert client_for(alpha, pair["access"]).get(ME).status_code == 200
    # and once idle past the timeout since that token was issued, with the entry lost again, it is over
    idle(TIMEOUT)
    cache.clear()
    response = client_for(alpha).post(REFRESH, {"refresh": pair["refresh"]})
    assert response.status_code == 401
    assert error_code(response) == "session_expired"


def test_moving_the_site_clock_expires_no_session(alpha: Tenant, client_for: ClientFor, login: Login) -> None:
    # given
    access = login(alpha, "admin@alpha.test")["access"]
    # when the site's clock is three days on (tests of deadlines and due dates do this)
    with at(timezone.now() + timedelta(days=3)):
        response = client_for(alpha, access).get(ME)
    # then
    assert response.status_code == 200


def test_an_admin_sets_the_sites_idle_timeout_and_open_sessions_follow_it(
    alpha: Tenant, client_for: ClientFor, login: Login, idle: Idle
) -> None:
    # given
    admin = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    assert admin.get(SETTINGS).json() == {
        "session_idle_timeout_minutes": None,
        "default_session_idle_timeout_minutes": 30,
        "effective_session_idle_timeout_minutes": 30,
    }
    # when
    response = admin.patch(SETTINGS, {"session_idle_timeout_minutes": 5})
    # then
    assert response.status_code == 200, response.content
    assert response.json()["effective_session_idle_timeout_minutes"] == 5
    assert admin.get(SESSION).json()["idle_timeout_seconds"] == 300
    # and six idle minutes end the session
    idle(6 * 60)
    assert error_code(admin.get(ME)) == "session_expired"


def test_a_timeout_of_zero_turns_it_off_and_null_restores_the_default(
    alpha: Tenant, client_for: ClientFor, login: Login, idle: Idle
) -> None:
    # given
    admin = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    assert admin.patch(SETTINGS, {"session_idle_timeout_minutes": 0}).status_code == 200
    # when a long time passes
    idle(TIMEOUT * 4)
    # then the session has no end
    assert admin.get(SESSION).json() == {"idle_timeout_seconds": 0, "expires_in_seconds": None, "expires_at": None}
    assert admin.get(ME).status_code == 200
    # and back to the default
    body = admin.patch(SETTINGS, {"session_idle_timeout_minutes": None}).json()
    assert body["session_idle_timeout_minutes"] is None
    assert body["effective_session_idle_timeout_minutes"] == 30


@pytest.mark.parametrize("value", [-1, 7 * 24 * 60 + 1, "ten", 2.5])
def test_the_timeout_must_be_whole_minutes_up_to_a_week(
    alpha: Tenant, client_for: ClientFor, login: Login, value: object
) -> None:
    admin = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    response = admin.patch(SETTINGS, {"session_idle_timeout_minutes": value})
    assert response.status_code == 400
    assert error_code(response) == "validation_error"


def test_only_admins_see_and_change_the_sign_in_settings(
    alpha: Tenant, client_for: ClientFor, login: Login, make_user: MakeUser
) -> None:
    # given
    make_user(alpha, "stu@alpha.test", roles=["student"])
    student = client_for(alpha, login(alpha, "stu@alpha.test")["access"])
    # when
    responses = [student.get(SETTINGS), student.patch(SETTINGS, {"session_idle_timeout_minutes": 0})]
    # then
    assert [r.status_code for r in responses] == [403, 403]
    assert client_for(alpha).get(SETTINGS).status_code == 401
    assert client_for(alpha).get(SESSION).status_code == 401


def test_one_sites_timeout_is_not_anothers(
    alpha: Tenant, beta: Tenant, client_for: ClientFor, login: Login, idle: Idle
) -> None:
    # given alpha's timeout is 5 minutes
    alpha_admin = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    assert alpha_admin.patch(SETTINGS, {"session_idle_timeout_minutes": 5}).status_code == 200
    beta_access = login(beta, "admin@beta.test")["access"]
    # when both are idle ten minutes
    idle(10 * 60)
    # then only alpha's session is over
    assert error_code(alpha_admin.get(ME)) == "session_expired"
    assert client_for(beta, beta_access).get(ME).status_code == 200


def test_an_authenticated_request_runs_no_query_for_the_session(
    alpha: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given a warm site (the setting was read once, at login)
    client = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    client.get(ME)
    # when
    with CaptureQueriesContext(connection) as queries:
        response = client.get(ME)
    # then nothing reads the sign-in settings
    assert response.status_code == 200
    assert not [q for q in queries.captured_queries if "accounts_authsettings" in q["sql"]]


class _WritesFail:
    """The session cache with Redis refusing writes (reads still answer: the breaker has not opened)."""

    def __init__(self, real: object) -> None:
        self.real = real

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)

    def set(self, *args: object, **kwargs: object) -> None:
        raise redis.ConnectionError("Redis is down")

    def delete(self, *args: object, **kwargs: object) -> None:
        raise redis.ConnectionError("Redis is down")


def test_a_cache_that_cannot_be_written_neither_refuses_logins_nor_requests(
    alpha: Tenant, client_for: ClientFor, login: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given Redis refusing the sessions' writes
    monkeypatch.setattr(sessions, "cache", _WritesFail(sessions.cache))
    # when a user logs in, uses the API, refreshes and logs out
    pair = login(alpha, "admin@alpha.test")
    me = client_for(alpha, pair["access"]).get(ME)
    refreshed = client_for(alpha).post(REFRESH, {"refresh": pair["refresh"]})
    logout = client_for(alpha).post(LOGOUT, {"refresh": refreshed.json()["refresh"]})
    # then each works (activity falls back to the tokens' issue times)
    assert [me.status_code, refreshed.status_code, logout.status_code] == [200, 200, 200]


def test_the_timeout_is_not_changed_while_its_cached_value_cannot_be_dropped(
    alpha: Tenant, client_for: ClientFor, login: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    admin = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    monkeypatch.setattr(sessions, "cache", _WritesFail(sessions.cache))
    # when
    refused = admin.patch(SETTINGS, {"session_idle_timeout_minutes": 5})
    # then the admin is told to try again shortly, and the row is as it was
    assert refused.status_code == 503 and refused.json()["error"]["code"] == "service_unavailable"
    with tenant_context(alpha):
        assert not AuthSettings.objects.filter(session_idle_timeout_minutes=5).exists()
