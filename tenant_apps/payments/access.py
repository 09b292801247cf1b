"""Who may do what with invoices and payments.

* **Finance roles** issue and cancel invoices and decide offline payments: the roles a kind names
  in its ``kind.py`` (``finance_roles``), and ``admin`` everywhere.
* **Visibility**: finance users see every invoice and payment of their site; anyone else sees the
  invoices billed to them and the payments on those (``invoices_visible_to``,
  ``payments_visible_to``, which every read starts from). Everything else answers 404, so ids of
  other people's invoices leak nothing (``access_invoice``, ``access_payment``).
* **Receipts**: a receipt file is readable by whoever may see its payment (registered with the
  files app from ``PaymentsConfig.ready``); its uploader and admins may always read it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from saas.db.tenant import current_kind
from saas.errors import NotFound
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.kinds import ADMIN, kind_spec
from tenant_apps.payments.models import ZERO, Invoice, Payment, PaymentStatus


def finance_roles(kind: str | None = None) -> tuple[str, ...]:
    """Roles that issue invoices and approve payments on ``kind`` (default: the current tenant's):
    its ``KindSpec.finance_roles``, always with ``admin``."""
    spec = kind_spec(kind or current_kind())
    return (*(spec.finance_roles if spec else ()), ADMIN)


def user_is_finance(user: Any) -> bool:
    """Whether ``user`` (authenticated) holds one of the current kind's finance roles."""
    return bool(user and user.is_authenticated and user_has_role(user, *finance_roles()))


def can_read_receipt(user: Any, stored_file: Any) -> bool:
    """File-access rule: ``stored_file`` is the receipt of a payment ``user`` may see."""
    payment = Payment.objects.filter(receipt_id=stored_file.pk).select_related("invoice").first()
    if payment is None:
        return False
    return user_is_finance(user) or payment.invoice.customer_id == user.pk


def _pending_sum() -> Coalesce:
    pending = (
        Payment.objects.filter(invoice=OuterRef("pk"), status=PaymentStatus.PENDING)
        .order_by()
        .values("invoice")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    money = DecimalField(max_digits=12, decimal_places=2)
    return Coalesce(Subquery(pending, output_field=money), Value(ZERO), output_field=money)


def invoices_visible_to(user: Any) -> QuerySet[Invoice]:
    """Every invoice ``user`` may see (finance: all; others: their own), with ``amount_pending``,
    its lines and its payments (with payer, receipt and decider) prefetched."""
    invoices = (
        Invoice.objects.select_related("customer")
        .annotate(amount_pending=_pending_sum())
        .prefetch_related("lines", "payments__payer", "payments__receipt", "payments__decided_by")
    )
    if not user_is_finance(user):
        invoices = invoices.filter(customer_id=user.pk)
    return invoices


def payments_visible_to(user: Any) -> QuerySet[Payment]:
    """Every payment ``user`` may see: finance all, others those on their own invoices."""
    payments = Payment.objects.select_related("invoice", "payer", "receipt", "decided_by")
    if not user_is_finance(user):
        payments = payments.filter(invoice__customer_id=user.pk)
    return payments


def access_invoice(*, user: Any, pk: Any) -> Invoice:
    """The ``Invoice`` ``pk`` with its lines and payments, if ``user`` may see it
    (``invoices_visible_to``).

    Raises ``NotFound`` (404 ``not_found``) for an unknown id and for another customer's invoice
    alike. No ``lock``: services lock the invoice themselves (``locks.invoice_lock``).
    """
    try:
        invoice = invoices_visible_to(user).filter(pk=pk).first()
    except (TypeError, ValueError, DjangoValidationError):
        invoice = None
    if invoice is None:
        raise NotFound("No such invoice.")
    return invoice


def access_payment(*, user: Any, pk: Any) -> Payment:
    """The ``Payment`` ``pk``, if ``user`` may see it (``payments_visible_to``).

    Raises ``NotFound`` (404 ``not_found``) for an unknown id and for a payment on another customer's
    invoice alike. No ``lock``: services lock the invoice, then the payment (``locks``).
    """
    try:
        payment = payments_visible_to(user).filter(pk=pk).first()
    except (TypeError, ValueError, DjangoValidationError):
        payment = None
    if payment is None:
        raise NotFound("No such payment.")
    return payment
