"""An admin decides an inspected return: approval (refund, restock, penalty) or rejection.

**Approval** is allowed from ``inspected`` only: the refund and the restock follow what the
inspection found (a return approved before its parcel arrived would restock units nobody has
seen). Rejection is allowed from any open status (``requested``, ``received``, ``inspected``).

The refund is ``sum(quantity x unit_price)`` of the return's items (``Decimal``, the order's
currency), and where it comes from depends on the order:

* **not completed** (``delivered``): the money is still held in the buyer's wallet, so that part
  of the hold is released to them (``escrow_release``, reference ``return:<id>:refund``) and the
  items' ``returned_quantity`` grows by the returned units: the settlement never captures them.
* **completed**: the sellers were paid. Each seller pays back the share of the returned units in
  what they actually received for the order (their ``escrow_capture`` ledger entry, reference
  ``order:<order id>:seller:<seller id>``): ``received x returned value / value kept at
  completion``, rounded half up; when the return takes the seller's last kept units, exactly what
  is left of what they received. ``wallet_refund(payer=buyer, payee=seller)``, reference
  ``return:<id>:seller:<seller id>``. The rest (the site's commission on those units) is refunded
  by the site: ``wallet_refund(payee=None)``, reference ``return:<id>:site``.
  ``returned_quantity`` is left as it was at completion (it counts the units the settlement did
  not capture); the units refunded afterwards are those of the order's approved returns.
  A seller whose balance no longer holds their share makes the approval fail with 409
  ``insufficient_funds`` (``details.user_id``, the seller): nothing changes, the return stays
  ``inspected``, and the admin approves again once the seller's wallet allows it (or rejects).
  No wallet ever goes negative, and the site does not lend a seller money.

Then ``resellable`` units go back to their product's stock (products locked in primary-key order;
``damaged`` ones do not), each seller of a returned item loses ``penalty_points``
(``seller_points_change``, ``return_penalty``, reference ``return:<id>:<seller id>``; capped at the
points they hold), the buyer is notified (``return.decided``) and so is each seller
(``return.approved``, with what they paid back). Everything in one transaction: a refusal changes
nothing. Every movement has its reference, so a repeated approval cannot pay twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from saas.errors import ApplicationError
from saas.money import round_money
from tenant_apps.audit.services import audit_record
from tenant_apps.store.catalog.locks import products_lock
from tenant_apps.store.orders.models import Order, OrderItem, OrderStatus
from tenant_apps.store.returns.access import ensure_can_decide_returns
from tenant_apps.store.returns.models import ItemCondition, ReturnItem, ReturnRequest, ReturnStatus
from tenant_apps.store.returns.services._common import locked_return, notify_return, return_facts, transition_refused
from tenant_apps.store.shop.models import PointsEntryKind
from tenant_apps.store.shop.services import seller_points_change
from tenant_apps.wallet.locks import wallets_lock
from tenant_apps.wallet.models import LedgerEntry, LedgerEntryKind
from tenant_apps.wallet.services import escrow_release, wallet_open, wallet_refund

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class RefundShares:
    """Who pays a completed order's refund back: ``{seller id: amount}`` and the site's part."""

    sellers: dict[int, Decimal]
    site: Decimal


def _seller_received(order: Order, seller_id: int) -> Decimal:
    """What ``seller_id`` got for ``order`` at completion (their ``escrow_capture`` entry; 0 without one)."""
    entry = LedgerEntry.objects.filter(
        wallet__user_id=seller_id, kind=LedgerEntryKind.ESCROW_CAPTURE, reference=f"order:{order.pk}:seller:{seller_id}"
    ).first()
    return entry.balance_delta if entry is not None else ZERO


def _seller_paid_back(order: Order, seller_id: int, *, before: int) -> Decimal:
    """What ``seller_id`` already refunded for ``order``'s approved returns other than ``before``."""
    references = [
        f"return:{pk}:seller:{seller_id}"
        for pk in ReturnRequest.objects.filter(order_id=order.pk, status=ReturnStatus.APPROVED)
        .exclude(pk=before)
        .values_list("pk", flat=True)
    ]
    entries = LedgerEntry.objects.filter(
        wallet__user_id=seller_id, kind=LedgerEntryKind.REFUND, reference__in=references
    )
    return -sum((entry.balance_delta for entry in entries), ZERO)


