"""Fines in a writing site's admin: the site admin lists, filters, searches and opens fines with
their deductions and appeal (other roles are sent to the login page); accepting an appeal
reverses the fine and gives back what was deducted, rejecting one needs a note, both through the
API's services (audit row, the writer told), and a fine without a pending appeal shows the
service's reason and is not touched; the list costs the same queries for 2 fines as for 10; a
site never shows another site's fines."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.notifications.models import Notification
from tenant_apps.wallet.models import LedgerEntry
from tenant_apps.writing.fines.models import AppealStatus, Fine, FineAppeal, FineStatus
from tests.admin import (
    admin_client,
    admin_url,
    assert_admin_hides,
    assert_list_queries_fixed,
    messages_of,
    run_action,
    session_client,
)
from tests.factories.writing_fines import FineFactory
from tests.tenant_apps.writing.conftest import Writing, reload
from tests.tenant_apps.writing.fines.conftest import balance


def _fine(writing: Writing, who: str = "wren", **kwargs: object) -> Fine:
    with tenant_context(writing.tenant):
        return FineFactory(writer=getattr(writing, who), **kwargs)


def test_the_admin_lists_filters_searches_and_opens_fines(writing: Writing) -> None:
    # given: wren's appealed fine (deducted from a 20.00 balance) and will's plain one
    appealed = _fine(writing, "wren", earned="20.00", appealed=True, reason="Copied passages.")
    plain = _fine(writing, "will", reason="Rude to a client.")
    client = admin_client(writing.tenant)
    # then: filtered by pending appeals, wren's only; searched by reason, will's only
    pending = client.get(admin_url(Fine), {"appeal__status": "pending"}).content.decode()
    assert f"/{appealed.pk}/change/" in pending and f"/{plain.pk}/change/" not in pending
    searched = client.get(admin_url(Fine), {"q": "Rude"}).content.decode()
    assert f"/{plain.pk}/change/" in searched and f"/{appealed.pk}/change/" not in searched
    # and the fine's page shows its appeal and its deduction
    page = client.get(admin_url(Fine, "change", appealed.pk))
    assert page.status_code == 200
    assert "I did not do this." in page.content.decode() and "5.00" in page.content.decode()


@pytest.mark.parametrize("who", ["cleo", "wren", "eddie", "sue"])
def test_other_roles_are_sent_to_the_login_page(writing: Writing, who: str) -> None:
    fine = _fine(writing, "will")
    client = session_client(writing.tenant, getattr(writing, who))

    for url in (admin_url(Fine), admin_url(Fine, "change", fine.pk)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_accepting_an_appeal_reverses_the_fine_and_gives_the_money_back(writing: Writing) -> None:
    # given: 5.00 of wren's 20.00 deducted, and appealed
    fine = _fine(writing, earned="20.00", appealed=True)
    assert balance(writing, "wren") == Decimal("15.00")
    # when
    response = run_action(admin_client(writing.tenant), Fine, "accept_appeals", [fine])
    # then: reversed, the 5.00 back by one reversal ledger row, audited, wren told
    assert messages_of(response) == ["1 accepted."]
    assert reload(writing, fine).status == FineStatus.REVERSED
    assert balance(writing, "wren") == Decimal("20.00")
    with tenant_context(writing.tenant):
        assert LedgerEntry.objects.filter(reference=f"fine:{fine.pk}:reversal").count() == 1
        assert FineAppeal.objects.get(fine=fine).decided_by_id == writing.admin.pk
        assert AuditLogEntry.objects.filter(target_id=str(fine.pk), actor=writing.admin).exists()
        assert Notification.objects.filter(recipient=writing.wren, verb="writing_fine.appeal_accepted").exists()


def test_rejecting_an_appeal_asks_why_and_the_fine_stands(writing: Writing) -> None:
    fine = _fine(writing, earned="20.00", appealed=True)

    response = run_action(admin_client(writing.tenant), Fine, "reject_appeals", [fine], note="The report is clear.")

    assert messages_of(response) == ["1 rejected."]
    with tenant_context(writing.tenant):
        appeal = FineAppeal.objects.get(fine=fine)
        assert (appeal.status, appeal.note) == (AppealStatus.REJECTED, "The report is clear.")
        assert Notification.objects.filter(recipient=writing.wren, verb="writing_fine.appeal_rejected").exists()
    assert reload(writing, fine).status == FineStatus.SETTLED
    assert balance(writing, "wren") == Decimal("15.00")


def test_a_fine_without_a_pending_appeal_is_not_decided(writing: Writing) -> None:
    # given: a fine never appealed and one whose appeal was rejected already
    never = _fine(writing, "wren", earned="20.00")
    decided = _fine(writing, "will", earned="20.00", rejected=True)
    # when: the admin accepts both
    response = run_action(admin_client(writing.tenant), Fine, "accept_appeals", [never, decided])
    # then: both refused with the service's reasons; no money moved
    shown = messages_of(response)
    assert f"{never}: This fine has no appeal." in shown
    assert any(m.startswith(f"{decided}: ") for m in shown) and len(shown) == 2
    assert (reload(writing, never).status, reload(writing, decided).status) == (FineStatus.SETTLED, FineStatus.SETTLED)
    assert (balance(writing, "wren"), balance(writing, "will")) == (Decimal("15.00"), Decimal("15.00"))


def test_the_fine_list_costs_the_same_queries_for_2_and_for_10_fines(writing: Writing) -> None:
    # a new writer each
    assert_list_queries_fixed(writing.tenant, Fine, lambda: FineFactory(appealed=True))


def test_a_site_never_shows_another_sites_fines(writing: Writing, hotel: Tenant) -> None:
    with tenant_context(hotel):
        theirs = FineFactory(reason="Hotel-only reason.")

    assert_admin_hides(writing.tenant, theirs, "Hotel-only reason.")
