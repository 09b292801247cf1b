"""Conflicting wallet operations at the same moment, each thread on its own PostgreSQL connection.

The threads work on committed rows: a test's own ``db`` transaction is invisible to other
connections, so the wallets are set up, and removed afterwards, from threads of their own
(like ``tests/shared_apps/tenancy/test_provisioning_race.py``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Sum
from rest_framework.test import APIClient

from saas.api.errors import ApplicationError
from saas.db.tenant import tenant_connection
from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.accounts.tokens import TenantAccessToken
from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.wallet import services
from tenant_apps.wallet.models import LedgerEntry, Wallet
from tenant_apps.wallet.selectors import ledger_discrepancies
from tests.concurrency import race
from tests.conftest import host_of
from tests.factories import UserFactory, WalletFactory
from tests.tenant_apps.wallet.conftest import wallet_url

D = Decimal
THREADS = 10
OPERATIONS_PER_THREAD = 8
START_BALANCE, START_HELD = D("60.00"), D("40.00")
EMAILS = ("race-a@alpha.test", "race-b@alpha.test", "race-c@alpha.test")

# --------------------------------------------------------------------------------------------
# Threads with their own connections
# --------------------------------------------------------------------------------------------


def run_in_threads(tenant: Tenant, functions: list[Callable[[], Any]], *, timeout: float = 120) -> list[Any]:
    """Run each function in its own thread (own connection, ``tenant``'s schema), all released at
    once; returns their results, or the exceptions they raised."""
    return race(functions, tenant=tenant, timeout=timeout)


def committed(tenant: Tenant, function: Callable[[], Any]) -> Any:
    """Run ``function`` on a connection of its own, so its writes commit (and it sees only commits)."""
    (result,) = run_in_threads(tenant, [function])
    if isinstance(result, BaseException):
        raise result
    return result


def remove_committed_wallets(tenant: Tenant, emails: tuple[str, ...]) -> None:
    """Delete what the threads committed: entries (past the append-only guard), audit rows, wallets, users."""

    def remove() -> None:
        users = list(User.objects.filter(email__in=emails).values_list("pk", flat=True))
        wallets = list(Wallet.objects.filter(user_id__in=users).values_list("pk", flat=True))
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM wallet_ledgerentry WHERE wallet_id = ANY(%s)", [wallets])
        AuditLogEntry.objects.filter(verb__startswith="wallet.", target_id__in=[str(pk) for pk in wallets]).delete()
        AuditLogEntry.objects.filter(verb="user.created", target_id__in=[str(pk) for pk in users]).delete()
        Wallet.objects.filter(pk__in=wallets).delete()
        User.objects.filter(pk__in=users).delete()

    committed(tenant, remove)
    tenant_connection().set_schema_to_public()


# --------------------------------------------------------------------------------------------
# The operations
# --------------------------------------------------------------------------------------------


@dataclass
class Operation:
    """One planned operation: ``name`` on wallets ``a`` and ``b`` (indexes) for ``amount``; after the
    run, ``outcome`` is ``"ok"``, a refusal's error code, or the unexpected exception."""

    name: str
    a: int
    b: int
    amount: Decimal
    reference: str
    outcome: Any = None


#: Which refusal each operation may meet when money runs short; anything else is a failure.
EXPECTED_REFUSAL = {
    "escrow_hold": "insufficient_funds",
    "escrow_release": "insufficient_held_funds",
    "escrow_capture": "insufficient_held_funds",
    "transfer": "insufficient_funds",
    "refund": "insufficient_funds",
    "payout": "insufficient_funds",
    "payment": "insufficient_funds",
    "api_adjust_down": "insufficient_funds",
    "api_adjust_up": None,
}
#: Ledger entries a successful operation writes.
ENTRIES_WRITTEN = {"escrow_capture": 2, "transfer": 2, "refund": 2}
#: The cycle every thread's operations are drawn from: both transfer directions between the same
#: two wallets, escrow on all of them, money leaving (payouts, payments) and admin adjustments by API.
CYCLE = (
    "escrow_hold",
    "escrow_capture",
    "transfer",
    "escrow_release",
    "refund",
    "payout",
    "transfer",
    "payment",
    "api_adjust_down",
    "escrow_capture",
    "escrow_hold",
    "api_adjust_up",
)


def plan() -> list[list[Operation]]:
    """``THREADS`` lists of ``OPERATIONS_PER_THREAD`` operations, the same on every run."""
    rng = random.Random(20261121)
    plans: list[list[Operation]] = [[] for _ in range(THREADS)]
    for n in range(THREADS * OPERATIONS_PER_THREAD):
        name = CYCLE[n % len(CYCLE)]
        if name == "transfer":  # A -> B and B -> A, over and over: the classic deadlock pair
            a, b = (0, 1) if (n // len(CYCLE)) % 2 == 0 else (1, 0)
        else:
            a, b = rng.sample(range(len(EMAILS)), 2)
        amount = (D(rng.randint(100, 4000)) / 100).quantize(D("0.01"))
        plans[n % THREADS].append(Operation(name, a, b, amount, reference=f"race:{n}"))
    return plans


def perform(operation: Operation, wallets: list[Wallet], api: APIClient) -> None:
    """Run ``operation`` and record its outcome."""
    a, b, amount, ref = wallets[operation.a], wallets[operation.b], operation.amount, operation.reference
    try:
        if operation.name.startswith("api_adjust"):
            signed = amount if operation.name == "api_adjust_up" else -amount
            response = api.post(
                wallet_url(a.user_id, "adjust/"), {"amount": str(signed), "reason": "race", "reference": ref}
            )
            if response.status_code == 201:
                operation.outcome = "ok"
            elif response.status_code == 409:
                operation.outcome = response.json()["error"]["code"]
            else:
                operation.outcome = AssertionError(f"HTTP {response.status_code}: {response.content!r}")
            return
        {
            "escrow_hold": lambda: services.escrow_hold(wallet=a, amount=amount, reference=ref),
            "escrow_release": lambda: services.escrow_release(wallet=a, amount=amount, reference=ref),
            "escrow_capture": lambda: services.escrow_capture(payer=a, payee=b, amount=amount, reference=ref),
            "transfer": lambda: services.wallet_transfer(source=a, destination=b, amount=amount, reference=ref),
            "refund": lambda: services.wallet_refund(payer=a, payee=b, amount=amount, reference=ref),
            "payout": lambda: services.wallet_payout(wallet=a, amount=amount, reference=ref),
            "payment": lambda: services.wallet_payment(wallet=a, amount=amount, reference=ref),
        }[operation.name]()
        operation.outcome = "ok"
    except ApplicationError as refused:
        operation.outcome = refused.code
    except Exception as exc:  # deadlocks, integrity errors, anything else: a failure of the test
        operation.outcome = exc


# --------------------------------------------------------------------------------------------
# The tests
# --------------------------------------------------------------------------------------------


def test_concurrent_conflicting_operations_keep_every_wallet_equal_to_its_ledger_and_conserve_money(
    alpha: Tenant,
) -> None:
    # given: three committed wallets, each 60.00 spendable and 40.00 held, and an admin's token
    def set_up() -> tuple[list[Wallet], str]:
        wallets = []
        for email in EMAILS:
            wallets.append(WalletFactory(user__email=email, balance=START_BALANCE, held_balance=START_HELD))
        return wallets, str(TenantAccessToken.for_user(User.objects.get(email="admin@alpha.test")))

    plans = plan()
    try:
        wallets, token = committed(alpha, set_up)
        ids = [wallet.pk for wallet in wallets]

        def worker(operations: list[Operation]) -> Callable[[], None]:
            def run() -> None:
                api = APIClient(HTTP_HOST=host_of(alpha))
                api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
                # judge requests by their status: the test client's exception capture goes through a
                # process-wide signal, so concurrent clients would re-raise each other's exceptions
                api.raise_request_exception = False
                for operation in operations:
                    perform(operation, wallets, api)

            return run

        # when: 10 threads, 80 operations, all started at once
        crashed = [r for r in run_in_threads(alpha, [worker(ops) for ops in plans]) if r is not None]

        # then: every operation either succeeded or was refused for lack of money, nothing else
        operations = [operation for ops in plans for operation in ops]
        assert crashed == []
        unexpected = [
            (o.name, o.outcome) for o in operations if o.outcome != "ok" and o.outcome != EXPECTED_REFUSAL[o.name]
        ]
        assert unexpected == [], unexpected
        succeeded = [o for o in operations if o.outcome == "ok"]
        assert len(operations) == 80
        assert {o.name for o in succeeded} == set(EXPECTED_REFUSAL), "some kind of operation never succeeded"
        assert len(succeeded) < len(operations), "no operation ran short of money: nothing conflicted"

        def books() -> dict[str, Any]:
            stored = list(Wallet.objects.filter(pk__in=ids))
            external = LedgerEntry.objects.filter(
                wallet_id__in=ids, kind__in=["top_up", "payout", "payment", "adjustment"]
            )
            return {
                "amounts": [(w.balance, w.held_balance) for w in stored],
                "discrepancies": ledger_discrepancies(wallet_ids=ids),
                "entries": LedgerEntry.objects.filter(wallet_id__in=ids).count(),
                "references": set(
                    LedgerEntry.objects.filter(wallet_id__in=ids, reference__startswith="race:").values_list(
                        "reference", flat=True
                    )
                ),
                "external": external.aggregate(total=Sum("balance_delta"))["total"],
                "audited": AuditLogEntry.objects.filter(verb__startswith="wallet.", target_id__in=[str(i) for i in ids])
                .exclude(verb="wallet.opened")
                .count(),
            }

        found = committed(alpha, books)
        # no negative amount
        assert all(balance >= 0 and held >= 0 for balance, held in found["amounts"]), found["amounts"]
        # every wallet's balance, held amount and running statement equal its ledger
        assert found["discrepancies"] == []
        # money is conserved: what came in minus what went out is what the wallets hold
        start_total = len(EMAILS) * (START_BALANCE + START_HELD)
        came_in = sum((o.amount for o in succeeded if o.name == "api_adjust_up"), D("0"))
        went_out = sum((o.amount for o in succeeded if o.name in {"payout", "payment", "api_adjust_down"}), D("0"))
        in_wallets = sum((balance + held for balance, held in found["amounts"]), D("0"))
        assert in_wallets == start_total + came_in - went_out
        assert found["external"] == in_wallets
        # exactly the successful operations wrote entries and audit rows; the refused wrote nothing
        assert found["references"] == {o.reference for o in succeeded}
        setup_entries = 2 * len(EMAILS)
        assert found["entries"] == setup_entries + sum(ENTRIES_WRITTEN.get(o.name, 1) for o in succeeded)
        assert found["audited"] == setup_entries + len(succeeded)
    finally:
        remove_committed_wallets(alpha, EMAILS)


def test_concurrent_first_looks_at_a_wallet_open_exactly_one(alpha: Tenant) -> None:
    # given: a committed user without a wallet
    email = "race-open@alpha.test"
    committed(alpha, lambda: UserFactory(email=email))
    try:
        # when: eight requests open the wallet at the same moment
        def open_wallet() -> int:
            return services.wallet_open(user=User.objects.get(email=email)).pk

        results = run_in_threads(alpha, [open_wallet] * 8)
        # then
        assert all(isinstance(r, int) for r in results), results
        assert len(set(results)) == 1

        def count() -> tuple[int, int]:
            return (
                Wallet.objects.filter(user__email=email).count(),
                AuditLogEntry.objects.filter(verb="wallet.opened", target_id=str(results[0])).count(),
            )

        assert committed(alpha, count) == (1, 1)
    finally:
        remove_committed_wallets(alpha, (email,))
