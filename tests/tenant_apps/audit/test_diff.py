"""The audit diff of a partial update: only what changed, as JSON."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from tenant_apps.audit.diff import apply_changes


def test_apply_changes_sets_the_values_and_reports_only_real_changes_as_json() -> None:
    # given
    row = SimpleNamespace(title="Old", price=Decimal("10.00"), starts=date(2026, 1, 5), capacity=3)
    # when
    diff = apply_changes(row, {"title": "New", "price": Decimal("12.50"), "starts": date(2026, 2, 1), "capacity": 3})
    # then
    assert diff == {"title": ["Old", "New"], "price": ["10.00", "12.50"], "starts": ["2026-01-05", "2026-02-01"]}
    assert (row.title, row.price, row.starts) == ("New", Decimal("12.50"), date(2026, 2, 1))
    json.dumps(diff)  # storable as the audit row's changes
