"""Two admins change the site's idle timeout at once (committed rows, threads with their own
connections: tests/concurrency.py).

Admin A sets 5 minutes, admin B 10, both from the platform default. Under
``locks.auth_settings_lock`` B waits for A's commit and reads 5, so the audit log tells the story
in order: ``[None, 5]`` then ``[5, 10]``. Without the lock (the second case: a plain read) B reads
the row A has not committed yet and its audit row claims ``[None, 10]``: a change from a value the
site no longer had.

The interleaving is staged with events, not pauses: A reads the row and waits for B to have read
it too. Under the lock B cannot read until A commits, so A's wait runs out (``WAIT`` seconds) and
A goes on alone; without it B reads at once and A goes on with both reads done. The row and the
audit rows are removed afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connections
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts import services
from tenant_apps.accounts.locks import auth_settings_lock
from tenant_apps.accounts.models import AuthSettings
from tests.concurrency import TIMEOUT, in_thread
from tests.factories.base import site_admin

#: How long A waits for B's read (reached only under the lock, where B cannot read yet).
WAIT = 1.0


def _reset(tenant: Tenant, audit_mark: int) -> None:
    from tenant_apps.audit.models import AuditLogEntry

    with tenant_context(tenant):
        AuthSettings.objects.filter(pk=1).delete()
        AuditLogEntry.objects.filter(id__gt=audit_mark).delete()


@pytest.fixture
def committed_alpha(alpha: Tenant) -> Iterator[Tenant]:
    """alpha with its settings row committed at the default (``None``); removed afterwards."""
    from tenant_apps.audit.models import AuditLogEntry

    def mark() -> int:
        with tenant_context(alpha):
            AuthSettings.objects.get_or_create(pk=1)
            return AuditLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    audit_mark = in_thread(mark)
    try:
        yield alpha
    finally:
        in_thread(lambda: _reset(alpha, audit_mark))


def _staged(read: Callable[[], AuthSettings], a_read: threading.Event, b_read: threading.Event) -> Any:
    def staged_read() -> AuthSettings:
        row = read()
        if threading.current_thread().name == "A":
            a_read.set()
            b_read.wait(WAIT)
        else:
            b_read.set()
        return row

    return staged_read


def _run_a_then_b(tenant: Tenant, a_read: threading.Event) -> list[Any]:
    results: list[Any] = [None, None]

    def change(index: int, minutes: int) -> None:
        try:
            with tenant_context(tenant):
                results[index] = services.auth_settings_update(actor=site_admin(), session_idle_timeout_minutes=minutes)
        except Exception as exc:  # recorded for the assertions
            results[index] = exc
        finally:
            connections.close_all()

    a = threading.Thread(target=change, args=(0, 5), name="A")
    b = threading.Thread(target=change, args=(1, 10), name="B")
    a.start()
    assert a_read.wait(TIMEOUT), "A never read the row"
    b.start()
    for thread in (a, b):
        thread.join(TIMEOUT)
    assert not a.is_alive() and not b.is_alive(), "a racing thread hung"
    return results


def _audited_changes(tenant: Tenant) -> list[Any]:
    from tenant_apps.audit.models import AuditLogEntry

    def read() -> list[Any]:
        with tenant_context(tenant):
            entries = AuditLogEntry.objects.filter(verb="auth_settings.updated").order_by("id")
            return [entry.changes["session_idle_timeout_minutes"] for entry in entries]

    return list(in_thread(read))


def _unlocked() -> AuthSettings:
    return AuthSettings.objects.get(pk=1)


def test_two_admins_changing_the_timeout_at_once_are_audited_one_after_the_other(
    committed_alpha: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given A holding the locked row while B asks for it
    a_read, b_read = threading.Event(), threading.Event()
    monkeypatch.setattr(services, "auth_settings_lock", _staged(auth_settings_lock, a_read, b_read))
    # when
    results = _run_a_then_b(committed_alpha, a_read)
    # then both changes stand, B's on top of A's, and the audit log chains them
    assert all(isinstance(r, AuthSettings) for r in results), results
    assert _audited_changes(committed_alpha) == [[None, 5], [5, 10]]


def test_without_the_lock_the_second_change_is_audited_from_a_stale_value(
    committed_alpha: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the lock replaced by a plain read (what the lock prevents)
    a_read, b_read = threading.Event(), threading.Event()
    monkeypatch.setattr(services, "auth_settings_lock", _staged(_unlocked, a_read, b_read))
    # when
    results = _run_a_then_b(committed_alpha, a_read)
    # then both read the default: the audit log no longer chains
    assert all(isinstance(r, AuthSettings) for r in results), results
    assert sorted(_audited_changes(committed_alpha)) == [[None, 5], [None, 10]]
