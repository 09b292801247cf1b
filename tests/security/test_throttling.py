"""Brute force (audit finding 4): password logins on tenant and platform hosts, password-reset
e-mails and one-time codes are throttled per address and per client IP, per tenant, with a 429 in
the error shape and a ``Retry-After`` header.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytest_django import Settings

from shared_apps.tenancy.models import Tenant
from tests.conftest import PASSWORD
from tests.fixture_types import ApiResponse, ClientFor
from tests.tenant_apps.accounts.conftest import LOGIN, OTP_REQUEST, error_code

RESET = "/api/v1/auth/password/reset/"


@pytest.fixture
def rates(settings: Settings) -> Callable[..., None]:
    """``rates(**{"login_address": "3/h"})``: only the given throttles, at the given rates."""

    def set_rates(**values: str) -> None:
        settings.AUTH_THROTTLE_RATES = values

    return set_rates


def assert_throttled(response: ApiResponse) -> None:
    assert response.status_code == 429, response.content
    assert error_code(response) == "throttled"
    assert int(response["Retry-After"]) > 0


def test_password_guesses_on_one_address_are_throttled_even_from_many_ips(
    alpha: Tenant, client_for: ClientFor, rates: Callable[..., None]
) -> None:
    # given: 3 attempts per address per hour
    rates(login_address="3/h")
    # when: an attacker guesses from three IPs, then tries the right password from a fourth
    for n in range(3):
        guess = client_for(alpha).post(
            LOGIN, {"email": "admin@alpha.test", "password": f"guess-{n}"}, REMOTE_ADDR=f"203.0.113.{n}"
        )
        assert guess.status_code == 400
    response = client_for(alpha).post(
        LOGIN, {"email": "admin@alpha.test", "password": PASSWORD}, REMOTE_ADDR="203.0.113.99"
    )
    # then
    assert_throttled(response)


def test_look_alike_spellings_of_one_address_share_its_login_budget(
    alpha: Tenant, client_for: ClientFor, rates: Callable[..., None]
) -> None:
    rates(login_address="2/h")
    for spelling in ("admin@alpha.test", "ADMIN@Alpha.Test"):
        client_for(alpha).post(LOGIN, {"email": spelling, "password": "wrong-wrong-1"})
    assert_throttled(client_for(alpha).post(LOGIN, {"email": "\uff41dmin@alpha.test", "password": "x"}))


def test_password_guesses_on_many_addresses_from_one_ip_are_throttled(
    alpha: Tenant, client_for: ClientFor, rates: Callable[..., None]
) -> None:
    rates(login_ip="3/h")
    for n in range(3):
        client_for(alpha).post(LOGIN, {"email": f"user{n}@alpha.test", "password": "wrong-wrong-1"})
    assert_throttled(client_for(alpha).post(LOGIN, {"email": "admin@alpha.test", "password": PASSWORD}))


def test_a_spoofed_x_forwarded_for_does_not_escape_the_ip_throttle(
    alpha: Tenant, client_for: ClientFor, rates: Callable[..., None]
) -> None:
    # given: no trusted proxy (TRUSTED_PROXY_COUNT=0), 2 attempts per IP
    rates(login_ip="2/h")
    # when: the client invents a new X-Forwarded-For for every attempt
    statuses = [
        client_for(alpha)
        .post(LOGIN, {"email": f"u{n}@alpha.test", "password": "x"}, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        .status_code
        for n in range(3)
    ]
    # then: they all count against its real address
    assert statuses[:2] == [400, 400]
    assert statuses[2] == 429


def test_behind_one_trusted_proxy_the_client_ip_is_the_proxys_entry(
    alpha: Tenant, client_for: ClientFor, rates: Callable[..., None], settings: Settings
) -> None:
    # given: one proxy that appends the address it saw to X-Forwarded-For
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    rates(login_ip="1/h")
    # when: two clients behind the proxy, each prepending a fake address of its own
    first = client_for(alpha).post(
        LOGIN, {"email": "a@alpha.test", "password": "x"}, HTTP_X_FORWARDED_FOR="10.9.9.9, 192.0.2.1"
    )
    second = client_for(alpha).post(
        LOGIN, {"email": "b@alpha.test", "password": "x"}, HTTP_X_FORWARDED_FOR="10.9.9.9, 192.0.2.2"
    )
    again = client_for(alpha).post(
        LOGIN, {"email": "c@alpha.test", "password": "x"}, HTTP_X_FORWARDED_FOR="10.8.8.8, 192.0.2.1"
    )
    # then: each real client has its own budget, whatever it prepends
    assert first.status_code == 400
    assert second.status_code == 400
    assert_throttled(again)


def test_one_sites_throttle_does_not_reach_another_site(
    alpha: Tenant, beta: Tenant, client_for: ClientFor, rates: Callable[..., None]
) -> None:
    rates(login_address="1/h", login_ip="1/h")
    client_for(alpha).post(LOGIN, {"email": "admin@alpha.test", "password": "wrong-wrong-1"})
    assert_throttled(client_for(alpha).post(LOGIN, {"email": "admin@alpha.test", "password": PASSWORD}))
    assert client_for(beta).post(LOGIN, {"email": "admin@beta.test", "password": PASSWORD}).status_code == 200


def test_platform_staff_login_is_throttled(
    session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, rates: Callable[..., None]
) -> None:
    rates(login_address="2/h")
    for _ in range(2):
        client_for(None).post(LOGIN, {"email": "staff@localhost", "password": "wrong-wrong-1"})
    assert_throttled(client_for(None).post(LOGIN, {"email": "staff@localhost", "password": PASSWORD}))


def test_password_reset_emails_are_throttled_per_address(
    alpha: Tenant, client_for: ClientFor, rates: Callable[..., None]
) -> None:
    from django.core import mail

    rates(password_reset_address="2/h")
    for _ in range(2):
        assert client_for(alpha).post(RESET, {"email": "admin@alpha.test"}).status_code == 200
    assert_throttled(client_for(alpha).post(RESET, {"email": "Admin@alpha.test"}))
    assert len(mail.outbox) == 2


def test_otp_requests_are_throttled_per_client_ip(
    alpha: Tenant, client_for: ClientFor, rates: Callable[..., None]
) -> None:
    rates(otp_request_ip="3/h")
    for n in range(3):
        assert client_for(alpha).post(OTP_REQUEST, {"email": f"x{n}@alpha.test"}).status_code == 202
    assert_throttled(client_for(alpha).post(OTP_REQUEST, {"email": "y@alpha.test"}))


def test_the_per_address_otp_limit_says_when_to_retry(
    alpha: Tenant, client_for: ClientFor, settings: Settings, rates: Callable[..., None]
) -> None:
    rates()  # only the per-address limit of the OTP service itself
    settings.OTP_RATE_LIMIT = 1
    client_for(alpha).post(OTP_REQUEST, {"email": "admin@alpha.test"})
    response = client_for(alpha).post(OTP_REQUEST, {"email": "admin@alpha.test"})
    assert response.status_code == 429
    assert error_code(response) == "otp_rate_limited"
    assert int(response["Retry-After"]) == response.json()["error"]["details"]["retry_after"]


def test_a_json_array_body_is_a_400_not_a_throttle_crash(alpha: Tenant, client_for: ClientFor) -> None:
    response = client_for(alpha).post(LOGIN, [1, 2], format="json")
    assert response.status_code == 400


def test_sign_ups_from_one_ip_are_throttled(alpha: Tenant, client_for: ClientFor, rates: Callable[..., None]) -> None:
    from tenant_apps.accounts.models import User

    rates(registration_ip="2/h")
    body = {"password1": "Another-pass-99", "password2": "Another-pass-99"}
    for n in range(2):
        assert (
            client_for(alpha).post("/api/v1/auth/registration/", {"email": f"bot{n}@example.com", **body}).status_code
            == 201
        )
    assert_throttled(client_for(alpha).post("/api/v1/auth/registration/", {"email": "bot9@example.com", **body}))
    from django_tenants.utils import tenant_context

    with tenant_context(alpha):
        assert not User.objects.filter(email="bot9@example.com").exists()
