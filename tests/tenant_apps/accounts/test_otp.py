"""Login with a one-time code sent by e-mail or SMS: expiry, attempts, rate limit, tenant binding."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import mail
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import OneTimeCode
from tenant_apps.accounts.sms import LocmemSMSBackend
from tests.fixture_types import ClientFor, MakeUser
from tests.tenant_apps.accounts.conftest import (
    ME,
    OTP_REQUEST,
    OTP_VERIFY,
    code_in,
    emailed_code,
    error_code,
    other_code,
)

PHONE = "+447911123456"


def test_emailed_code_logs_the_user_in_with_a_pair_bound_to_that_tenant(
    alpha: Tenant, beta: Tenant, client_for: ClientFor, make_user: MakeUser
) -> None:
    # given
    make_user(alpha, "otp@alpha.test")
    # when
    requested = client_for(alpha).post(OTP_REQUEST, {"email": "OTP@alpha.test"})
    code = emailed_code("otp@alpha.test")
    verified = client_for(alpha).post(OTP_VERIFY, {"email": "otp@alpha.test", "code": code})
    # then
    assert requested.status_code == 202
    assert LocmemSMSBackend.outbox == []
    assert mail.outbox[0].from_email == "Alpha <no-reply@localhost>"  # sent as the site
    assert verified.status_code == 200, verified.content
    tokens = verified.json()
    assert client_for(alpha, tokens["access"]).get(ME).json()["email"] == "otp@alpha.test"
    assert client_for(beta, tokens["access"]).get(ME).status_code == 401


def test_texted_code_logs_the_user_in_by_phone(alpha: Tenant, client_for: ClientFor, make_user: MakeUser) -> None:
    # given: a user with a phone number, asked for in another spelling
    make_user(alpha, "sms@alpha.test", phone=PHONE)
    # when
    requested = client_for(alpha).post(OTP_REQUEST, {"phone": "+44 7911 123456"})
    # then: one SMS to the E.164 number, no e-mail
    assert requested.status_code == 202
    assert mail.outbox == []
    assert [phone for phone, _ in LocmemSMSBackend.outbox] == [PHONE]
    code = code_in(LocmemSMSBackend.outbox[0][1])
    verified = client_for(alpha).post(OTP_VERIFY, {"phone": PHONE, "code": code})
    assert verified.status_code == 200, verified.content
    assert client_for(alpha, verified.json()["access"]).get(ME).json()["email"] == "sms@alpha.test"


def test_code_works_only_once(alpha: Tenant, client_for: ClientFor, make_user: MakeUser) -> None:
    # given: a code already used to log in
    make_user(alpha, "once@alpha.test")
    client_for(alpha).post(OTP_REQUEST, {"email": "once@alpha.test"})
    code = emailed_code("once@alpha.test")
    assert client_for(alpha).post(OTP_VERIFY, {"email": "once@alpha.test", "code": code}).status_code == 200
    # when
    again = client_for(alpha).post(OTP_VERIFY, {"email": "once@alpha.test", "code": code})
    # then
    assert again.status_code == 400
    assert error_code(again) == "otp_invalid"


@pytest.mark.parametrize(
    ("seconds_later", "status", "code"),
    [
        (settings.OTP_TTL_SECONDS - 5, 200, None),
        (settings.OTP_TTL_SECONDS + 1, 400, "otp_expired"),
    ],
)
def test_code_expires_after_its_time_to_live(
    alpha: Tenant,
    client_for: ClientFor,
    make_user: MakeUser,
    clock: SimpleNamespace,
    seconds_later: int,
    status: int,
    code: str | None,
) -> None:
    # given
    make_user(alpha, "late@alpha.test")
    client_for(alpha).post(OTP_REQUEST, {"email": "late@alpha.test"})
    otp = emailed_code("late@alpha.test")
    # when
    clock.shift(seconds_later)
    response = client_for(alpha).post(OTP_VERIFY, {"email": "late@alpha.test", "code": otp})
    # then
    assert response.status_code == status, response.content
    if code:
        assert error_code(response) == code
    else:
        assert "access" in response.json()


def test_wrong_codes_are_counted_down_to_zero_attempts_left(
    alpha: Tenant, client_for: ClientFor, make_user: MakeUser
) -> None:
    # given
    make_user(alpha, "guess@alpha.test")
    client_for(alpha).post(OTP_REQUEST, {"email": "guess@alpha.test"})
    wrong = other_code(emailed_code("guess@alpha.test"))
    # when
    responses = [
        client_for(alpha).post(OTP_VERIFY, {"email": "guess@alpha.test", "code": wrong})
        for _ in range(settings.OTP_MAX_ATTEMPTS)
    ]
    # then
    assert {r.status_code for r in responses} == {400}
    assert {error_code(r) for r in responses} == {"otp_invalid"}
    assert [r.json()["error"]["details"]["attempts_left"] for r in responses] == list(
        range(settings.OTP_MAX_ATTEMPTS - 1, -1, -1)
    )


def test_after_too_many_wrong_codes_even_the_right_code_is_refused(
    alpha: Tenant, client_for: ClientFor, make_user: MakeUser
) -> None:
    # given: the maximum of wrong guesses spent on one code
    make_user(alpha, "locked@alpha.test")
    client_for(alpha).post(OTP_REQUEST, {"email": "locked@alpha.test"})
    code = emailed_code("locked@alpha.test")
    for _ in range(settings.OTP_MAX_ATTEMPTS):
        client_for(alpha).post(OTP_VERIFY, {"email": "locked@alpha.test", "code": other_code(code)})
    # when
    response = client_for(alpha).post(OTP_VERIFY, {"email": "locked@alpha.test", "code": code})
    # then
    assert response.status_code == 429
    assert error_code(response) == "otp_attempts_exceeded"


def test_a_new_code_starts_with_fresh_attempts(alpha: Tenant, client_for: ClientFor, make_user: MakeUser) -> None:
    # given: a code locked by wrong guesses
    make_user(alpha, "fresh@alpha.test")
    client_for(alpha).post(OTP_REQUEST, {"email": "fresh@alpha.test"})
    first = emailed_code("fresh@alpha.test")
    for _ in range(settings.OTP_MAX_ATTEMPTS):
        client_for(alpha).post(OTP_VERIFY, {"email": "fresh@alpha.test", "code": other_code(first)})
    mail.outbox = []
    # when
    assert client_for(alpha).post(OTP_REQUEST, {"email": "fresh@alpha.test"}).status_code == 202
    second = emailed_code("fresh@alpha.test")
    response = client_for(alpha).post(OTP_VERIFY, {"email": "fresh@alpha.test", "code": second})
    # then
    assert response.status_code == 200, response.content


def test_a_wrong_guess_does_not_spend_the_code(alpha: Tenant, client_for: ClientFor, make_user: MakeUser) -> None:
    # given
    make_user(alpha, "typo@alpha.test")
    client_for(alpha).post(OTP_REQUEST, {"email": "typo@alpha.test"})
    code = emailed_code("typo@alpha.test")
    assert client_for(alpha).post(OTP_VERIFY, {"email": "typo@alpha.test", "code": other_code(code)}).status_code == 400
    # when
    response = client_for(alpha).post(OTP_VERIFY, {"email": "typo@alpha.test", "code": code})
    # then
    assert response.status_code == 200, response.content


def test_requests_per_address_are_rate_limited_and_other_addresses_are_not(
    alpha: Tenant, client_for: ClientFor, make_user: MakeUser
) -> None:
    # given: the limit of codes requested for one address
    make_user(alpha, "busy@alpha.test")
    make_user(alpha, "calm@alpha.test")
    for _ in range(settings.OTP_RATE_LIMIT):
        assert client_for(alpha).post(OTP_REQUEST, {"email": "busy@alpha.test"}).status_code == 202
    # when
    limited = client_for(alpha).post(OTP_REQUEST, {"email": "busy@alpha.test"})
    other = client_for(alpha).post(OTP_REQUEST, {"email": "calm@alpha.test"})
    # then
    assert limited.status_code == 429
    assert error_code(limited) == "otp_rate_limited"
    assert 0 < limited.json()["error"]["details"]["retry_after"] <= settings.OTP_RATE_WINDOW_SECONDS
    assert len([m for m in mail.outbox if m.to == ["busy@alpha.test"]]) == settings.OTP_RATE_LIMIT
    assert other.status_code == 202
    assert len([m for m in mail.outbox if m.to == ["calm@alpha.test"]]) == 1


def test_rate_limit_lifts_once_the_window_has_passed(
    alpha: Tenant, client_for: ClientFor, make_user: MakeUser, clock: SimpleNamespace
) -> None:
    # given
    make_user(alpha, "patient@alpha.test")
    for _ in range(settings.OTP_RATE_LIMIT):
        client_for(alpha).post(OTP_REQUEST, {"email": "patient@alpha.test"})
    assert client_for(alpha).post(OTP_REQUEST, {"email": "patient@alpha.test"}).status_code == 429
    # when
    clock.shift(settings.OTP_RATE_WINDOW_SECONDS + 1)
    response = client_for(alpha).post(OTP_REQUEST, {"email": "patient@alpha.test"})
    # then
    assert response.status_code == 202


def test_unknown_or_inactive_address_gets_the_same_answer_but_nothing_is_sent(
    alpha: Tenant, client_for: ClientFor, make_user: MakeUser
) -> None:
    # given
    make_user(alpha, "known@alpha.test")
    make_user(alpha, "inactive@alpha.test", is_active=False)
    # when
    known = client_for(alpha).post(OTP_REQUEST, {"email": "known@alpha.test"})
    mail.outbox = []
    responses = [
        client_for(alpha).post(OTP_REQUEST, {"email": "nobody@alpha.test"}),
        client_for(alpha).post(OTP_REQUEST, {"email": "inactive@alpha.test"}),
        client_for(alpha).post(OTP_REQUEST, {"phone": PHONE}),
    ]
    # then
    for response in responses:
        assert response.status_code == 202
        assert response.json() == known.json()
    assert mail.outbox == []
    assert LocmemSMSBackend.outbox == []


def test_code_is_stored_only_as_a_hash(alpha: Tenant, client_for: ClientFor, make_user: MakeUser) -> None:
    # given
    make_user(alpha, "hash@alpha.test")
    # when
    client_for(alpha).post(OTP_REQUEST, {"email": "hash@alpha.test"})
    code = emailed_code("hash@alpha.test")
    # then
    with tenant_context(alpha):
        rows = list(OneTimeCode.objects.filter(address="hash@alpha.test").values())
        shown = str(OneTimeCode.objects.get(address="hash@alpha.test"))
    assert len(rows) == 1
    assert code not in shown
    for field in ("code_hash", "address"):
        assert code not in rows[0][field]
    assert len(rows[0]["code_hash"]) >= 32


def test_code_issued_on_one_tenant_does_not_work_on_another(
    alpha: Tenant, beta: Tenant, client_for: ClientFor, make_user: MakeUser
) -> None:
    # given: the same e-mail is a user of both tenants; alpha issued a code
    make_user(alpha, "both@example.test")
    make_user(beta, "both@example.test")
    client_for(alpha).post(OTP_REQUEST, {"email": "both@example.test"})
    code = emailed_code("both@example.test")
    # when
    on_beta = client_for(beta).post(OTP_VERIFY, {"email": "both@example.test", "code": code})
    # then
    assert on_beta.status_code == 400
    assert error_code(on_beta) == "otp_invalid"
    assert client_for(alpha).post(OTP_VERIFY, {"email": "both@example.test", "code": code}).status_code == 200


def test_rate_limit_of_one_tenant_does_not_limit_another(
    alpha: Tenant, beta: Tenant, client_for: ClientFor, make_user: MakeUser
) -> None:
    # given
    make_user(alpha, "both@example.test")
    make_user(beta, "both@example.test")
    for _ in range(settings.OTP_RATE_LIMIT):
        client_for(alpha).post(OTP_REQUEST, {"email": "both@example.test"})
    # when
    response = client_for(beta).post(OTP_REQUEST, {"email": "both@example.test"})
    # then
    assert response.status_code == 202


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"email": "a@alpha.test", "phone": PHONE}, "validation_error"),
        ({}, "validation_error"),
        ({"phone": "07911 123456"}, "invalid_phone"),
        ({"phone": "+44 12"}, "invalid_phone"),
        ({"email": "not-an-email"}, "validation_error"),
    ],
)
def test_request_needs_exactly_one_valid_address(
    alpha: Tenant, client_for: ClientFor, body: dict[str, str], code: str
) -> None:
    response = client_for(alpha).post(OTP_REQUEST, body)
    assert response.status_code == 400
    assert error_code(response) == code
    assert mail.outbox == []
    assert LocmemSMSBackend.outbox == []
