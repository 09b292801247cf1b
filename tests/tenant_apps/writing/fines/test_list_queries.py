"""The fines list runs a fixed number of queries, however many fines (with orders, issuers and
decided appeals) it lists."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tenant_apps.writing.fines.services import fine_appeal, fine_appeal_reject, fine_issue
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.fines.conftest import FINES, late_order


def _add(writing: Writing, n: int) -> None:
    for _ in range(n):  # a late-delivery fine, and an admin's fine appealed and rejected
        late_order(writing, timedelta(hours=3))
        with tenant_context(writing.tenant):
            fine = fine_issue(writer=writing.wren, amount="1.00", reason="Plagiarism.", actor=writing.admin)
            fine_appeal(fine=fine, writer=writing.wren, explanation="Not me.")
            fine_appeal_reject(fine=fine, actor=writing.admin, note="It stands.")


def _queries(writing: Writing, who: str) -> tuple[int, int]:
    client = writing.client(who)
    client.get(FINES)  # warm: the login's own lookups
    with CaptureQueriesContext(connection) as captured:
        response = client.get(FINES)
    assert response.status_code == 200
    return len(captured), response.json()["count"]


def test_listing_more_fines_runs_no_more_queries(writing: Writing) -> None:
    # given
    _add(writing, 1)
    few = {who: _queries(writing, who) for who in ("admin", "wren")}
    # when
    _add(writing, 3)
    many = {who: _queries(writing, who) for who in ("admin", "wren")}
    # then: four times the fines, the same queries
    assert {who: n for who, (n, _) in many.items()} == {who: n for who, (n, _) in few.items()}
    assert many["admin"][1] == many["wren"][1] == 8
