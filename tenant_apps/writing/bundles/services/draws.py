"""Paying an unpaid order from a bundle purchase's units, and giving them back when it is cancelled.

**Drawing** (``order_pay_bundle``): an order of ``pages`` pages draws ``pages`` units from a
``pages`` bundle, or 1 from an ``assignments`` bundle; the purchase must be the order's client's,
``active`` and not past ``expires_at``, with enough units left. The order's invoice is called off
and the order becomes ``available`` as a paid one (``orders.services.order_mark_paid_otherwise``);
a ``BundleDraw`` records it. Locks: the order's invoice, then the order
(``order_with_invoice_lock``), then the purchase (``purchase_lock``): two orders drawing the last
units queue up on the purchase and the second is refused.

**Giving back** (``bundle_units_return``, on ``orders.signals.order_cancelled``): the order's draw
goes back to its purchase whatever the order's status was (an admin cancels a paid order before the
work is submitted, or resolves a dispute ``cancelled``): there is no money to refund on such an
order (its invoice was called off), so the units are the refund. A ``used_up`` purchase becomes
``active`` again unless past ``expires_at`` (then ``expired``); an expired one keeps them, unusable.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from saas.errors import Conflict, ErrorCode, PermissionDenied
from tenant_apps.audit.services import audit_record
from tenant_apps.writing.bundles.locks import purchase_lock
from tenant_apps.writing.bundles.models import BundleDraw, BundlePurchase, BundleUnit, PurchaseStatus
from tenant_apps.writing.bundles.services._common import notify_client
from tenant_apps.writing.orders.locks import order_with_invoice_lock
from tenant_apps.writing.orders.models import Order
from tenant_apps.writing.orders.services import order_mark_paid_otherwise


def units_for(order: Order, unit: str) -> int:
    """How many units of ``unit`` paying ``order`` takes: its pages, or 1 assignment."""
    return order.pages if unit == BundleUnit.PAGES else 1


def _check_drawable(purchase: BundlePurchase, units: int, now: Any) -> None:
    expired = purchase.expires_at is not None and purchase.expires_at <= now
    if purchase.status in (PurchaseStatus.PENDING, PurchaseStatus.EXPIRED) or expired:
        state = PurchaseStatus.EXPIRED if expired else purchase.status
        raise Conflict(
            f"This bundle is {state}: it pays no orders.",
            code=ErrorCode.BUNDLE_NOT_ACTIVE,
            details={"status": state},
        )
    if purchase.remaining < units:
        raise Conflict(
            f"This bundle has {purchase.remaining} {purchase.unit} left; the order takes {units}.",
            code=ErrorCode.BUNDLE_INSUFFICIENT_UNITS,
            details={"remaining": purchase.remaining, "required": units, "unit": purchase.unit},
        )


def order_pay_bundle(*, order: Order, purchase: BundlePurchase, payer: Any) -> Order:
    """Pay the unpaid ``order`` of ``payer`` (its client) from ``payer``'s ``purchase``: its units
    drawn (``units_for``; ``used_up`` at 0), a ``BundleDraw`` recorded, the order's invoice called
    off and the order ``available`` (``order_mark_paid_otherwise``, audited ``writing_order.paid``
    with ``via`` ``bundle`` and the purchase), audited ``writing_bundle.drawn``. One transaction.

    Raises ``PermissionDenied`` (403: not the order's client, or not their purchase), ``Conflict`` 409
    ``invalid_status_transition`` (the order is not unpaid), ``invoice_has_payments`` (a card
    payment of it is under way), ``bundle_not_active`` (pending, expired: ``details.status``),
    ``bundle_insufficient_units`` (``details``: ``remaining``, ``required``, ``unit``).
    """
    with transaction.atomic():
        locked = order_with_invoice_lock(order.pk)
        order_mark_paid_otherwise(order=locked, payer=payer, via="bundle", reference=f"#{purchase.pk}")
        held = purchase_lock(purchase.pk)
        if held.client_id != payer.pk:
            raise PermissionDenied("Pay from a bundle of your own.")
        units = units_for(locked, held.unit)
        _check_drawable(held, units, timezone.now())
        before = held.status
        held.remaining -= units
        if held.remaining == 0:
            held.status = PurchaseStatus.USED_UP
        held.save(update_fields=["remaining", "status", "updated_at"])
        draw = BundleDraw.objects.create(purchase=held, order=locked, units=units)
        audit_record(
            actor=payer,
            verb="writing_bundle.drawn",
            target=held,
            changes={
                "order": locked.pk,
                "number": locked.number,
                "units": units,
                "draw": draw.pk,
                "remaining": [held.remaining + units, held.remaining],
                **({"status": [before, held.status]} if before != held.status else {}),
            },
        )
    return locked


def bundle_units_return(*, order: Order, actor: Any) -> BundleDraw | None:
    """``order_cancelled``: give the units ``order`` drew back to its purchase (see the module's
    rule), ``returned_at`` now, audited (``writing_bundle.units_returned``), the client notified.
    Runs in the cancellation's transaction, the order locked; locks the purchase. ``None`` when the
    order was not paid from a bundle, or its units went back already."""
    draw = BundleDraw.objects.filter(order_id=order.pk, returned_at__isnull=True).first()
    if draw is None:
        return None
    with transaction.atomic():
        held = purchase_lock(draw.purchase_id)
        now = timezone.now()
        before = held.status
        held.remaining += draw.units
        if held.status == PurchaseStatus.USED_UP:
            assert held.expires_at is not None
            held.status = PurchaseStatus.ACTIVE if held.expires_at > now else PurchaseStatus.EXPIRED
        held.save(update_fields=["remaining", "status", "updated_at"])
        draw.returned_at = now
        draw.save(update_fields=["returned_at"])
        audit_record(
            actor=actor,
            verb="writing_bundle.units_returned",
            target=held,
            changes={
                "order": order.pk,
                "number": order.number,
                "units": draw.units,
                "remaining": [held.remaining - draw.units, held.remaining],
                **({"status": [before, held.status]} if before != held.status else {}),
            },
        )
        notify_client(held, verb="writing_bundle.units_returned", order=order.pk, units=draw.units)
    return draw
