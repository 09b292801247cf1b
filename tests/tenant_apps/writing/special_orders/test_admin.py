"""Special orders in a writing site's admin: the site admin lists, filters, searches and opens them
with their installment plan (other roles are sent to the login page); starting, completing and
cancelling go through the API's services (status, writer, invoices called off, audit row, the
client told) and a move the plan does not allow yet shows the service's reason and changes
nothing; the list costs the same queries for 2 special orders as for 10; a site never shows
another site's special orders."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.notifications.models import Notification
from tenant_apps.payments.models import Invoice
from tenant_apps.writing.special_orders.models import Installment, SpecialOrder, SpecialOrderStatus
from tests.admin import (
    admin_client,
    admin_url,
    assert_admin_hides,
    assert_list_queries_fixed,
    messages_of,
    run_action,
    session_client,
)
from tests.factories.writing_special_orders import SpecialOrderFactory, pay_installment
from tests.tenant_apps.writing.conftest import Writing, reload

S = SpecialOrderStatus


def _special(writing: Writing, **kwargs: object) -> SpecialOrder:
    kwargs.setdefault("client", writing.cleo)
    with tenant_context(writing.tenant):
        return SpecialOrderFactory(**kwargs)


def test_the_admin_lists_filters_searches_and_opens_special_orders(writing: Writing) -> None:
    # given: a quoted special order and a requested one
    quoted = _special(writing, quoted=True, title="A thesis on tides")
    _special(writing, title="A memoir edit")
    client = admin_client(writing.tenant)
    # then
    listed = client.get(admin_url(SpecialOrder), {"status__exact": "quoted"}).content.decode()
    assert "A thesis on tides" in listed and "A memoir edit" not in listed
    searched = client.get(admin_url(SpecialOrder), {"q": "memoir"}).content.decode()
    assert "A memoir edit" in searched and "A thesis on tides" not in searched
    page = client.get(admin_url(SpecialOrder, "change", quoted.pk))
    assert page.status_code == 200 and "50.00" in page.content.decode()  # its two installments


@pytest.mark.parametrize("who", ["cleo", "wren", "eddie", "sue"])
def test_other_roles_are_sent_to_the_login_page(writing: Writing, who: str) -> None:
    special = _special(writing)
    client = session_client(writing.tenant, getattr(writing, who))

    for url in (admin_url(SpecialOrder), admin_url(SpecialOrder, "change", special.pk)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_starting_puts_the_writer_on_once_the_first_installment_is_paid(writing: Writing) -> None:
    # given: an accepted special order, its first installment paid, and another not paid yet
    paid = _special(writing, accepted=True)
    with tenant_context(writing.tenant):
        pay_installment(paid, 1)
    unpaid = _special(writing, accepted=True)
    # when
    response = run_action(
        admin_client(writing.tenant), SpecialOrder, "start_special_orders", [paid, unpaid], writer=writing.wren.pk
    )
    # then: the paid one in progress with wren; the other refused by the plan
    shown = messages_of(response)
    assert "1 started." in shown and f"{unpaid}: The work starts once the first installment is paid." in shown
    started = reload(writing, paid)
    assert (started.status, started.writer_id) == (S.IN_PROGRESS, writing.wren.pk)
    assert (reload(writing, unpaid).status, reload(writing, unpaid).writer_id) == (S.ACCEPTED, None)
    with tenant_context(writing.tenant):
        assert AuditLogEntry.objects.filter(verb="special_order.started", target_id=str(paid.pk)).exists()
        assert Notification.objects.filter(recipient=writing.cleo, verb="special_order.started").exists()


def test_completing_needs_every_installment_paid(writing: Writing) -> None:
    # given: work started with one of two installments paid
    special = _special(writing, in_progress=True)
    client = admin_client(writing.tenant)
    # when: completed too early, then after the second payment
    early = run_action(client, SpecialOrder, "complete_special_orders", [special])
    with tenant_context(writing.tenant):
        pay_installment(special, 2)
    done = run_action(client, SpecialOrder, "complete_special_orders", [special])
    # then
    assert messages_of(early) == [f"{special}: A special order is completed once every installment is paid."]
    assert messages_of(done) == ["1 completed."]
    assert reload(writing, special).status == S.COMPLETED


def test_cancelling_calls_off_the_unpaid_installments(writing: Writing) -> None:
    special = _special(writing, accepted=True)

    response = run_action(
        admin_client(writing.tenant), SpecialOrder, "cancel_special_orders", [special], reason="Client unreachable."
    )

    assert messages_of(response) == ["1 cancelled."]
    cancelled = reload(writing, special)
    assert (cancelled.status, cancelled.reason) == (S.CANCELLED, "Client unreachable.")
    with tenant_context(writing.tenant):
        installments = Installment.objects.filter(special_order=special)
        assert {i.status for i in installments} == {"cancelled"}
        invoices = Invoice.objects.filter(pk__in=[i.invoice_id for i in installments])
        assert {invoice.status for invoice in invoices} == {"cancelled"}
        assert Notification.objects.filter(recipient=writing.cleo, verb="special_order.cancelled").exists()


def test_a_completed_special_order_is_not_cancelled(writing: Writing) -> None:
    special = _special(writing, completed=True)

    response = run_action(admin_client(writing.tenant), SpecialOrder, "cancel_special_orders", [special], reason="")

    assert len(messages_of(response)) == 1 and messages_of(response)[0].startswith(f"{special}: ")
    assert reload(writing, special).status == S.COMPLETED


def test_the_special_order_list_costs_the_same_queries_for_2_and_for_10(writing: Writing) -> None:
    # a new client each
    assert_list_queries_fixed(writing.tenant, SpecialOrder, lambda: SpecialOrderFactory(quoted=True))


def test_a_site_never_shows_another_sites_special_orders(writing: Writing, hotel: Tenant) -> None:
    with tenant_context(hotel):
        theirs = SpecialOrderFactory(title="Hotel-only thesis")

    assert_admin_hides(writing.tenant, theirs, "Hotel-only thesis")
