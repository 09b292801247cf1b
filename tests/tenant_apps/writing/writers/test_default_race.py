"""Two admins making two different levels the default at the same moment, on committed rows from
threads with their own connections (as concurrent requests are).

Under ``locks.levels_lock`` (every level row, taken by both) the second waits for the first to
commit, then unsets the first's default and sets its own: both succeed and the site has one
default level. A pause after the lock lets both start before either writes; whichever locks second
waits, so the order of the two does not matter.

Without the lock (replaced by a plain read), the interleaving it forbids is staged without a
pause: the second admin starts unsetting the old default once the first has set its level (an
event), and the first commits only once the second is seen waiting on a row lock (polled in
``pg_stat_activity``). The second's statement read the levels before the first committed, so it
does not unset the first's new default, and its own save then breaks the one-default index: a 409
``conflict`` for a request that was valid. The defaults are restored
afterwards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from saas.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tests.concurrency import in_thread, race
from tests.factories.base import site_admin

PAUSE = 0.3
WAIT = 30.0


@pytest.fixture
def restored_defaults(golf: Tenant, committed: Callable[[Callable[[], Any]], Any]) -> Iterator[None]:
    """golf's levels as the template made them (``standard`` the default) after the test."""
    yield

    def restore() -> None:
        from tenant_apps.writing.writers.models import WriterLevel

        WriterLevel.objects.update(is_default=False)
        WriterLevel.objects.filter(slug="standard").update(is_default=True)

    committed(restore)


def _make_default(slug: str) -> Callable[[], Any]:
    def call() -> Any:
        from tenant_apps.writing.writers.models import WriterLevel
        from tenant_apps.writing.writers.services import writer_level_update

        level = WriterLevel.objects.get(slug=slug)
        return writer_level_update(actor=site_admin(), level=level, is_default=True)

    return call


def _defaults(golf: Tenant) -> list[str]:
    def read() -> list[str]:
        from tenant_apps.writing.writers.models import WriterLevel

        with tenant_context(golf):
            return list(WriterLevel.objects.filter(is_default=True).values_list("slug", flat=True))

    return list(in_thread(read))


def test_two_admins_switching_the_default_level_at_once_leave_one_default(
    golf: Tenant, restored_defaults: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tenant_apps.writing.writers import services
    from tenant_apps.writing.writers.locks import levels_lock

    # given: the lock held open a moment by whoever takes it first
    def slow() -> Any:
        levels = levels_lock()
        time.sleep(PAUSE)
        return levels

    monkeypatch.setattr(services, "levels_lock", slow)
    # when: one makes "advanced" the default, the other "expert"
    outcomes = race([_make_default("advanced"), _make_default("expert")], tenant=golf)
    # then: both succeed, one default
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    assert len(_defaults(golf)) == 1


def _someone_waits_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0]) > 0


def test_without_the_lock_the_second_switch_fails_on_the_one_default_index(
    golf: Tenant, restored_defaults: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tenant_apps.writing.writers import services
    from tenant_apps.writing.writers.models import WriterLevel

    # given: no lock; the second unsets the old default after the first set its level, and the
    # first commits once the second waits for the row the first changed
    first_saved = threading.Event()
    role = threading.local()
    real_make_default, real_save = services._make_default, services._save

    def make_default(level: WriterLevel) -> None:
        if getattr(role, "second", False):
            assert first_saved.wait(WAIT), "the first switch did not save"
        real_make_default(level)

    def save(level: WriterLevel) -> None:
        real_save(level)
        if not getattr(role, "second", False):
            first_saved.set()
            deadline = time.monotonic() + WAIT
            while not _someone_waits_on_a_lock():
                assert time.monotonic() < deadline, "the second switch never waited"
                time.sleep(0.01)

    def second() -> Any:
        role.second = True
        return _make_default("expert")()

    monkeypatch.setattr(services, "levels_lock", lambda: list(WriterLevel.objects.order_by("pk")))
    monkeypatch.setattr(services, "_make_default", make_default)
    monkeypatch.setattr(services, "_save", save)
    # when
    outcomes = race([_make_default("advanced"), second], tenant=golf)
    # then: the first won; the valid second request failed on the index
    assert not isinstance(outcomes[0], Exception), outcomes
    assert isinstance(outcomes[1], ApplicationError), outcomes
    assert (outcomes[1].status_code, outcomes[1].code) == (409, "conflict")
    assert _defaults(golf) == ["advanced"]
