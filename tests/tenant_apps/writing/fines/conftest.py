"""Helpers of the writing fines tests: URLs, orders of wren's submitted late (or not) and walked on
through the orders services, balances and the rules.

The session site's default table prices the orders of ``make_order`` at 24.00; wren is of the
default level (half the total: a 12.00 earning). The default rules fine 2 % of the total per
started hour late (0.48 an hour), at most 30 % (7.20), after 60 minutes of grace; a revision is due
48 hours after the request, 10 % (2.40) when missed.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.wallet.selectors import wallet_of
from tenant_apps.writing.fines.models import Fine
from tenant_apps.writing.fines.services import fine_settings
from tenant_apps.writing.orders.models import Order
from tenant_apps.writing.orders.services import order_approve, order_deliver, order_submit
from tests.api import error_code
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import make_order

FINES = "/api/v1/fines/"
SETTINGS = "/api/v1/fines/settings/"

__all__ = [
    "FINES",
    "SETTINGS",
    "approve",
    "balance",
    "error_code",
    "fine_url",
    "fines_of",
    "late_order",
    "set_rules",
]


def fine_url(pk: Any, action: str = "") -> str:
    """``/api/v1/fines/{pk}/{action}``."""
    return f"{FINES}{pk}/{action}"


def late_order(
    writing: Writing, late: timedelta, *, deliver: bool = True, delivered_later: timedelta | None = None
) -> Order:
    """An order of cleo's written by wren and submitted ``late`` after its deadline (negative:
    before it), then delivered by eddie (``deliver``). ``delivered_later``: the deadline is moved
    that much further into the past after the submission and before the delivery (the editor's
    delay)."""
    order = make_order(writing, "in_progress")
    with tenant_context(writing.tenant):
        Order.objects.filter(pk=order.pk).update(deadline=timezone.now() - late)
        order = order_submit(order=Order.objects.get(pk=order.pk), actor=writing.wren)
        if delivered_later is not None:
            Order.objects.filter(pk=order.pk).update(deadline=order.deadline - delivered_later)
            from tenant_apps.writing.fines.models import WorkClock

            WorkClock.objects.filter(order=order).update(
                submitted_at=timezone.now() - delivered_later
            )  # the submission was that long ago
        if deliver:
            order = order_deliver(order=Order.objects.get(pk=order.pk), actor=writing.eddie)
        return Order.objects.get(pk=order.pk)


def approve(writing: Writing, order: Order) -> Order:
    """cleo approves ``order``: wren's earning is credited (and her fines collected)."""
    with tenant_context(writing.tenant):
        return order_approve(order=Order.objects.get(pk=order.pk), actor=writing.cleo)


def balance(writing: Writing, who: str) -> Decimal:
    """``who``'s wallet balance."""
    with tenant_context(writing.tenant):
        return wallet_of(user=getattr(writing, who)).balance


def fines_of(writing: Writing, who: str) -> list[Fine]:
    """``who``'s fines, oldest first."""
    with tenant_context(writing.tenant):
        return list(Fine.objects.filter(writer=getattr(writing, who)).select_related("order").order_by("pk"))


def set_rules(writing: Writing, **fields: Any) -> None:
    """Change the site's fine rules directly (test set-up)."""
    with tenant_context(writing.tenant):
        row = fine_settings()
        for field, value in fields.items():
            setattr(row, field, value)
        row.save()
