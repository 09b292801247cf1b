"""Purchases of products: the invoice, and what happens when it is paid."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from saas.api.errors import ApplicationError
from saas.errors import Conflict, ErrorCode
from tenant_apps.audit.services import audit_record
from tenant_apps.payments.models import Invoice, InvoiceStatus
from tenant_apps.payments.services import invoice_create
from tenant_apps.school.lessons.access import can_buy
from tenant_apps.school.lessons.locks import invoice_purchase_lock, live_purchase_lock
from tenant_apps.school.lessons.models import (
    LIVE_PURCHASE_STATUSES,
    Product,
    ProductPurchase,
    PurchaseStatus,
)
from tenant_apps.school.lessons.services._common import _require, logger
from tenant_apps.school.lessons.services.groups import group_assign

#: Days a student has to pay a purchase's invoice.
PURCHASE_DUE_DAYS = 14


def _already_purchased(purchase: ProductPurchase) -> ApplicationError:
    return Conflict(
        "You have already bought this product."
        if purchase.status == PurchaseStatus.PAID
        else "You have already ordered this product; pay its invoice.",
        code=ErrorCode.ALREADY_PURCHASED,
        details={"purchase": purchase.pk, "status": purchase.status, "invoice": purchase.invoice_id},
    )


def _purchase_cancel(purchase: ProductPurchase, *, actor: Any) -> None:
    """Mark a pending ``purchase`` whose invoice was cancelled as ``cancelled`` (locked by the caller)."""
    purchase.status = PurchaseStatus.CANCELLED
    purchase.save(update_fields=["status"])
    audit_record(
        actor=actor,
        verb="product.purchase_cancelled",
        target=purchase,
        changes={
            "status": [PurchaseStatus.PENDING, PurchaseStatus.CANCELLED],
            "invoice": purchase.invoice_id,
            "reason": "invoice_cancelled",
        },
    )


def product_purchase_create(*, student: Any, product: Product, send_email: bool = True) -> ProductPurchase:
    """``student`` orders ``product``: a pending purchase billed by a new invoice (the full price, due in
    ``PURCHASE_DUE_DAYS`` days, e-mailed with its PDF after commit unless ``send_email`` is false).

    One live purchase per student and product: a second order answers 409 ``already_purchased``
    (with the existing purchase and invoice in ``details``); a pending purchase whose invoice was
    cancelled is marked ``cancelled`` first, so the student can order again. Two orders at the same
    moment meet at the partial unique index; the loser's invoice is rolled back with it.

    Raises ``ApplicationError``: ``permission_denied`` (403, not a student),
    ``product_unavailable`` (409, unpublished), ``already_purchased`` (409), and the invoice's
    errors (``invalid_customer``, ...).
    """
    _require(can_buy(student))
    with transaction.atomic():
        product = Product.objects.get(pk=product.pk)
        if not product.is_published:
            raise Conflict("This product is not on sale.", code=ErrorCode.PRODUCT_UNAVAILABLE)
        live = live_purchase_lock(student_id=student.pk, product_id=product.pk)
        if live is not None:
            if live.status == PurchaseStatus.PENDING and live.invoice.status == InvoiceStatus.CANCELLED:
                _purchase_cancel(live, actor=student)
            else:
                raise _already_purchased(live)
        invoice = invoice_create(
            customer=student,
            currency=product.currency,
            created_by=None,
            send_email=send_email,
            due_date=timezone.localdate() + timedelta(days=PURCHASE_DUE_DAYS),
            lines=[{"description": product.title[:300], "quantity": 1, "unit_price": product.price}],
            note=f"Product: {product.title}",
        )
        try:
            with transaction.atomic():
                purchase = ProductPurchase.objects.create(student=student, product=product, invoice=invoice)
        except IntegrityError:
            concurrent = ProductPurchase.objects.filter(
                student_id=student.pk, product=product, status__in=LIVE_PURCHASE_STATUSES
            ).first()
            if concurrent is None:
                raise
            raise _already_purchased(concurrent) from None
        audit_record(
            actor=student,
            verb="product.purchased",
            target=purchase,
            changes={
                "product": product.pk,
                "invoice": invoice.pk,
                "invoice_number": invoice.number,
                "total": str(invoice.total),
                "currency": invoice.currency,
            },
        )
    return purchase


def product_purchase_mark_paid(*, invoice: Invoice) -> ProductPurchase | None:
    """The purchase billed by ``invoice`` becomes ``paid`` and its student gets a group seat.

    Called from the ``invoice_paid`` receiver (``receivers.py``), inside the payments transaction
    that holds ``invoice``'s row lock: the purchase, the seat, their audit rows and the student's
    notification commit or roll back with the payment. Invoices that bill no purchase are ignored
    (``None``); the receiver runs only in school schemas (``kinds.connect_for_kind``). Idempotent.
    """
    with transaction.atomic():
        purchase = invoice_purchase_lock(invoice.pk)
        if purchase is None:
            return None
        if purchase.status == PurchaseStatus.CANCELLED:  # pragma: no cover - a cancelled invoice cannot be paid
            logger.error("invoice %s is paid but its purchase %s is cancelled", invoice.pk, purchase.pk)
            return purchase
        if purchase.status != PurchaseStatus.PAID:
            purchase.status, purchase.paid_at = PurchaseStatus.PAID, timezone.now()
            purchase.save(update_fields=["status", "paid_at"])
            audit_record(
                actor=None,
                verb="product.purchase_paid",
                target=purchase,
                changes={
                    "status": [PurchaseStatus.PENDING, PurchaseStatus.PAID],
                    "invoice": invoice.pk,
                    "invoice_number": invoice.number,
                },
            )
        group_assign(product=purchase.product, student=purchase.student)
    return purchase
