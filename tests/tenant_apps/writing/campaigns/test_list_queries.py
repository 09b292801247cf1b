"""The campaigns and recipients lists run a fixed number of queries, however many they list."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tests.factories import CampaignFactory, UserFactory
from tests.tenant_apps.writing.campaigns.conftest import CAMPAIGNS, campaign_url
from tests.tenant_apps.writing.conftest import Writing


def _queries(writing: Writing, path: str) -> tuple[int, int]:
    client = writing.client("admin")
    client.get(path)  # warm: the login's own lookups
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured), response.json()["count"]


def test_listing_more_campaigns_runs_no_more_queries(writing: Writing) -> None:
    # given
    with tenant_context(writing.tenant):
        CampaignFactory(sent=True)
    few, listed = _queries(writing, CAMPAIGNS)
    # when
    with tenant_context(writing.tenant):
        for _ in range(3):
            CampaignFactory(sent=True)
            CampaignFactory(scheduled=True)
    many, more = _queries(writing, CAMPAIGNS)
    # then
    assert (listed, more) == (1, 7)
    assert many == few


def test_listing_more_recipients_runs_no_more_queries(writing: Writing) -> None:
    # given
    with tenant_context(writing.tenant):
        small = CampaignFactory(sent=True)
        for n in range(5):
            UserFactory(email=f"extra{n}@golf.test", roles=["client"])
        large = CampaignFactory(sent=True)
    # when
    few, listed = _queries(writing, campaign_url(small.pk, "recipients/"))
    many, more = _queries(writing, campaign_url(large.pk, "recipients/"))
    # then
    assert (listed, more) == (2, 7)
    assert many == few