def refund_shares(*, order: Order, return_request: ReturnRequest, lines: list[ReturnItem]) -> RefundShares:
    """How the refund of ``lines`` (``return_request``'s items, with their order items) of the
    completed ``order`` splits between its sellers and the site (module docs). Reads only."""
    items = list(OrderItem.objects.filter(order_id=order.pk))
    approved_units: dict[int, int] = defaultdict(int)
    for row in ReturnItem.objects.filter(
        return_request__order_id=order.pk, return_request__status=ReturnStatus.APPROVED
    ).exclude(return_request_id=return_request.pk):
        approved_units[row.order_item_id] += row.quantity
    returning: dict[int, int] = {line.order_item_id: line.quantity for line in lines}
    part: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        part[line.order_item.seller_id] += line.order_item.unit_price * line.quantity
    sellers: dict[int, Decimal] = {}
    site = ZERO
    for seller_id, value in sorted(part.items()):
        own = [item for item in items if item.seller_id == seller_id]
        kept_at_completion = sum((item.unit_price * (item.quantity - item.returned_quantity) for item in own), ZERO)
        left_after = sum(item.quantity - approved_units[item.pk] - returning.get(item.pk, 0) for item in own)
        received = _seller_received(order, seller_id)
        owed = max(received - _seller_paid_back(order, seller_id, before=return_request.pk), ZERO)
        if left_after <= 0 or kept_at_completion <= 0:
            share = owed
        else:
            share = min(round_money(received * value / kept_at_completion, order.currency), owed)
        share = min(share, round_money(value, order.currency))
        sellers[seller_id] = share
        site += round_money(value, order.currency) - share
    return RefundShares(sellers=sellers, site=site)


