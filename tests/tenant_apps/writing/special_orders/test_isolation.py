"""One writing site's special orders are invisible from another (golf and hotel): lists, ids,
actions, hotel's tokens on golf; and the beat task run for one site touches only its rows."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.special_orders.models import Installment, SpecialOrder
from tenant_apps.writing.special_orders.services import installments_remind
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.writing.conftest import Writing, make_writing
from tests.tenant_apps.writing.special_orders.conftest import SPECIAL, make_special, pay_url, quote_body, special_url


def test_golfs_special_orders_are_not_hotels(
    writing: Writing, hotel: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given: a special order on each site
    golf_order = make_special(writing, "accepted")
    other = make_writing(hotel, client_for, login)
    hotel_order = other.client("cleo").post(SPECIAL, {"title": "Hotel's thesis"}, format="json").json()
    # then: each admin lists their own site's only
    assert [o["id"] for o in other.client("admin").get(SPECIAL).json()["results"]] == [hotel_order["id"]]
    assert hotel_order["id"] not in [o["id"] for o in writing.client("admin").get(SPECIAL).json()["results"]]
    # and: golf's id answers 404 on hotel, for reading and for every action
    if golf_order.pk != hotel_order["id"]:
        admin, cleo = other.client("admin"), other.client("cleo")
        assert admin.get(special_url(golf_order.pk)).status_code == 404
        assert admin.post(special_url(golf_order.pk, "quote/"), quote_body(), format="json").status_code == 404
        assert admin.post(special_url(golf_order.pk, "cancel/"), {}, format="json").status_code == 404
        assert cleo.post(pay_url(golf_order.pk, 1)).status_code == 404
    # and: hotel's tokens do not open golf
    token = login(hotel, f"admin@{hotel.schema_name}.test")["access"]
    assert client_for(writing.tenant, token).get(SPECIAL).status_code == 401
    # and golf's order is as it was
    with tenant_context(writing.tenant):
        assert SpecialOrder.objects.get(pk=golf_order.pk).status == "accepted"
    with tenant_context(hotel):
        assert not SpecialOrder.objects.filter(title=golf_order.title).exists()


def test_the_reminder_run_of_one_site_touches_only_its_rows(
    writing: Writing, hotel: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given: an accepted special order on each site
    golf_order = make_special(writing, "accepted")
    other = make_writing(hotel, client_for, login)
    hotel_order = make_special(other, "accepted")
    later = timezone.localdate() + timedelta(days=60)
    # when: hotel's run, long after every due date
    with tenant_context(hotel):
        done = installments_remind(today=later)
        hotel_flagged = set(Installment.objects.filter(overdue_at__isnull=False).values_list("pk", flat=True))
    # then: hotel's installments only; golf's untouched
    assert set(done["overdue"]) == hotel_flagged
    with tenant_context(hotel):
        assert (
            set(Installment.objects.filter(special_order_id=hotel_order.pk).values_list("pk", flat=True))
            <= hotel_flagged
        )
    with tenant_context(writing.tenant):
        golf = Installment.objects.filter(special_order_id=golf_order.pk)
        assert not golf.filter(overdue_at__isnull=False).exists()
        assert not golf.filter(reminder_sent_at__isnull=False).exists()
