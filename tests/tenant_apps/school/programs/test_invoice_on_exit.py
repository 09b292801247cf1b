"""An enrolment that ends calls off its invoice: cancelled while unpaid, left for a refund once paid."""

from __future__ import annotations

from decimal import Decimal

from django_tenants.utils import tenant_context

from tenant_apps.payments.models import Invoice
from tests.factories import PaymentFactory
from tests.fixture_types import Enrol, MakeProgram
from tests.tenant_apps.school.programs.conftest import Site, enrolments_url, invoice_of


def _pay(site: Site, invoice: Invoice, amount: str) -> None:
    with tenant_context(site.tenant):
        PaymentFactory(
            invoice=invoice,
            amount=Decimal(amount),
            tracking_code=f"EXIT-{invoice.pk}-{amount}",
            receipt__name="r.pdf",
            approved=True,
            decided_by=site.fay,
        )


def test_withdrawing_an_unpaid_enrolment_cancels_its_invoice(
    site: Site, make_program: MakeProgram, enrol: Enrol
) -> None:
    # given: ann's approved enrolment with its unpaid invoice
    enrolment = enrol(site, make_program(), site.ann, approve=True)
    assert invoice_of(site, enrolment).status == "unpaid"
    # when
    response = site.client("ann").post(enrolments_url("bootcamps", enrolment.pk, "withdraw"))
    # then
    assert response.status_code == 200, response.content
    invoice = invoice_of(site, enrolment)
    assert invoice.status == "cancelled"
    assert "withdrawn" in invoice.cancel_reason


def test_cancelling_a_partly_paid_enrolment_keeps_the_invoice_and_asks_finance_for_a_refund(
    site: Site, make_program: MakeProgram, enrol: Enrol
) -> None:
    from tenant_apps.notifications.models import Notification

    enrolment = enrol(site, make_program(), site.ann, approve=True)
    _pay(site, invoice_of(site, enrolment), "100.00")
    # when support cancels the enrolment
    response = site.client("sue").post(
        enrolments_url("bootcamps", enrolment.pk, "cancel"), {"reason": "Moved to another city."}
    )
    # then the money is not silently written off
    assert response.status_code == 200, response.content
    invoice = invoice_of(site, enrolment)
    assert invoice.status == "partially_paid"
    with tenant_context(site.tenant):
        assert Notification.objects.filter(recipient=site.fay, verb="invoice.refund_needed").exists()
