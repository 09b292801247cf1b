"""Helpers of the special orders tests: URLs, a quote body, special orders walked to a status,
and ``special_committed`` for the race tests (``committed`` plus this app's tables cleaned first).

Amounts are in the session site's pricing currency; the default plan is 100.00 in two installments
of 50.00, due in 7 and 14 days.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.writing.special_orders.models import SpecialOrder
from tests.factories import SpecialOrderFactory
from tests.tenant_apps.writing.conftest import Writing

SPECIAL = "/api/v1/special-orders/"
HALF = Decimal("50.00")


def special_url(pk: Any, action: str = "") -> str:
    """``/api/v1/special-orders/{pk}/{action}``."""
    return f"{SPECIAL}{pk}/{action}"


def pay_url(pk: Any, sequence: int, how: str = "wallet") -> str:
    """``/api/v1/special-orders/{pk}/installments/{sequence}/pay/{how}/``."""
    return special_url(pk, f"installments/{sequence}/pay/{how}/")


def quote_body(total: str = "100.00", amounts: tuple[str, ...] = ("50.00", "50.00"), **extra: Any) -> dict[str, Any]:
    """A ``POST .../quote/`` body: ``amounts`` due 7, 14, ... days from today."""
    today = timezone.localdate()
    plan = [
        {"amount": amount, "due_date": (today + timedelta(days=7 * (i + 1))).isoformat()}
        for i, amount in enumerate(amounts)
    ]
    return {"total": total, "installments": plan, **extra}


def make_special(writing: Writing, status: str = "requested", **kwargs: Any) -> SpecialOrder:
    """A special order of cleo's in ``status`` (``SpecialOrderFactory``)."""
    kwargs.setdefault("client", writing.cleo)
    with tenant_context(writing.tenant):
        return SpecialOrderFactory(status=status, **kwargs)


#: This app's tables, children first: cleaned before ``committed`` cleans the rest.
_TABLES = ("writing_special_orders_installment", "writing_special_orders_specialorder")


@pytest.fixture
def special_committed(committed: Callable[[Callable[[], Any]], Any]) -> Iterator[Callable[[Callable[[], Any]], Any]]:
    """``committed`` (rows committed from another thread) whose special orders and installments are
    deleted first, so that the invoices and users they name can go."""
    marks = committed(lambda: {t: _max_id(t) for t in _TABLES})
    try:
        yield committed
    finally:

        def clean() -> None:
            with connection.cursor() as cursor:
                for table in _TABLES:
                    cursor.execute(f'DELETE FROM "{table}" WHERE id > %s', [marks[table]])

        committed(clean)


def _max_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
        return int(cursor.fetchone()[0])
