"""The referrals lists run a fixed number of queries, however many referrals they list."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tests.factories import ReferralFactory
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.referrals.conftest import LIST, ME


def _add(writing: Writing, n: int) -> None:
    with tenant_context(writing.tenant):
        for index in range(n):  # cleo refers new clients; every other one is rewarded
            ReferralFactory(referrer=writing.cleo, rewarded=bool(index % 2))


def _queries(writing: Writing, who: str, path: str) -> int:
    client = writing.client(who)
    client.get(path)  # warm: the login's own lookups, the code and the settings created
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_listing_more_referrals_runs_no_more_queries(writing: Writing) -> None:
    # given
    _add(writing, 1)
    few = (_queries(writing, "admin", LIST), _queries(writing, "cleo", ME))
    # when
    _add(writing, 4)
    many = (_queries(writing, "admin", LIST), _queries(writing, "cleo", ME))
    # then
    assert many == few
