"""A race between a currency switch and a new price, committed, from threads with their own
connections (tests/concurrency.py).

Given golf's table in whole amounts (so a switch to JPY, which has no cents, is allowed), one
admin switches the currency to JPY while another adds a page rate of 12.50. Each is valid against
what it read; together they leave a price of 12.50 yen. Under ``locks.pricing_settings_lock``
(taken by both) the second waits and is refused: either the switch (a stored price is not whole
yen) or the rate (not exact in JPY), a 400 each. Without the lock (the second case, the lock
replaced by a plain read) both pass.

With the lock, a pause after the locked read lets both start before either writes; whichever
locks second waits, so the order does not matter. Without it, the interleaving the lock forbids is
staged with two events (not a pause, which a loaded machine can reorder): the rate reads the
currency first, then waits until the switch (which waits for that read) has checked the stored
prices and committed.
The table's amounts, the currency and the audit rows are restored afterwards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from saas.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.pricing import services
from tenant_apps.writing.pricing.locks import pricing_settings_lock
from tenant_apps.writing.pricing.models import ExtraService, OrderOption, PageRate, PricingSettings
from tests.concurrency import in_thread, race
from tests.factories.base import site_admin

PAUSE = 0.3
NEW_BAND = 3


@pytest.fixture
def whole_golf(golf: Tenant) -> Iterator[Tenant]:
    """golf with every price a whole amount (committed), restored afterwards."""
    from tenant_apps.audit.models import AuditLogEntry

    def snapshot() -> dict[str, Any]:
        with tenant_context(golf):
            saved = {
                "audit": AuditLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0,
                "rates": list(PageRate.objects.values_list("pk", "price_per_page")),
                "extras": list(ExtraService.objects.filter(pricing="fixed").values_list("pk", "amount")),
                "currency": PricingSettings.objects.get(pk=1).currency,
            }
            PageRate.objects.update(price_per_page=Decimal("10.00"))
            ExtraService.objects.filter(pricing="fixed").update(amount=Decimal("5.00"))
            return saved

    def restore(saved: dict[str, Any]) -> None:
        with tenant_context(golf):
            PageRate.objects.filter(deadline_hours_max=NEW_BAND).delete()
            for pk, price in saved["rates"]:
                PageRate.objects.filter(pk=pk).update(price_per_page=price)
            for pk, amount in saved["extras"]:
                ExtraService.objects.filter(pk=pk).update(amount=amount)
            PricingSettings.objects.filter(pk=1).update(currency=saved["currency"])
            AuditLogEntry.objects.filter(id__gt=saved["audit"]).delete()

    saved = in_thread(snapshot)
    try:
        yield golf
    finally:
        in_thread(lambda: restore(saved))


def _slow(read: Any) -> Any:
    def slow_read() -> PricingSettings:
        row = read()
        time.sleep(PAUSE)
        return row

    return slow_read


def _unlocked() -> PricingSettings:
    return PricingSettings.objects.get(pk=1)


def _switch() -> Any:
    return services.pricing_settings_update(actor=site_admin(), changes={"currency": "JPY"})


def _add_rate() -> Any:
    level = OrderOption.objects.get(group="academic_level", slug="masters")
    return services.page_rate_create(
        actor=site_admin(), academic_level=level, deadline_hours_max=NEW_BAND, price_per_page=Decimal("12.50")
    )


def _outcome(golf: Tenant) -> tuple[str, bool]:
    with tenant_context(golf):
        return (
            PricingSettings.objects.get(pk=1).currency,
            PageRate.objects.filter(deadline_hours_max=NEW_BAND).exists(),
        )


def test_a_currency_switch_and_a_new_price_at_once_never_leave_a_price_the_currency_cannot_hold(
    whole_golf: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given both admins' reads held open (the row locked)
    monkeypatch.setattr(services, "pricing_settings_lock", _slow(pricing_settings_lock))
    # when one switches to JPY and the other adds a 12.50 rate
    results = race([_switch, _add_rate], tenant=whole_golf)
    # then exactly one is refused with a 400, and the table is consistent
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], ApplicationError) and errors[0].status_code == 400
    assert _outcome(whole_golf) in {("JPY", False), ("USD", True)}


def test_without_the_lock_both_pass_and_leave_twelve_and_a_half_yen(
    whole_golf: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the lock replaced by a plain read: the rate reads first and waits until the switch,
    # which waits for that read, has checked the stored prices and committed
    rate_read, switched = threading.Event(), threading.Event()
    adding = threading.local()

    def read() -> PricingSettings:
        row = _unlocked()
        if getattr(adding, "rate", False):
            rate_read.set()
            assert switched.wait(10), "the switch did not commit"
        else:
            assert rate_read.wait(10), "the rate did not read"
        return row

    def switch() -> Any:
        try:
            return _switch()
        finally:
            switched.set()

    def add_rate() -> Any:
        adding.rate = True
        return _add_rate()

    monkeypatch.setattr(services, "pricing_settings_lock", read)
    # when
    results = race([switch, add_rate], tenant=whole_golf)
    # then both pass: a 12.50 price in a currency without cents
    assert not any(isinstance(r, Exception) for r in results), results
    assert _outcome(whole_golf) == ("JPY", True)
