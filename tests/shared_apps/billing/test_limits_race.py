"""Two user creations racing for the last slot of a plan's ``users`` (committed rows, threads with
their own connections: tests/concurrency.py).

Under ``plan_slot``'s advisory lock on (tenant, ``users``) the second creation waits for the
first's commit, then counts it and is refused (403 ``plan_limit_reached``). Without the lock (the
negative control) both count the same usage, both are created, and the site holds one user more
than its plan allows.

Each creation is held after it counted (``after_read``): with the lock the holder pauses and the
other queues behind it; without it both meet at a barrier, so both read before either writes on
every run. Everything committed (users, audit rows, the plan and the billing account) is deleted
afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from saas.db.tenant import tenant_connection
from saas.errors import PermissionDenied
from shared_apps.billing import limits
from shared_apps.billing.models import BillingAccount, Plan
from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.services import user_create
from tests.concurrency import after_read, in_thread, race

PREFIX = "race-limit-"
PLAN = "race-limit-plan"


def _active(tenant: Tenant) -> int:
    from tenant_apps.accounts.models import User

    def read() -> int:
        with tenant_context(tenant):
            return User.objects.filter(is_active=True).count()

    count: int = in_thread(read)
    return count


def _cleanup(tenant: Tenant, audit_mark: int | None) -> None:
    from tenant_apps.accounts.models import User
    from tenant_apps.audit.models import AuditLogEntry

    def run() -> None:
        BillingAccount.objects.filter(tenant=tenant, plan__code=PLAN).delete()
        Plan.objects.filter(code=PLAN).delete()
        with tenant_context(tenant):
            if audit_mark is not None:
                AuditLogEntry.objects.filter(id__gt=audit_mark).delete()
            User.objects.filter(email__startswith=PREFIX).delete()

    in_thread(run)


def _audit_mark(tenant: Tenant) -> int:
    from tenant_apps.audit.models import AuditLogEntry

    def read() -> int:
        with tenant_context(tenant):
            return AuditLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    mark: int = in_thread(read)
    return mark


@pytest.fixture
def one_slot_left(beta: Tenant) -> Iterator[Tenant]:
    """beta on a committed plan that allows one active user more than it has; removed afterwards."""
    _cleanup(beta, None)  # what a crashed run left behind
    mark = _audit_mark(beta)
    allowed = _active(beta) + 1

    def attach() -> None:
        plan = Plan.objects.create(
            code=PLAN, name="Race", price=Decimal("0"), currency="usd", limits={"users": allowed}
        )
        BillingAccount.objects.update_or_create(tenant=beta, defaults={"plan": plan})

    in_thread(attach)
    try:
        yield beta
    finally:
        _cleanup(beta, mark)
        tenant_connection().set_schema_to_public()


def _held_after_counting(monkeypatch: pytest.MonkeyPatch, *, locking: bool) -> None:
    """Each creation pauses after counting the users; ``locking=False`` also takes the slot's
    advisory lock away."""
    hold = after_read(locking=locking)
    count = limits._raw_usage

    def counted_then_held(tenant: Tenant, name: str) -> int:
        usage = count(tenant, name)
        hold()
        return usage

    monkeypatch.setattr(limits, "_raw_usage", counted_then_held)
    if not locking:
        monkeypatch.setattr(limits, "_slot_lock", lambda tenant_id, name: None)


def _create_two(tenant: Tenant) -> list[Any]:
    def make(n: int) -> Callable[[], Any]:
        return lambda: user_create(email=f"{PREFIX}{n}@beta.test")

    return race([make(1), make(2)], tenant=tenant)


def test_two_users_created_at_once_for_the_last_slot_one_is_refused(
    one_slot_left: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    allowed = _active(one_slot_left) + 1
    _held_after_counting(monkeypatch, locking=True)
    # when
    results = _create_two(one_slot_left)
    # then: one created, the other refused with the usage it saw after the first's commit
    refused = [r for r in results if isinstance(r, PermissionDenied)]
    assert len(refused) == 1, results
    assert refused[0].code == "plan_limit_reached"
    assert refused[0].details == {"limit": "users", "allowed": allowed, "usage": allowed}
    assert _active(one_slot_left) == allowed


def test_without_the_slot_lock_both_users_are_created_past_the_limit(
    one_slot_left: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    allowed = _active(one_slot_left) + 1
    _held_after_counting(monkeypatch, locking=False)
    # when
    results = _create_two(one_slot_left)
    # then: the negative control: both counted one slot free, both created, one over the plan
    assert not any(isinstance(r, Exception) for r in results), results
    assert _active(one_slot_left) == allowed + 1
