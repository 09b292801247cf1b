"""The plan's ``properties`` limit (``rental/kind.py``): every property, published or not; beyond
it a new listing is 403 ``plan_limit_reached`` and nothing is written."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.rental.properties.models import Property
from tests.api import error_code
from tests.shared_apps.billing.plans import plan_for
from tests.tenant_apps.rental.conftest import Rental
from tests.tenant_apps.rental.properties.conftest import Listings, valid_property

LIST = "/api/v1/properties/"


def test_a_property_beyond_the_plan_is_refused_and_nothing_is_written(rental: Rental, listings: Listings) -> None:
    # given: a published property and a draft, both counted, under a limit of two
    plan_for(rental.tenant, properties=2)
    with tenant_context(rental.tenant):
        before = (Property.objects.count(), AuditLogEntry.objects.count())
    # when
    response = rental.client("hana").post(LIST, valid_property(), format="json")
    # then
    assert response.status_code == 403, response.content
    assert error_code(response) == "plan_limit_reached"
    assert response.json()["error"]["details"] == {"limit": "properties", "allowed": 2, "usage": 2}
    with tenant_context(rental.tenant):
        assert (Property.objects.count(), AuditLogEntry.objects.count()) == before


def test_under_the_limit_a_property_is_listed(rental: Rental, listings: Listings) -> None:
    plan_for(rental.tenant, properties=3)
    response = rental.client("hana").post(LIST, valid_property(), format="json")
    assert response.status_code == 201, response.content
