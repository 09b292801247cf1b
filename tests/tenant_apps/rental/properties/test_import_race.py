"""Races on committed rows, from threads with their own connections (tests/concurrency.py):

* two imports of one property's feed at once (the hourly beat and a host's "import now"): the
  second waits for the first under the property's row lock and finds its blocks, so each event is
  one blocked period; without the lock both read "no blocks yet" and the second insert of the
  same UID fails on the unique index (a crashed task).

Each import is held after the property is read, before the blocks are read (``after_read``):
without the lock both imports read before either writes, every time. Everything committed is
deleted afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import icalendar
import pytest
from django.db import IntegrityError, connection
from django_tenants.utils import tenant_context

from saas.db.tenant import tenant_connection
from shared_apps.tenancy.models import Tenant
from tenant_apps.rental.properties.models import Property
from tenant_apps.rental.properties.services import calendar as calendar_services
from tests.concurrency import after_read, in_thread, race
from tests.factories import PropertyFactory, UserFactory, in_days


def _marks(echo: Tenant) -> dict[str, int]:
    from tenant_apps.accounts.models import User
    from tenant_apps.audit.models import AuditLogEntry

    with tenant_context(echo):
        return {
            model.__name__: model.objects.order_by("-id").values_list("id", flat=True).first() or 0
            for model in (AuditLogEntry, User)
        }


def _cleanup(echo: Tenant, before: dict[str, int]) -> None:
    """Delete what the test committed in echo: users made after ``before`` (or named ``race-*``),
    their properties with blocks, and the audit rows."""
    from tenant_apps.accounts.models import User
    from tenant_apps.audit.models import AuditLogEntry
    from tenant_apps.rental.properties.models import BlockedPeriod, PropertyPhoto

    with tenant_context(echo):
        made = User.objects.filter(id__gt=before["User"]) | User.objects.filter(email__startswith="race-")
        users = list(made.values_list("id", flat=True))
        props = Property.objects.filter(host_id__in=users)
        BlockedPeriod.objects.filter(property__in=props).delete()
        PropertyPhoto.objects.filter(property__in=props).delete()
        Property.amenities.through.objects.filter(property__in=props).delete()
        props.delete()
        AuditLogEntry.objects.filter(id__gt=before["AuditLogEntry"]).delete()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM accounts_user_groups WHERE user_id = ANY(%s)", [users])
            cursor.execute("DELETE FROM accounts_user WHERE id = ANY(%s)", [users])


@pytest.fixture
def committed(echo: Tenant) -> Iterator[Callable[[Callable[[], Any]], Any]]:
    """``committed(fn)``: run ``fn`` in echo on its own connection (committed); deleted afterwards."""
    in_thread(lambda: _cleanup(echo, _marks(echo)))  # what a crashed run left behind
    before = in_thread(lambda: _marks(echo))

    def run(fn: Callable[[], Any]) -> Any:
        def inside() -> Any:
            with tenant_context(echo):
                return fn()

        return in_thread(inside)

    try:
        yield run
    finally:
        in_thread(lambda: _cleanup(echo, before))
        tenant_connection().set_schema_to_public()


def _property_with_feed() -> Property:
    host = UserFactory(email="race-host@echo.test", roles=["host"])
    return PropertyFactory(host=host, title="Race cabin", ical_import_url="https://channel.example.com/r.ics")


def _serve_feed(monkeypatch: pytest.MonkeyPatch) -> None:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//other//EN")
    cal.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", "stay-1")
    event.add("dtstart", in_days(5))
    event.add("dtend", in_days(8))
    cal.add_component(event)
    body = bytes(cal.to_ical())
    monkeypatch.setattr(calendar_services, "fetch_calendar", lambda url: body)


def _slow_property_lock(monkeypatch: pytest.MonkeyPatch, *, locking: bool) -> None:
    """The import's property lock pauses once taken; ``locking=False`` reads without a row lock."""
    from tenant_apps.rental.properties import locks

    hold = after_read(locking=locking)

    def slow(pk: int) -> Property:
        found = locks.property_lock(pk) if locking else Property.objects.get(pk=pk)
        hold()
        return found

    monkeypatch.setattr(calendar_services, "property_lock", slow)


def _import_twice(echo: Tenant, prop: Property) -> list[Any]:
    def run() -> Any:
        return calendar_services.property_calendar_import(property_id=prop.pk)

    return race([run, run], tenant=echo)


def _blocks(echo: Tenant, prop: Property) -> int:
    from tenant_apps.rental.properties.models import BlockedPeriod

    def read() -> int:
        with tenant_context(echo):
            return BlockedPeriod.objects.filter(property_id=prop.pk).count()

    count: int = in_thread(read)
    return count


def test_two_imports_at_once_make_each_event_one_blocked_period(
    echo: Tenant, committed: Callable[[Callable[[], Any]], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    prop = committed(_property_with_feed)
    _serve_feed(monkeypatch)
    _slow_property_lock(monkeypatch, locking=True)
    # when
    outcomes = _import_twice(echo, prop)
    # then: one created the block, the other found it
    assert sorted((o["status"], o["created"]) for o in outcomes) == [("imported", 0), ("imported", 1)], outcomes
    assert _blocks(echo, prop) == 1


def test_without_the_property_lock_the_second_import_crashes_on_the_same_uid(
    echo: Tenant, committed: Callable[[Callable[[], Any]], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    prop = committed(_property_with_feed)
    _serve_feed(monkeypatch)
    _slow_property_lock(monkeypatch, locking=False)
    # when
    outcomes = _import_twice(echo, prop)
    # then: the negative control
    assert sum(isinstance(o, IntegrityError) for o in outcomes) == 1, outcomes
    assert _blocks(echo, prop) == 1
