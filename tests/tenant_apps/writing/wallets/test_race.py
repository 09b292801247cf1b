"""Two admins deciding one payout request at once, on committed rows from threads with their own
connections (as concurrent requests are): approve against reject, and two mark-paid.

Both interleavings are staged, not left to timing. The first decision (``A``) reads the request,
then holds still while the second (``B``) runs:

* with the request's lock (``locks.payout_lock``), ``A`` holds the row until PostgreSQL shows
  ``B`` waiting for it (``pg_locks``), then commits; ``B`` then reads ``A``'s decision: every
  decision starts from the status the one before left (and a second mark-paid is a 409);
* without it (the lock replaced by a plain read), ``A`` waits (a ``threading.Event``) until ``B``
  has read, decided and committed, then decides from what it read before: both decisions start
  from the same status. Approve against reject leaves a request ``approved`` whose money was
  released; two mark-paid record two payments of one request.

Everything committed is deleted afterwards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from saas.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tests.concurrency import race
from tests.factories import UserFactory
from tests.factories.base import site_admin
from tests.factories.writing_wallets import PayoutRequestFactory


def _someone_waits_for_a_lock(timeout: float = 10.0) -> bool:
    """Whether, within ``timeout``, another connection of this database waits for a lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                """
                SELECT COUNT(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE NOT l.granted AND a.datname = current_database() AND a.pid <> pg_backend_pid()
                """
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.01)
    return False


def _stage(monkeypatch: pytest.MonkeyPatch, *, locking: bool) -> tuple[threading.local, threading.Event]:
    """Stage ``A`` then ``B`` (see the module). Returns the thread-local on which the ``A`` thread
    sets ``first = True``, and the event its caller sets when ``B`` has committed."""
    from tenant_apps.writing.wallets.models import PayoutRequest
    from tenant_apps.writing.wallets.services import payouts

    real = payouts.payout_lock
    role = threading.local()
    b_reading, b_done = threading.Event(), threading.Event()

    def staged(pk: int) -> PayoutRequest:
        is_a = getattr(role, "first", False)
        if not is_a:
            assert a_read.wait(10), "A did not read"
            b_reading.set()
        if locking:
            row = real(pk)
            if is_a:
                a_read.set()
                assert b_reading.wait(10), "B did not start"
                assert _someone_waits_for_a_lock(), "B is not waiting for the lock"
            return row
        row = PayoutRequest.objects.select_related("writer").get(pk=pk)
        if is_a:
            a_read.set()
            assert b_done.wait(10), "B did not commit"
        return row

    a_read = threading.Event()
    monkeypatch.setattr(payouts, "payout_lock", staged)
    return role, b_done


def _requested_payout(status: str) -> dict[str, Any]:
    writer = UserFactory(email="race-writer@golf.test", roles=["writer"])
    admins = [site_admin(), UserFactory(email="race-admin@golf.test", roles=["admin"])]
    return {"payout": PayoutRequestFactory(writer=writer, amount="40.00", status=status), "admins": admins}


def _story(pk: int) -> dict[str, Any]:
    """The request's status, its writer's amounts, and each decision's status move, in commit order."""
    from tenant_apps.audit.models import AuditLogEntry
    from tenant_apps.wallet.selectors import ledger_discrepancies, wallet_of
    from tenant_apps.writing.wallets.models import PayoutRequest

    payout = PayoutRequest.objects.select_related("writer").get(pk=pk)
    wallet = wallet_of(user=payout.writer)
    moves = AuditLogEntry.objects.filter(target_id=str(pk), verb__startswith="writing_payout.").exclude(
        verb="writing_payout.requested"
    )
    return {
        "status": payout.status,
        "amounts": (wallet.balance, wallet.held_balance),
        "moves": [tuple(changes["status"]) for changes in moves.order_by("id").values_list("changes", flat=True)],
        "books": ledger_discrepancies(wallet_ids=[wallet.pk]),
    }


SCENARIOS = {
    # name: (the request's status, A's decision, B's decision)
    "approve_vs_reject": ("requested", "approve", "reject"),
    "two_mark_paid": ("approved", "mark_paid", "mark_paid"),
}


def _decision(name: str, payout: Any, admin: Any, tag: str) -> Callable[[], Any]:
    from tenant_apps.writing.wallets import services

    if name == "approve":
        return lambda: services.payout_approve(payout=payout, actor=admin)
    if name == "reject":
        return lambda: services.payout_reject(payout=payout, actor=admin, note=f"Rejected by {tag}.")
    return lambda: services.payout_mark_paid(payout=payout, actor=admin, reference=f"TRANSFER-{tag}")


@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("locking", [True, False], ids=["payout_lock", "without_the_lock"])
def test_two_decisions_on_one_payout_request_never_both_start_from_the_same_status(
    golf: Tenant,
    committed: Callable[[Callable[[], Any]], Any],
    monkeypatch: pytest.MonkeyPatch,
    scenario: str,
    locking: bool,
) -> None:
    # given: a committed request of 40.00 (held) and two admins
    status, a_name, b_name = SCENARIOS[scenario]
    rows = committed(lambda: _requested_payout(status))
    payout, (admin_a, admin_b) = rows["payout"], rows["admins"]
    role, b_done = _stage(monkeypatch, locking=locking)
    decide_a, decide_b = _decision(a_name, payout, admin_a, "A"), _decision(b_name, payout, admin_b, "B")
    earlier = len(committed(lambda: _story(payout.pk))["moves"])

    def a() -> Any:
        role.first = True
        return decide_a()

    def b() -> Any:
        try:
            return decide_b()
        finally:
            b_done.set()

    # when: A reads, then B decides while A holds still
    outcomes = race([a, b], tenant=golf)
    story = committed(lambda: _story(payout.pk))
    story["moves"] = story["moves"][earlier:]  # the race's decisions only
    # then
    errors = [o for o in outcomes if isinstance(o, Exception)]
    starts = [before for before, _ in story["moves"]]
    if locking:
        # each decision saw the one before it; the wallet agrees with the status
        assert len(starts) == len(set(starts)), story
        assert story["books"] == []
        if scenario == "approve_vs_reject":
            assert errors == [], outcomes
            assert story["moves"] == [("requested", "approved"), ("approved", "rejected")]
            assert (story["status"], story["amounts"]) == ("rejected", (Decimal("40.00"), Decimal("0.00")))
        else:
            assert len(errors) == 1 and isinstance(errors[0], ApplicationError), outcomes
            assert (errors[0].status_code, errors[0].code) == (409, "invalid_status_transition")
            assert (story["status"], story["amounts"]) == ("paid", (Decimal("0.00"), Decimal("0.00")))
    else:
        # the negative control: both decided from the same status
        assert errors == [], outcomes
        assert starts == [status, status], story
        if scenario == "approve_vs_reject":
            # an approved request whose money was given back
            assert (story["status"], story["amounts"]) == ("approved", (Decimal("40.00"), Decimal("0.00")))
        else:
            # two payments recorded for one request
            assert story["moves"] == [("approved", "paid"), ("approved", "paid")]
