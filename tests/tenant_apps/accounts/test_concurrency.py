"""One-time codes under concurrent requests: a code logs in once, every wrong guess counts, and the
rate limit holds, however many requests arrive at the same moment.

Threads with their own database connections race on committed rows (a test's own transaction is
invisible to them). A pause is injected inside each critical section (between reading a code and
writing its attempts or consumption; between counting an address's recent codes and adding one), so
without the lock (``accounts/locks.py`` ``otp_latest_lock``, ``otp_address_lock``) every racer would
read the same state: the ``without_the_..._lock`` tests show that happening, so the others cannot
pass by luck. Everything committed is deleted afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from pytest_django import Settings

from saas.db.tenant import tenant_connection
from saas.errors import ApplicationError, RateLimited
from shared_apps.tenancy.models import Tenant
from tests.concurrency import in_thread, race
from tests.conftest import PASSWORD

ADDRESS = "otp-racer@alpha.test"
NOBODY = "otp-nobody@alpha.test"
CODE = "246810"
WRONG = "135791"
GUESSERS = 3
PAUSE = 0.3


@pytest.fixture
def committed(alpha: Any) -> Iterator[dict[str, Any]]:
    """Committed in alpha: a user with ``ADDRESS`` and one fresh code ``CODE`` sent to it; the user,
    every code of ``ADDRESS`` and ``NOBODY`` and the audit rows written meanwhile are removed afterwards."""
    from tenant_apps.accounts import services
    from tenant_apps.accounts.models import OneTimeCode, User
    from tenant_apps.audit.models import AuditLogEntry

    def mark() -> int:
        with tenant_context(alpha):
            return AuditLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def setup() -> dict[str, Any]:
        with tenant_context(alpha):
            user = services.user_create(email=ADDRESS, password=PASSWORD, roles=["student"])
            now = timezone.now()
            code = OneTimeCode.objects.create(
                address=ADDRESS,
                code_hash=services._hash_code(ADDRESS, CODE),
                created_at=now,
                expires_at=now + timedelta(minutes=5),
            )
            return {"user": user, "code": code}

    audit_mark = in_thread(mark)
    rows = in_thread(setup)
    try:
        yield rows
    finally:

        def cleanup() -> None:
            with tenant_context(alpha):
                OneTimeCode.objects.filter(address__in=[ADDRESS, NOBODY]).delete()
                User.objects.filter(pk=rows["user"].pk).delete()
                AuditLogEntry.objects.filter(id__gt=audit_mark).delete()

        in_thread(cleanup)
        tenant_connection().set_schema_to_public()


@pytest.fixture
def slow_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pause between reading the code and checking the guess against it (before anything is written)."""
    from tenant_apps.accounts import services

    real_hash = services._hash_code

    def slow(address: str, code: str) -> str:
        time.sleep(PAUSE)  # every racer has read the code by now, unless the lock queues them
        return real_hash(address, code)

    monkeypatch.setattr(services, "_hash_code", slow)


def _without_the_code_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    from tenant_apps.accounts import services
    from tenant_apps.accounts.models import OneTimeCode

    def plain_read(address: str) -> Any:
        return OneTimeCode.objects.filter(address=address, consumed_at__isnull=True).order_by("-created_at").first()

    monkeypatch.setattr(services, "otp_latest_lock", plain_read)


def _guesses(alpha: Any, code: str, n: int) -> list[Callable[[], Any]]:
    from tenant_apps.accounts.services import otp_verify

    def guess() -> Any:
        with tenant_context(alpha):
            return otp_verify(address=ADDRESS, code=code)

    return [guess] * n


def _code_state(alpha: Any, pk: int) -> tuple[int, bool]:
    from tenant_apps.accounts.models import OneTimeCode

    def read() -> tuple[int, bool]:
        with tenant_context(alpha):
            code = OneTimeCode.objects.get(pk=pk)
            return code.attempts, code.consumed_at is not None

    return in_thread(read)


