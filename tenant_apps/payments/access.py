"""Who may do what with invoices and payments.

* **Finance roles** issue and cancel invoices and decide offline payments: the roles a kind names
  in its ``kind.py`` (``finance_roles``), and ``admin`` everywhere.
* **Visibility**: finance users see every invoice and payment of their site; anyone else sees the
  invoices billed to them and the payments on those (``selectors.invoices_visible_to``,
  ``payments_visible_to``). Everything else answers 404, so ids of other people's invoices leak
  nothing (``access_invoice``, ``access_payment``).
* **Receipts**: a receipt file is readable by whoever may see its payment (registered with the
  files app from ``PaymentsConfig.ready``); its uploader and admins may always read it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError

from saas.db.tenant import current_kind
from saas.errors import NotFound
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.kinds import ADMIN, kind_spec


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
    from tenant_apps.payments.models import Payment

    payment = Payment.objects.filter(receipt_id=stored_file.pk).select_related("invoice").first()
    if payment is None:
        return False
    return user_is_finance(user) or payment.invoice.customer_id == user.pk


def access_invoice(*, user: Any, pk: Any) -> Any:
    """The ``Invoice`` ``pk`` with its lines and payments, if ``user`` may see it
    (``selectors.invoices_visible_to``).

    Raises ``NotFound`` (404 ``not_found``) for an unknown id and for another customer's invoice
    alike. No ``lock``: services lock the invoice themselves (``locks.invoice_lock``).
    """
    from tenant_apps.payments import selectors  # the scope and its shape; selectors import this module

    try:
        invoice = selectors.invoices_visible_to(user).filter(pk=pk).first()
    except (TypeError, ValueError, DjangoValidationError):
        invoice = None
    if invoice is None:
        raise NotFound("No such invoice.")
    return invoice


def access_payment(*, user: Any, pk: Any) -> Any:
    """The ``Payment`` ``pk``, if ``user`` may see it (``selectors.payments_visible_to``).

    Raises ``NotFound`` (404 ``not_found``) for an unknown id and for a payment on another customer's
    invoice alike. No ``lock``: services lock the invoice, then the payment (``locks``).
    """
    from tenant_apps.payments import selectors  # the scope and its shape; selectors import this module

    try:
        payment = selectors.payments_visible_to(user).filter(pk=pk).first()
    except (TypeError, ValueError, DjangoValidationError):
        payment = None
    if payment is None:
        raise NotFound("No such payment.")
    return payment
