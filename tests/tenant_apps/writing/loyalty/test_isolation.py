"""One writing site's loyalty points are invisible from another (golf and hotel): accounts,
ledgers, tiers, redemptions by id; hotel's token is refused on golf; and the expiry task run for
one site touches only it."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.loyalty.models import LoyaltyAccount, LoyaltyTier, PointsEntry, PointsKind
from tenant_apps.writing.loyalty.services import points_award
from tenant_apps.writing.loyalty.tasks import points_expire_due_task
from tests.factories.base import at
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.writing.conftest import Writing, make_writing
from tests.tenant_apps.writing.loyalty.conftest import LOYALTY, balance, make_tiers


def test_golfs_points_are_not_hotels(writing: Writing, hotel: Tenant, client_for: ClientFor, login: Login) -> None:
    # given: golf's cleo has 300 points and golf has tiers; hotel's cleo (a namesake) has 40
    other = make_writing(hotel, client_for, login)
    make_tiers(writing)
    with tenant_context(writing.tenant):
        golf_entry = points_award(user=writing.cleo, points=300, reason="Gift", reference="iso:golf")
    with tenant_context(hotel):
        points_award(user=other.cleo, points=40, reason="Gift", reference="iso:hotel")
    # then: each sees their own site's only
    assert other.client("cleo").get(f"{LOYALTY}me/").json()["balance"] == 40
    assert [e["points"] for e in other.client("cleo").get(f"{LOYALTY}me/entries/").json()["results"]] == [40]
    assert other.client(None).get(f"{LOYALTY}tiers/").json()["results"] == []
    hotel_accounts = other.client("admin").get(f"{LOYALTY}accounts/").json()["results"]
    assert [a["balance"] for a in hotel_accounts] == [40]
    # and golf's account id means nothing on hotel (404 or hotel's own)
    response = other.client("admin").get(f"{LOYALTY}accounts/{golf_entry.account_id}/")
    assert response.status_code == 404 or response.json()["balance"] == 40
    # and hotel's redemption spends hotel's points only
    with tenant_context(hotel):
        from tenant_apps.writing.loyalty.services import loyalty_settings

        row = loyalty_settings()
        row.minimum_redeem = 10
        row.save()
    assert other.client("cleo").post(f"{LOYALTY}me/redeem/", {"points": 40}, format="json").status_code == 201
    assert balance(writing, "cleo") == 300


def test_a_hotel_token_is_refused_on_golf(writing: Writing, hotel: Tenant, client_for: ClientFor, login: Login) -> None:
    token = login(hotel, make_writing(hotel, client_for, login).cleo.email)["access"]
    response = client_for(writing.tenant, token).get(f"{LOYALTY}me/")
    assert response.status_code == 401


def test_the_expiry_task_of_one_site_touches_only_it(
    writing: Writing, hotel: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given: expired points on both sites
    other = make_writing(hotel, client_for, login)
    long_ago = timezone.now() - timedelta(days=400)
    for tenant, person in ((writing.tenant, writing.cleo), (hotel, other.cleo)):
        with tenant_context(tenant), at(long_ago):
            points_award(user=person, points=70, reason="Old", reference=f"iso:old:{tenant.schema_name}")
    # when: the task runs for golf
    with tenant_context(writing.tenant):
        assert points_expire_due_task() == 70
    # then: hotel's points are untouched
    with tenant_context(hotel):
        assert LoyaltyAccount.objects.get(user=other.cleo).balance == 70
        assert not PointsEntry.objects.filter(kind=PointsKind.EXPIRE).exists()
        assert not LoyaltyTier.objects.exists()