def return_approve(*, return_id: int, actor: Any, penalty_points: int = 0) -> ReturnRequest:
    """Approve an ``inspected`` return: refund, restock, penalty, notifications (module docs).

    ``penalty_points`` (>= 0) are taken from each seller of a returned item. Raises
    ``permission_denied`` (403: not an admin), ``invalid_status_transition`` (409: not
    ``inspected``), ``insufficient_funds`` (409: a seller of a completed order cannot pay their
    share back; ``details.user_id``), ``validation_error`` (400: negative points).
    """
    if penalty_points < 0:
        raise ApplicationError("Penalty points are 0 or more.", details={"penalty_points": ["At least 0."]})
    with transaction.atomic():
        return_request = locked_return(return_id)
        ensure_can_decide_returns(actor)
        if return_request.status != ReturnStatus.INSPECTED:
            raise transition_refused(return_request, "approved")
        order = return_request.order
        lines = list(return_request.items.select_related("order_item").order_by("id"))
        refund = round_money(sum((line.order_item.unit_price * line.quantity for line in lines), ZERO), order.currency)
        restock: dict[int, int] = defaultdict(int)
        for line in lines:
            if line.condition == ItemCondition.RESELLABLE and line.order_item.product_id:
                restock[line.order_item.product_id] += line.quantity
        products = products_lock(restock)
        users = get_user_model().objects.in_bulk(sorted({line.order_item.seller_id for line in lines}))
        buyer_wallet = wallet_open(user=order.buyer)
        paid_back: dict[int, Decimal] = {}
        memo = f"Return #{return_request.pk} of {order.number}"
        if order.status == OrderStatus.COMPLETED:
            shares = refund_shares(order=order, return_request=return_request, lines=lines)
            seller_wallets = {seller: wallet_open(user=users[seller]) for seller, amount in shares.sellers.items()}
            wallets_lock(wallet_ids=[buyer_wallet.pk, *(wallet.pk for wallet in seller_wallets.values())])
            for seller, amount in shares.sellers.items():
                if amount > 0:
                    wallet_refund(
                        payer=buyer_wallet,
                        payee=seller_wallets[seller],
                        amount=amount,
                        actor=actor,
                        reference=f"return:{return_request.pk}:seller:{seller}",
                        memo=memo,
                    )
                paid_back[seller] = amount
            if shares.site > 0:
                wallet_refund(
                    payer=buyer_wallet,
                    amount=shares.site,
                    actor=actor,
                    reference=f"return:{return_request.pk}:site",
                    memo=memo,
                )
        else:
            escrow_release(
                wallet=buyer_wallet,
                amount=refund,
                actor=actor,
                reference=f"return:{return_request.pk}:refund",
                memo=memo,
            )
            for line in lines:
                item = line.order_item
                item.returned_quantity += line.quantity
                item.save(update_fields=["returned_quantity"])
        for product_id, units in sorted(restock.items()):
            product = products.get(product_id)
            if product is not None:
                product.stock += units
                product.save(update_fields=["stock", "updated_at"])
        if penalty_points > 0:
            for seller in sorted(users):
                seller_points_change(
                    seller=users[seller],
                    delta=-penalty_points,
                    kind=PointsEntryKind.RETURN_PENALTY,
                    reference=f"return:{return_request.pk}:{seller}",
                    memo=memo,
                    actor=actor,
                )
        return_request.status, return_request.refund_amount = ReturnStatus.APPROVED, refund
        return_request.penalty_points = penalty_points
        return_request.decided_at, return_request.decided_by = timezone.now(), actor
        return_request.save(update_fields=["status", "refund_amount", "penalty_points", "decided_at", "decided_by"])
        audit_record(
            actor=actor,
            verb="return.approved",
            target=return_request,
            changes={
                **return_facts(return_request),
                "refund": str(refund),
                "paid_back": {str(seller): str(amount) for seller, amount in paid_back.items()},
                "restocked": {str(pk): units for pk, units in sorted(restock.items()) if pk in products},
                "penalty_points": penalty_points,
            },
        )
        notify_return(
            return_request,
            recipient=order.buyer,
            verb="return.decided",
            refund_amount=str(refund),
            currency=order.currency,
        )
        for seller in sorted(users):
            notify_return(
                return_request,
                recipient=users[seller],
                verb="return.approved",
                paid_back=str(paid_back.get(seller, ZERO)),
                currency=order.currency,
                penalty_points=penalty_points,
            )
    return return_request


def return_reject(*, return_id: int, actor: Any, reason: str) -> ReturnRequest:
    """Reject an open return (``requested``, ``received`` or ``inspected``) with ``reason`` (shown to
    the buyer, notified ``return.decided``). No money or stock moves; the units may be asked for
    again in a new return while the window is open.

    Raises ``permission_denied`` (403: not an admin), ``invalid_status_transition`` (409: decided
    already), ``validation_error`` (400: no reason).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Say why the return is rejected.", details={"reason": ["This field is required."]})
    with transaction.atomic():
        return_request = locked_return(return_id)
        ensure_can_decide_returns(actor)
        if return_request.status not in (ReturnStatus.REQUESTED, ReturnStatus.RECEIVED, ReturnStatus.INSPECTED):
            raise transition_refused(return_request, "rejected")
        return_request.status, return_request.decision_reason = ReturnStatus.REJECTED, reason
        return_request.decided_at, return_request.decided_by = timezone.now(), actor
        return_request.save(update_fields=["status", "decision_reason", "decided_at", "decided_by"])
        audit_record(
            actor=actor,
            verb="return.rejected",
            target=return_request,
            changes={**return_facts(return_request), "reason": reason},
        )
        notify_return(return_request, recipient=return_request.buyer, verb="return.decided", reason=reason)
    return return_request