def test_the_right_code_sent_twice_at_once_logs_in_once(
    alpha: Tenant, committed: dict[str, Any], slow_hash: None
) -> None:
    # given: one code; when: two requests carry it at the same moment
    results = race(_guesses(alpha, CODE, 2))
    # then: one logs in, the other finds the code spent
    logged_in = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert [u.pk for u in logged_in] == [committed["user"].pk], results
    assert [(type(e), getattr(e, "code", None)) for e in refused] == [(ApplicationError, "otp_invalid")], results
    assert _code_state(alpha, committed["code"].pk) == (0, True)


def test_without_the_code_lock_one_code_logs_in_twice(
    alpha: Tenant, committed: dict[str, Any], slow_hash: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the code read without its lock (what the test above guards against)
    _without_the_code_lock(monkeypatch)
    # when
    results = race(_guesses(alpha, CODE, 2))
    # then: both requests logged in with one code
    assert [getattr(r, "pk", r) for r in results] == [committed["user"].pk] * 2, results


def test_wrong_guesses_at_once_are_each_counted(
    alpha: Tenant, committed: dict[str, Any], slow_hash: None, settings: Settings
) -> None:
    # when: several wrong guesses at the same moment
    results = race(_guesses(alpha, WRONG, GUESSERS))
    # then: each was counted, one after the other
    assert all(isinstance(r, ApplicationError) and r.code == "otp_invalid" for r in results), results
    assert _code_state(alpha, committed["code"].pk) == (GUESSERS, False)
    most = settings.OTP_MAX_ATTEMPTS
    assert sorted(r.details["attempts_left"] for r in results) == list(range(most - GUESSERS, most))


def test_without_the_code_lock_wrong_guesses_go_uncounted(
    alpha: Tenant, committed: dict[str, Any], slow_hash: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    _without_the_code_lock(monkeypatch)
    # when
    race(_guesses(alpha, WRONG, GUESSERS))
    # then: the guesses overwrote each other's count: free guesses beyond OTP_MAX_ATTEMPTS
    attempts, consumed = _code_state(alpha, committed["code"].pk)
    assert (attempts < GUESSERS, consumed) == (True, False), attempts


@pytest.fixture
def slow_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pause between counting an address's recent codes and adding a new one."""
    from tenant_apps.accounts import services

    real_count = services._codes_sent_since

    def slow(address: str, since: Any) -> Any:
        recent = real_count(address, since)
        time.sleep(PAUSE)  # every racer has counted by now, unless the lock queues them
        return recent

    monkeypatch.setattr(services, "_codes_sent_since", slow)


def _requests(alpha: Any, n: int) -> tuple[list[Any], int]:
    """``n`` code requests for ``NOBODY`` at once: their results, and how many codes exist after."""
    from tenant_apps.accounts.models import OneTimeCode
    from tenant_apps.accounts.services import otp_request

    def request() -> Any:
        with tenant_context(alpha):
            return otp_request(address=NOBODY)

    def count() -> int:
        with tenant_context(alpha):
            return OneTimeCode.objects.filter(address=NOBODY).count()

    results = race([request] * n)
    return results, in_thread(count)


def test_requests_at_once_cannot_pass_the_rate_limit(
    alpha: Tenant, committed: dict[str, Any], slow_count: None, settings: Settings
) -> None:
    # given: a limit of 2 codes per window; when: 4 requests for one address at the same moment
    settings.OTP_RATE_LIMIT = 2
    results, codes = _requests(alpha, 4)
    # then: exactly 2 codes were made, the other requests were refused
    assert codes == 2
    assert sorted(type(r).__name__ for r in results) == ["NoneType", "NoneType", "RateLimited", "RateLimited"]
    assert all(r.code == "otp_rate_limited" for r in results if isinstance(r, RateLimited))


def test_without_the_address_lock_the_rate_limit_is_passed(
    alpha: Tenant,
    committed: dict[str, Any],
    slow_count: None,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: the address lock taken away (what the test above guards against)
    from tenant_apps.accounts import services

    settings.OTP_RATE_LIMIT = 2
    monkeypatch.setattr(services, "otp_address_lock", lambda address: None)
    # when
    results, codes = _requests(alpha, 4)
    # then: every request counted the same empty window and made a code
    assert (codes, results) == (4, [None] * 4)
