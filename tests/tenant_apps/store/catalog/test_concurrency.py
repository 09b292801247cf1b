"""Two admins deciding the same brand (or product) at once, on committed data, from two threads
with their own connections (as two requests have): one decision wins, the other is refused with
409 ``invalid_status_transition``, and the owner gets one notification.

A pause is injected after the row is read, so without the row lock both decisions would read
``pending`` every time; the ``without_the_lock`` tests replace the lock with a plain read and show
exactly that, so the first ones cannot pass by luck. Everything committed is deleted afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from saas.db.tenant import tenant_connection
from saas.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tests.concurrency import in_thread, race
from tests.factories import BrandFactory, CategoryFactory, StoreProductFactory, UserFactory, ranked_seller

PAUSE = 0.3


@pytest.fixture
def pending(gamma: Tenant) -> Iterator[dict[str, Any]]:
    """Committed in gamma: a second admin, a ranked seller with a pending brand and a pending product."""
    from tenant_apps.accounts.models import User
    from tenant_apps.audit.models import AuditLogEntry
    from tenant_apps.notifications.models import Notification
    from tenant_apps.store.catalog.models import Brand, Category, Product
    from tenant_apps.store.shop.models import PointsEntry, SellerAccount

    def marks() -> dict[str, int]:
        with tenant_context(gamma):
            return {
                "audit": AuditLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0,
                "notification": Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0,
            }

    def setup() -> dict[str, Any]:
        with tenant_context(gamma):
            admins = [User.objects.get(email="admin@gamma.test"), UserFactory(email="admin2@gamma.test", admin=True)]
            seller = ranked_seller(email="race-seller@gamma.test")
            category = CategoryFactory(name="Race category")
            return {
                "admins": admins,
                "seller": seller,
                "category": category,
                "brand": BrandFactory(owner=seller, name="Race brand"),
                "product": StoreProductFactory(seller=seller, category=category),
            }

    before = in_thread(marks)
    rows = in_thread(setup)
    try:
        yield rows
    finally:

        def cleanup() -> None:
            with tenant_context(gamma):
                Product.objects.filter(pk=rows["product"].pk).delete()
                Brand.objects.filter(pk=rows["brand"].pk).delete()
                Category.objects.filter(pk=rows["category"].pk).delete()
                PointsEntry.objects.filter(account__seller=rows["seller"]).delete()
                SellerAccount.objects.filter(seller=rows["seller"]).delete()
                Notification.objects.filter(id__gt=before["notification"]).delete()
                AuditLogEntry.objects.filter(id__gt=before["audit"]).delete()
                _delete_users([rows["seller"].pk, rows["admins"][1].pk])

        in_thread(cleanup)
        tenant_connection().set_schema_to_public()


def _delete_users(pks: list[int]) -> None:
    """Delete users of the current store schema with their role rows, in SQL: the ORM's cascade
    also visits the school's tables (program teachers), which a store schema does not have."""
    from django.db import connection

    from tenant_apps.accounts.models import User

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {User.groups.through._meta.db_table} WHERE user_id = ANY(%s)", [pks])
        cursor.execute(f"DELETE FROM {User._meta.db_table} WHERE id = ANY(%s)", [pks])


def _slowly(read: Callable[[int], Any]) -> Callable[[int], Any]:
    def slow(pk: int) -> Any:
        row = read(pk)
        time.sleep(PAUSE)
        return row

    return slow


def _decide_both(gamma: Tenant, rows: dict[str, Any], kind: str) -> list[Any]:
    from tenant_apps.store.catalog import services

    approve, reject = getattr(services, f"{kind}_approve"), getattr(services, f"{kind}_reject")
    target = {kind: rows[kind]}

    def run(fn: Callable[[], Any]) -> Callable[[], Any]:
        def inner() -> Any:
            with tenant_context(gamma):
                return fn().status

        return inner

    return race(
        [
            run(lambda: approve(actor=rows["admins"][0], **target)),
            run(lambda: reject(actor=rows["admins"][1], reason="Too late", **target)),
        ]
    )


def _notifications(gamma: Tenant, rows: dict[str, Any], kind: str) -> list[str]:
    from tenant_apps.notifications.models import Notification

    def read() -> list[str]:
        with tenant_context(gamma):
            found = Notification.objects.filter(recipient=rows["seller"], verb__startswith=f"{kind}_")
            return list(found.values_list("verb", flat=True))

    return list(in_thread(read))


@pytest.mark.parametrize("kind", ["brand", "product"])
def test_two_admins_deciding_at_once_one_wins_and_the_other_gets_409(
    gamma: Tenant, pending: dict[str, Any], monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    # given: the lock is taken, then the decision pauses
    from tenant_apps.store.catalog.services import brands, products

    monkeypatch.setattr(brands, "brand_lock", _slowly(brands.brand_lock))
    monkeypatch.setattr(products, "product_lock", _slowly(products.product_lock))
    # when
    outcomes = _decide_both(gamma, pending, kind)
    # then
    won = [o for o in outcomes if isinstance(o, str)]
    lost = [o for o in outcomes if isinstance(o, ApplicationError)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert (lost[0].status_code, lost[0].code) == (409, "invalid_status_transition")
    assert len(_notifications(gamma, pending, kind)) == 1


@pytest.mark.parametrize("kind", ["brand", "product"])
def test_without_the_lock_both_decisions_pass_and_the_owner_hears_both(
    gamma: Tenant, pending: dict[str, Any], monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    # given: the lock replaced by a plain read (what the first test guards against)
    from tenant_apps.store.catalog.models import Brand, Product
    from tenant_apps.store.catalog.services import brands, products

    monkeypatch.setattr(brands, "brand_lock", _slowly(lambda pk: Brand.objects.get(pk=pk)))
    monkeypatch.setattr(products, "product_lock", _slowly(lambda pk: Product.objects.get(pk=pk)))
    # when
    outcomes = _decide_both(gamma, pending, kind)
    # then: both read "pending", both decided
    assert sorted(outcomes) == ["approved", "rejected"], outcomes
    assert sorted(_notifications(gamma, pending, kind)) == [f"{kind}_approved", f"{kind}_rejected"]
