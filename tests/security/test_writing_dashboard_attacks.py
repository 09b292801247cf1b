"""Attacks on the writing dashboards and on idle sessions.

Dashboards (site ``golf``, the people of ``make_writing``): carl's order, assigned to will, carries
``SECRET`` in its topic. Client ``cleo``, writer ``wren`` (not its writer) and editor ``eddie``
(it is not in review) read their dashboards, with query parameters naming carl: the secret never
shows. A writer's and an editor's dashboards never name a client, even of their own orders. Hotel's
admin sees none of golf's orders.

Sessions: a logged-out session's access token replayed; an idle session's refresh replayed after a
refresh of another session; the idle timeout changed by a non-admin or set out of range; mass
assignment on the settings row.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts import sessions
from tenant_apps.accounts.models import AuthSettings
from tests.api import error_code
from tests.factories import OrderFactory
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.writing.conftest import Writing, make_writing

SECRET = "golf-dashboard-secret-41c9"
DASHBOARD = "/api/v1/dashboard/"
SETTINGS = "/api/v1/auth/settings/"


@pytest.fixture
def writing(golf: Tenant, client_for: ClientFor, login: Login) -> Writing:
    return make_writing(golf, client_for, login)


@pytest.fixture
def victim(writing: Writing) -> int:
    """carl's order, in progress by will, its topic the secret; its id."""
    with tenant_context(writing.tenant):
        return OrderFactory(client=writing.carl, writer=writing.will, topic=SECRET, in_progress=True).pk


@pytest.mark.parametrize("attacker", ["cleo", "wren", "eddie"])
def test_another_users_order_never_shows_on_a_dashboard(writing: Writing, victim: int, attacker: str) -> None:
    # when the attacker asks, with parameters naming the victim
    carl = str(writing.carl.pk)
    responses = [
        writing.client(attacker).get(DASHBOARD),
        writing.client(attacker).get(DASHBOARD, {"user": carl, "client": carl, "role": "admin"}),
    ]
    # then the answer is their own dashboard, without the secret
    for response in responses:
        assert response.status_code == 200
        assert SECRET not in response.content.decode()
        assert "admin" not in response.json()["roles"]


@pytest.mark.parametrize("who", ["wren", "eddie"])
def test_writers_and_editors_dashboards_never_name_the_client(writing: Writing, who: str) -> None:
    # given carl's order written by wren, in review, and another delivered by eddie
    with tenant_context(writing.tenant):
        OrderFactory(client=writing.carl, writer=writing.wren, in_review=True)
        OrderFactory(client=writing.carl, writer=writing.wren, editor=writing.eddie, delivered=True)
    # when
    body = writing.client(who).get(DASHBOARD).content.decode()
    # then
    assert writing.carl.email not in body
    assert writing.carl.full_name not in body
    assert f'"client": {writing.carl.pk}' not in body


def test_golfs_orders_never_show_on_hotels_admin_dashboard(
    writing: Writing, victim: int, hotel: Tenant, client_for: ClientFor, login: Login
) -> None:
    other = make_writing(hotel, client_for, login)
    body = other.client("admin").get(DASHBOARD)
    assert body.status_code == 200
    assert SECRET not in body.content.decode()
    assert body.json()["admin"]["orders_total"] == 0


def test_a_logged_out_sessions_access_token_is_refused(writing: Writing, client_for: ClientFor, login: Login) -> None:
    # given cleo logged in and out
    pair = login(writing.tenant, "cleo@golf.test")
    assert client_for(writing.tenant).post("/api/v1/auth/logout/", {"refresh": pair["refresh"]}).status_code == 200
    # when the stolen access token is replayed
    response = client_for(writing.tenant, pair["access"]).get(DASHBOARD)
    # then
    assert response.status_code == 401
    assert error_code(response) == "session_expired"


def test_an_idle_session_is_not_revived_by_another_sessions_activity(
    writing: Writing, client_for: ClientFor, login: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given two sessions of cleo; 31 minutes on, only the second is used
    idle = login(writing.tenant, "cleo@golf.test")
    active = login(writing.tenant, "cleo@golf.test")
    real = sessions.wall_clock
    monkeypatch.setattr(sessions, "wall_clock", lambda: real() + timedelta(minutes=20))
    assert client_for(writing.tenant, active["access"]).get(DASHBOARD).status_code == 200
    monkeypatch.setattr(sessions, "wall_clock", lambda: real() + timedelta(minutes=31))
    assert client_for(writing.tenant, active["access"]).get(DASHBOARD).status_code == 200
    # when the idle session's refresh token is replayed
    response = client_for(writing.tenant).post("/api/v1/auth/token/refresh/", {"refresh": idle["refresh"]})
    # then
    assert response.status_code == 401
    assert error_code(response) == "session_expired"


@pytest.mark.parametrize("who", ["cleo", "wren", "eddie", "sue"])
def test_only_admins_change_the_idle_timeout(writing: Writing, who: str) -> None:
    response = writing.client(who).patch(SETTINGS, {"session_idle_timeout_minutes": 0})
    assert response.status_code == 403
    with tenant_context(writing.tenant):
        assert not AuthSettings.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"session_idle_timeout_minutes": 5, "id": 2},
        {"session_idle_timeout_minutes": 5, "pk": 2, "updated_at": "2000-01-01T00:00:00Z"},
    ],
)
def test_mass_assignment_on_the_settings_row_changes_only_the_timeout(
    writing: Writing, body: dict[str, object]
) -> None:
    # when
    response = writing.client("admin").patch(SETTINGS, body)
    # then
    assert response.status_code == 200
    with tenant_context(writing.tenant):
        assert list(AuthSettings.objects.values_list("pk", "session_idle_timeout_minutes")) == [(1, 5)]
        assert AuthSettings.objects.get().updated_at.year != 2000
