"""Account takeover through Unicode look-alike e-mail addresses (audit finding 1, critical).

PostgreSQL's ``UPPER()`` behind ``email__iexact`` folds ``ſ`` (long s) to ``S`` and ``ı`` (dotless
i) to ``I``. Before the fix, ``otp/request`` with ``ſtudent@…`` found the real ``student@…``
and e-mailed *the typed address* a code that ``otp/verify`` then accepted for the real account.
Now every address is reduced to one canonical form, matched exactly, and mail goes only to the
address stored on the user.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django_tenants.utils import tenant_context
from pytest_django import Settings

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import OneTimeCode, User
from tests.conftest import PASSWORD
from tests.fixture_types import ClientFor, Login, MakeUser
from tests.tenant_apps.accounts.conftest import LOGIN, OTP_REQUEST, OTP_VERIFY, REGISTER, USERS, code_in, error_code

LONG_S = "\u017ftudent@alpha.test"  # ſtudent@alpha.test: NFKC makes it student@alpha.test
DOTLESS_DOMAIN = "client@alph\u0131.test"  # client@alphı.test: another domain (xn--alph-...)
DOTLESS_LOCAL = "cl\u0131ent@alpha.test"  # clıent@alpha.test: another mailbox than client@


def test_otp_for_a_long_s_spelling_is_sent_only_to_the_stored_address(
    alpha: Tenant, client_for: ClientFor, make_user: MakeUser
) -> None:
    # given: the real user student@alpha.test
    make_user(alpha, "student@alpha.test")
    # when: an attacker asks for a code with the long-s spelling
    response = client_for(alpha).post(OTP_REQUEST, {"email": LONG_S})
    # then: the code goes to the real mailbox only, never to the spelling typed
    assert response.status_code == 202
    assert [m.to for m in mail.outbox] == [["student@alpha.test"]]


@pytest.mark.parametrize("spelling", [DOTLESS_DOMAIN, DOTLESS_LOCAL], ids=["dotless-domain", "dotless-local"])
def test_otp_for_a_dotless_i_spelling_finds_no_account(
    alpha: Tenant, client_for: ClientFor, make_user: MakeUser, spelling: str
) -> None:
    # given: the real user client@alpha.test
    make_user(alpha, "client@alpha.test")
    # when: an attacker asks for a code with a dotless i (PostgreSQL's UPPER() folds it to I)
    response = client_for(alpha).post(OTP_REQUEST, {"email": spelling})
    # then: same answer as for any address (no enumeration), and no mail to anybody
    assert response.status_code == 202
    assert mail.outbox == []


def test_otp_verify_with_a_look_alike_spelling_never_returns_the_real_users_tokens(
    alpha: Tenant, client_for: ClientFor, make_user: MakeUser
) -> None:
    # given: the attacker requested a code with a dotless spelling (it reached nobody) and the
    # owner requested one of their own (it reached the owner)
    make_user(alpha, "client@alpha.test")
    client_for(alpha).post(OTP_REQUEST, {"email": DOTLESS_LOCAL})
    client_for(alpha).post(OTP_REQUEST, {"email": "client@alpha.test"})
    owners_code = code_in(str(mail.outbox[0].body))
    # when: the attacker tries the owner's code (say, read over a shoulder) with their spelling
    response = client_for(alpha).post(OTP_VERIFY, {"email": DOTLESS_LOCAL, "code": owners_code})
    # then: refused: the spelling is another address with its own codes
    assert response.status_code == 400
    assert error_code(response) == "otp_invalid"


def test_look_alike_spellings_share_one_otp_rate_limit_bucket(
    alpha: Tenant, client_for: ClientFor, make_user: MakeUser, settings: Settings
) -> None:
    # given: a limit of 3 codes per address per window
    settings.OTP_RATE_LIMIT = 3
    make_user(alpha, "student@alpha.test")
    spellings = ["student@alpha.test", "STUDENT@alpha.test", LONG_S, "\uff53tudent@alpha.test"]  # ｓ fullwidth
    # when: four requests in four spellings of one address
    statuses = [client_for(alpha).post(OTP_REQUEST, {"email": s}).status_code for s in spellings]
    # then: the fourth is refused, with Retry-After
    assert statuses == [202, 202, 202, 429]
    with tenant_context(alpha):
        assert set(OneTimeCode.objects.values_list("address", flat=True)) == {"student@alpha.test"}


def test_password_reset_for_a_look_alike_spelling_is_sent_to_the_stored_address(
    alpha: Tenant, client_for: ClientFor, make_user: MakeUser
) -> None:
    make_user(alpha, "student@alpha.test")
    response = client_for(alpha).post("/api/v1/auth/password/reset/", {"email": LONG_S})
    assert response.status_code == 200
    assert [m.to for m in mail.outbox] == [["student@alpha.test"]]


def test_password_reset_for_a_dotless_spelling_sends_nothing(
    alpha: Tenant, client_for: ClientFor, make_user: MakeUser
) -> None:
    make_user(alpha, "client@alpha.test")
    response = client_for(alpha).post("/api/v1/auth/password/reset/", {"email": DOTLESS_LOCAL})
    assert response.status_code == 200
    assert mail.outbox == []


def test_registration_with_a_look_alike_of_an_existing_address_is_refused(
    alpha: Tenant, client_for: ClientFor, make_user: MakeUser
) -> None:
    # given: student@alpha.test exists
    make_user(alpha, "student@alpha.test")
    # when: someone registers its long-s spelling (the same address once normalised)
    response = client_for(alpha).post(
        REGISTER, {"email": LONG_S, "password1": "Another-pass-99", "password2": "Another-pass-99"}
    )
    # then: refused as taken; one account for that address
    assert response.status_code == 400
    assert "email" in response.json()["error"]["details"]
    with tenant_context(alpha):
        assert User.objects.filter(email="student@alpha.test").count() == 1


def test_registration_stores_the_canonical_address(alpha: Tenant, client_for: ClientFor) -> None:
    response = client_for(alpha).post(
        REGISTER,
        {"email": "New.User@B\u00dccher.Example", "password1": "Another-pass-99", "password2": "Another-pass-99"},
    )
    assert response.status_code == 201, response.content
    with tenant_context(alpha):
        assert User.objects.filter(email="new.user@xn--bcher-kva.example").exists()


def test_users_api_refuses_a_look_alike_of_an_existing_address(
    alpha: Tenant, client_for: ClientFor, login: Login, make_user: MakeUser
) -> None:
    make_user(alpha, "student@alpha.test")
    admin = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    response = admin.post(USERS, {"email": LONG_S, "password": "Another-pass-99"})
    assert response.status_code == 409
    assert error_code(response) == "email_taken"


def test_login_matches_the_canonical_address_only(alpha: Tenant, client_for: ClientFor, make_user: MakeUser) -> None:
    make_user(alpha, "client@alpha.test")
    typed_upper = client_for(alpha).post(LOGIN, {"email": "CLIENT@Alpha.Test", "password": PASSWORD})
    dotless = client_for(alpha).post(LOGIN, {"email": DOTLESS_LOCAL, "password": PASSWORD})
    assert typed_upper.status_code == 200
    assert dotless.status_code == 400


def test_platform_staff_login_matches_the_canonical_address_only(
    session_tenants: dict[str, Tenant], db: None, client_for: ClientFor
) -> None:
    assert client_for(None).post(LOGIN, {"email": "STAFF@localhost", "password": PASSWORD}).status_code == 200
    dotless = client_for(None).post(LOGIN, {"email": "staff@local\u0125ost", "password": PASSWORD})
    assert dotless.status_code == 400
