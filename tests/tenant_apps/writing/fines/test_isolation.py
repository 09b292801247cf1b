"""One writing site's fines are invisible from another (golf and hotel): lists, ids, appeals and
decisions; and the missed-revision sweep run for one site fines only that site's writers."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.fines.models import Fine, WorkClock
from tenant_apps.writing.fines.services import fine_appeal, fine_issue
from tenant_apps.writing.fines.tasks import fines_missed_revisions_task
from tenant_apps.writing.orders.services import order_request_revision
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.writing.conftest import Writing, make_writing
from tests.tenant_apps.writing.fines.conftest import FINES, fine_url
from tests.tenant_apps.writing.orders.conftest import make_order


def _fine(writing: Writing, amount: str) -> Fine:
    with tenant_context(writing.tenant):
        fine = fine_issue(writer=writing.wren, amount=amount, reason="Plagiarism.", actor=writing.admin)
        fine_appeal(fine=fine, writer=writing.wren, explanation="Not me.")
        return fine


def test_golfs_fines_are_not_hotels(writing: Writing, hotel: Tenant, client_for: ClientFor, login: Login) -> None:
    # given: a fine of each site's wren
    golf_fine = _fine(writing, "3.00")
    other = make_writing(hotel, client_for, login)
    hotel_fine = _fine(other, "4.00")
    # then: each admin and each wren lists their own site's only
    assert [f["id"] for f in other.client("admin").get(FINES).json()["results"]] == [hotel_fine.pk]
    assert [f["amount"] for f in other.client("wren").get(FINES).json()["results"]] == ["4.00"]
    assert [f["amount"] for f in writing.client("wren").get(FINES).json()["results"]] == ["3.00"]
    # and golf's id is neither seen, appealed nor decided on hotel
    if golf_fine.pk != hotel_fine.pk:
        assert other.client("admin").get(fine_url(golf_fine.pk)).status_code == 404
        assert other.client("admin").post(fine_url(golf_fine.pk, "accept/"), {}, format="json").status_code == 404
        body = {"explanation": "Hm."}
        assert other.client("wren").post(fine_url(golf_fine.pk, "appeal/"), body, format="json").status_code == 404
    # and hotel's admin token is refused by golf
    token_client = client_for(writing.tenant, login(hotel, f"admin@{hotel.schema_name}.test")["access"])
    assert token_client.get(FINES).status_code == 401
    with tenant_context(hotel):
        assert not Fine.objects.filter(amount=golf_fine.amount).exists()


def test_the_sweep_of_one_site_fines_only_its_writers(
    writing: Writing, hotel: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given: a revision of golf's past due, not submitted
    order = make_order(writing, "delivered")
    with tenant_context(writing.tenant):
        order_request_revision(order=order, actor=writing.cleo, instructions="Fix it.")
        WorkClock.objects.filter(order=order).update(revision_due_at=timezone.now() - timedelta(hours=1))
    make_writing(hotel, client_for, login)
    # when: the task runs for hotel
    with tenant_context(hotel):
        assert fines_missed_revisions_task() == []
        assert not Fine.objects.exists()
    with tenant_context(writing.tenant):
        assert not Fine.objects.exists()
        # and then for golf
        made = fines_missed_revisions_task()
        assert list(Fine.objects.values_list("pk", flat=True)) == made
