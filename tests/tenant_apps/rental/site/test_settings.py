"""The rental site's settings: one row, read and changed by admins only, values checked."""

from __future__ import annotations

from typing import Any

import pytest
from django_tenants.utils import tenant_context

from saas.errors import PermissionDenied
from tenant_apps.rental.site.models import RentalSettings
from tenant_apps.rental.site.services import rental_settings, rental_settings_update
from tests.api import error_code
from tests.tenant_apps.rental.conftest import Rental

SETTINGS = "/api/v1/rental/settings/"


def test_the_settings_exist_with_their_defaults_on_first_read(rental: Rental) -> None:
    with tenant_context(rental.tenant):
        # given no settings row yet; when read twice
        RentalSettings.objects.all().delete()
        first, second = rental_settings(), rental_settings()
        # then one row with the defaults
        assert first.pk == second.pk == 1
        assert (str(first.commission_percent), first.report_hour, first.time_zone) == ("15.00", 7, "UTC")


def test_an_admin_reads_and_changes_the_settings(rental: Rental) -> None:
    # given
    admin = rental.client("admin")
    # when
    read = admin.get(SETTINGS)
    changed = admin.patch(
        SETTINGS, {"commission_percent": "12.5", "report_hour": 21, "time_zone": "Europe/Lisbon"}, format="json"
    )
    # then
    assert read.status_code == 200, read.content
    assert changed.status_code == 200, changed.content
    assert changed.json() | {"updated_at": None} == {
        "commission_percent": "12.50",
        "report_hour": 21,
        "time_zone": "Europe/Lisbon",
        "updated_at": None,
    }
    assert admin.get(SETTINGS).json()["time_zone"] == "Europe/Lisbon"


@pytest.mark.parametrize(
    "bad",
    [
        {"time_zone": "Mars/Olympus"},
        {"time_zone": "../../etc/passwd"},
        {"time_zone": ""},
        {"time_zone": 5},
        {"report_hour": 24},
        {"report_hour": -1},
        {"report_hour": "7.5"},
        {"commission_percent": "100.01"},
        {"commission_percent": "-1"},
        {"commission_percent": "1e2"},
    ],
)
def test_out_of_range_settings_answer_400(rental: Rental, bad: dict[str, Any]) -> None:
    # when
    response = rental.client("admin").patch(SETTINGS, bad, format="json")
    # then
    assert (response.status_code, error_code(response)) == (400, "validation_error"), response.content


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 401), ("gia", 403), ("hana", 403), ("cora", 403), ("admin", 200)],
)
def test_only_admins_reach_the_settings(rental: Rental, who: str | None, expected: int) -> None:
    # when
    read = rental.client(who).get(SETTINGS)
    change = rental.client(who).patch(SETTINGS, {"report_hour": 3}, format="json")
    # then
    assert (read.status_code, change.status_code) == (expected, expected)


def test_the_service_refuses_a_non_admin_and_checks_the_zone_itself(rental: Rental) -> None:
    with tenant_context(rental.tenant):
        with pytest.raises(PermissionDenied):
            rental_settings_update(actor=rental.hana, changes={"report_hour": 3})
        row = rental_settings_update(actor=rental.admin, changes={"time_zone": " Asia/Tokyo "})
        assert row.time_zone == "Asia/Tokyo"
