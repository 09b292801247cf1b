"""One writing site's campaigns are invisible from another (golf and hotel): lists, details,
unsubscribe links (bound to their site) and the tasks, which touch only the schema they run in."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.utils import timezone
from django_tenants.utils import tenant_context
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.campaigns.models import Campaign, CampaignRecipient, MarketingOptOut
from tenant_apps.writing.campaigns.tasks import campaign_send_batch_task, campaigns_start_due_task
from tenant_apps.writing.campaigns.tokens import unsubscribe_token
from tests.factories.base import at
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.writing.campaigns.conftest import CAMPAIGNS, campaign_url, error_code, make_campaign
from tests.tenant_apps.writing.conftest import Writing, make_writing


def test_golfs_campaigns_are_not_hotels(writing: Writing, hotel: Tenant, client_for: ClientFor, login: Login) -> None:
    # given: a golf campaign; hotel's people
    campaign = make_campaign(writing, subject="Golf only")
    other = make_writing(hotel, client_for, login)
    # then: hotel's admin lists nothing and cannot open it
    assert other.client("admin").get(CAMPAIGNS).json()["results"] == []
    with tenant_context(hotel):
        taken = Campaign.objects.filter(pk=campaign.pk).exists()
    if not taken:
        response = other.client("admin").get(campaign_url(campaign.pk))
        assert (response.status_code, error_code(response)) == (404, "not_found")
    # and golf's admin token is refused on hotel
    golf_admin = writing.client("admin")
    golf_admin.defaults["HTTP_HOST"] = other.client(None).defaults["HTTP_HOST"]
    assert golf_admin.get(CAMPAIGNS).status_code == 401


def test_a_golf_unsubscribe_link_does_nothing_on_hotel(writing: Writing, hotel: Tenant, client_for: ClientFor) -> None:
    # given: cleo's golf link
    with tenant_context(writing.tenant):
        path = f"/api/v1/unsubscribe/{unsubscribe_token(writing.cleo.email)}/"
    on_hotel = client_for(hotel)
    # when
    seen, posted = on_hotel.get(path), on_hotel.post(path)
    # then: 404 on hotel, nothing recorded on either site
    for response in (seen, posted):
        assert (response.status_code, error_code(response)) == (404, "not_found")
    for tenant in (hotel, writing.tenant):
        with tenant_context(tenant):
            assert not MarketingOptOut.objects.exists()


def test_the_tasks_of_hotel_never_touch_golfs_campaigns(
    writing: Writing, hotel: Tenant, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # given: golf has a due scheduled campaign and one being sent whose batch has not run
    due = make_campaign(writing, scheduled=True, scheduled_at=timezone.now() + timedelta(minutes=5))
    sending = make_campaign(writing)
    with django_capture_on_commit_callbacks(execute=False):
        writing.client("admin").post(campaign_url(sending.pk, "send/"))
    with tenant_context(writing.tenant):
        rows = list(CampaignRecipient.objects.filter(campaign=sending).values_list("pk", flat=True))
    # when: hotel's beat runs once golf's is due, and a batch naming golf's ids runs in hotel
    with tenant_context(hotel), at(timezone.now() + timedelta(minutes=10)):
        started = campaigns_start_due_task()
        pending = campaign_send_batch_task(sending.pk, rows)
    # then: nothing of golf's was started or sent
    assert (started, pending) == ([], 0)
    assert mail.outbox == []
    with tenant_context(writing.tenant):
        assert Campaign.objects.get(pk=due.pk).status == "scheduled"
        assert set(CampaignRecipient.objects.filter(campaign=sending).values_list("status", flat=True)) == {"pending"}
