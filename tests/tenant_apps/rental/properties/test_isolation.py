"""Properties of ``echo`` do not exist on ``foxtrot`` (another rental site): not in lists, not by
id, not through their calendar token, not to foxtrot's admin."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tests.factories import AmenityFactory, BlockedPeriodFactory, PropertyFactory
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.rental.conftest import Rental


def test_echos_properties_are_invisible_from_foxtrot(
    rental: Rental, foxtrot: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given echo's amenity, a property with a photo and a blocked period, and a draft
    with tenant_context(rental.tenant):
        AmenityFactory(name="Echo sauna", slug="echo-sauna")
        shown = PropertyFactory(host=rental.hana, title="Echo cabin", with_photo=True)
        draft = PropertyFactory(host=rental.hana, title="Echo draft", unpublished=True)
        block = BlockedPeriodFactory(property=shown)
    foxtrot_admin = client_for(foxtrot, login(foxtrot, "admin@foxtrot.test")["access"])
    anonymous = client_for(foxtrot)
    # when / then: lists show nothing of echo's
    for client in (foxtrot_admin, anonymous):
        assert "Echo" not in client.get("/api/v1/properties/").content.decode()
        assert "echo-sauna" not in client.get("/api/v1/amenities/").content.decode()
    # and echo's ids answer like missing ones, even to foxtrot's admin
    for prop in (shown, draft):
        assert foxtrot_admin.get(f"/api/v1/properties/{prop.pk}/").status_code == 404
        assert foxtrot_admin.patch(f"/api/v1/properties/{prop.pk}/", {"title": "x"}, format="json").status_code == 404
        assert foxtrot_admin.get(f"/api/v1/properties/{prop.pk}/blocked-periods/").status_code == 404
        feed = f"/api/v1/properties/{prop.pk}/calendar.ics?token={prop.calendar_token}"
        assert anonymous.get(feed).status_code == 404
    assert foxtrot_admin.delete(f"/api/v1/properties/{shown.pk}/blocked-periods/{block.pk}/").status_code == 404
    # and echo's photo link does not open on foxtrot
    photo_url = rental.client(None).get(f"/api/v1/properties/{shown.pk}/").json()["photos"][0]["url"]
    assert anonymous.get(photo_url.split("localhost", 1)[1]).status_code in (403, 404)
    # and echo is unchanged
    with tenant_context(rental.tenant):
        shown.refresh_from_db()
        assert shown.title == "Echo cabin"
