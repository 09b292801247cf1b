"""Demo data for ``manage.py setup_demo``: one invoice per demo customer.

Call inside the tenant's context, e.g. from setup_demo::

    from tenant_apps.payments.demo import create_demo_invoice

    with tenant_context(tenant):
        create_demo_invoice(customer)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from tenant_apps.payments.models import Invoice
from tenant_apps.payments.services import invoice_create

DEMO_NOTE = "Demo invoice: pay it by bank transfer (upload a receipt) or by card through Stripe."


def create_demo_invoice(customer: Any) -> Invoice:
    """An unpaid two-line invoice (150.00 in ``DEFAULT_CURRENCY``, due in 14 days) for ``customer``.

    Idempotent: returns the customer's existing demo invoice if there is one. No e-mail is sent
    (the console backend would print the whole PDF).
    """
    existing = Invoice.objects.filter(customer=customer, note=DEMO_NOTE).order_by("pk").first()
    if existing is not None:
        return existing
    return invoice_create(
        customer=customer,
        due_date=timezone.localdate() + timedelta(days=14),
        lines=[
            {"description": "Registration fee", "quantity": 1, "unit_price": "50.00"},
            {"description": "Monthly plan", "quantity": 2, "unit_price": "50.00"},
        ],
        note=DEMO_NOTE,
        send_email=False,
    )
