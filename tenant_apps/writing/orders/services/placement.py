"""Placing an order, paying it (wallet or card) and cancelling it before the work starts.

``order_place`` prices the order once (``pricing.quote``) and copies the quote onto it, then bills
it with one invoice (not e-mailed when issued: the paid invoice is, with its PDF, by the payments
app). The order is ``unpaid`` until its invoice is paid, from the client's wallet
(``order_pay_wallet``) or by card (``order_pay_card``; Stripe's webhook sends ``invoice_paid`` and
``order_mark_paid`` makes the order ``available``). Locks: the invoice, then the order.

**Discounts and loyalty points at checkout** (issue 14): ``order_place`` takes a
``discount_code`` and ``redeem_points`` and prices them with the quote (``pricing.quote``: the
same rules and amounts as ``POST /quote/``). In the placement's transaction it locks the
discount the first pricing found (``discounts.locks.discount_lock``), then the client's loyalty
account (``loyalty.locks``), prices the order again under those locks and records the discount's
use (``discounts.services.discount_use_record``) and the points' ``redeem`` entry
(``loyalty.services.points_redeem_for_order``) with the order: two checkouts racing for a
one-use code queue up on the discount, and the second is refused (409
``discount_limit_reached``); two racing over one balance queue up on the account (409
``insufficient_points``). ``order_cancel`` of an unpaid order gives both back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from saas.errors import ApplicationError, Conflict, ErrorCode, PermissionDenied
from tenant_apps.audit.services import audit_record
from tenant_apps.payments.models import Invoice, Payment
from tenant_apps.payments.services import LineItem, invoice_call_off, invoice_create, payment_stripe_start
from tenant_apps.payments.services import payment_wallet_pay as _wallet_pay
from tenant_apps.writing.discounts.locks import discount_lock
from tenant_apps.writing.discounts.services import discount_use_record, discount_use_release
from tenant_apps.writing.kind import WRITER
from tenant_apps.writing.loyalty.services import account_lock_for, points_redeem_for_order, points_restore_for_order
from tenant_apps.writing.orders.access import can_place_order, grant_party
from tenant_apps.writing.orders.locks import order_lock, order_with_invoice_lock
from tenant_apps.writing.orders.models import Order, OrderStatus
from tenant_apps.writing.orders.services._common import move, notify_order, notify_role, order_facts
from tenant_apps.writing.orders.signals import order_cancelled
from tenant_apps.writing.pricing.models import OptionGroup, OrderOption
from tenant_apps.writing.pricing.pricing import Quote, quote

#: The longest topic, in characters.
MAX_TOPIC = 300
#: The longest instructions, in characters.
MAX_INSTRUCTIONS = 20000


def _option(group: str, slug: str | None) -> OrderOption | None:
    if not slug:
        return None
    return OrderOption.objects.get(group=group, slug=slug)  # quote checked it is offered


def _level(slug: str) -> OrderOption:
    return OrderOption.objects.get(group=OptionGroup.ACADEMIC_LEVEL, slug=slug)


def order_place(
    *,
    client: Any,
    topic: str,
    academic_level: str,
    deadline: datetime,
    pages: int,
    spacing: str,
    paper_type: str | None = None,
    subject: str | None = None,
    formatting_style: str | None = None,
    language: str | None = None,
    extras: list[str] | tuple[str, ...] = (),
    sources: int = 0,
    instructions: str = "",
    discount_code: str | None = None,
    redeem_points: int = 0,
    pricer: Callable[..., Quote] | None = None,
) -> Order:
    """Place an order for ``client``: priced by ``pricing.quote`` (the options are slugs; see its
    rules) and the quote copied onto the order (``currency``, ``price_per_page``, ``subtotal``,
    ``extras_total``, ``total``, ``price_lines``), status ``unpaid``, billed by one invoice issued
    to the client (due today, lines the quote's, not e-mailed). ``deadline`` is stored in UTC.

    ``discount_code`` (a code, or none: the best running campaign) and ``redeem_points`` (loyalty
    points to spend) are priced by the quote and recorded with the order under their locks (see
    the module docstring); the invoice then has one line, the order's total, describing them.

    Raises ``PermissionDenied`` (403: not a client), ``ApplicationError`` 400 ``validation_error``
    (the quote's rules, ``details`` naming each field; ``topic`` blank or over 300 characters),
    400 ``invalid_discount_code``, 409 ``discount_limit_reached``, 409 ``insufficient_points``,
    400 ``invalid_amount`` (nothing left to pay: redeem fewer points), 409 ``conflict`` (the
    campaign changed between the two pricings: quote again).

    ``pricer``: another pricing rule with ``quote``'s keyword arguments (but ``client``,
    ``discount_code`` and ``redeem_points``) and result, used instead of the page-rate table (an
    express class's: ``writing_bundles.pricing.express_pricer``); what it raises is raised. Such
    an order takes no discount code nor points (400 ``validation_error``), and no campaign.
    """
    if not can_place_order(client):
        raise PermissionDenied("Only clients place orders.")
    terms: dict[str, Any] = {
        "academic_level": academic_level,
        "deadline": deadline,
        "pages": pages,
        "spacing": spacing,
        "extras": list(extras),
        "paper_type": paper_type,
        "subject": subject,
        "formatting_style": formatting_style,
        "language": language,
    }
    if pricer is None:
        terms.update(client=client, discount_code=discount_code, redeem_points=redeem_points)
    elif discount_code or redeem_points:
        raise ApplicationError(
            "This order is priced by its own rule: no discount code or loyalty points.",
            details={
                field: ["Not available for this order."]
                for field, value in (("discount_code", discount_code), ("redeem_points", redeem_points))
                if value
            },
        )
    price_of = pricer or quote
    first = price_of(**terms)
    with transaction.atomic():
        discount = discount_lock(first.discount_id) if first.discount_id is not None else None
        if first.points_redeemed:
            account_lock_for(user=client)
        price = price_of(**terms)  # again, under the locks: the limits and the balance as they are now
        if price.discount_id != first.discount_id:
            raise Conflict("The discount changed while the order was placed: quote again.", code=ErrorCode.CONFLICT)
        if price.total <= 0:
            raise ApplicationError(
                "Nothing would be left to pay: redeem fewer points.",
                code=ErrorCode.INVALID_AMOUNT,
                details={"redeem_points": ["The order must still cost something."]},
            )
        order = Order.objects.create(
            client=client,
            topic=topic.strip()[:MAX_TOPIC],
            academic_level=_level(academic_level),
            paper_type=_option(OptionGroup.PAPER_TYPE, paper_type),
            subject=_option(OptionGroup.SUBJECT, subject),
            formatting_style=_option(OptionGroup.FORMATTING_STYLE, formatting_style),
            language=_option(OptionGroup.LANGUAGE, language),
            pages=price.pages,
            spacing=price.spacing,
            deadline=price.deadline.astimezone(UTC),
            instructions=instructions[:MAX_INSTRUCTIONS],
            sources=sources,
            extras=list(price.extras),
            currency=price.currency,
            price_per_page=price.price_per_page,
            subtotal=price.subtotal,
            extras_total=price.extras_total,
            discount_total=price.discount_total,
            loyalty_total=price.loyalty_total,
            total=price.total,
            price_lines=[
                {"kind": line.kind, "slug": line.slug, "description": line.description, "amount": str(line.amount)}
                for line in price.lines
            ],
        )
        if discount is not None:
            discount_use_record(discount=discount, order=order, amount=price.discount_total)
        if price.points_redeemed:
            points_redeem_for_order(order=order, points=price.points_redeemed)
        lines: list[LineItem] = [
            {"description": f"{order.number}: {line.description}"[:500], "quantity": 1, "unit_price": line.amount}
            for line in price.lines
        ]
        if price.discount_total or price.loyalty_total:  # an invoice line is never negative: one line
            described = "; ".join(line.description for line in price.lines)
            lines = [{"description": f"{order.number}: {described}"[:500], "quantity": 1, "unit_price": price.total}]
        order.invoice = invoice_create(
            customer=client,
            currency=price.currency,
            due_date=timezone.localdate(),
            lines=lines,
            note=f"Order {order.number}",
            send_email=False,
        )
        order.save(update_fields=["invoice"])
        grant_party(client, order)
        audit_record(actor=client, verb="writing_order.placed", target=order, changes=order_facts(order))
    return order


def _require_unpaid_client(order: Order, payer: Any) -> None:
    if payer.pk != order.client_id:
        raise PermissionDenied("Only the order's client pays it.")
    if order.status != OrderStatus.UNPAID:
        raise Conflict(
            f"This order is {order.status}: nothing to pay.",
            code=ErrorCode.INVALID_STATUS_TRANSITION,
            details={"status": order.status},
        )


def order_pay_wallet(*, order: Order, payer: Any) -> Order:
    """Pay ``order``'s invoice from its client ``payer``'s wallet (``payments.services.
    payment_wallet_pay``, ledger reference ``order:<id>:payment``); the invoice becomes paid and
    ``invoice_paid`` makes the order ``available`` (``order_mark_paid``) in the same transaction.

    Raises ``PermissionDenied`` (403: not the client), ``Conflict`` 409 ``invalid_status_transition``
    (not unpaid), ``currency_mismatch``, ``overpayment`` (a card payment is pending on it);
    ``ApplicationError`` 402 ``insufficient_funds``.
    """
    with transaction.atomic():
        locked = order_with_invoice_lock(order.pk)
        _require_unpaid_client(locked, payer)
        assert locked.invoice is not None  # every order is billed when placed
        _wallet_pay(invoice=locked.invoice, payer=payer, reference=f"order:{locked.pk}:payment", memo=locked.number)
        return order_lock(locked.pk)


@dataclass(frozen=True)
class OrderCheckout:
    """A started card payment of an order: confirm ``client_secret`` with Stripe.js."""

    order: Order
    payment: Payment
    client_secret: str


def order_pay_card(*, order: Order, payer: Any) -> OrderCheckout:
    """Start (or resume) the card payment of ``order``'s invoice by its client ``payer``
    (``payments.services.payment_stripe_start``, a PaymentIntent for the whole total). The order
    becomes ``available`` when Stripe's webhook reports the payment (``invoice_paid``).

    Raises ``PermissionDenied`` (403), ``Conflict`` 409 ``invalid_status_transition`` (not unpaid),
    and what ``payment_stripe_start`` raises (503 ``payments_unavailable``, 502, 409).
    """
    with transaction.atomic():
        locked = order_with_invoice_lock(order.pk)
        _require_unpaid_client(locked, payer)
        assert locked.invoice is not None
        checkout = payment_stripe_start(invoice=locked.invoice, payer=payer)
    return OrderCheckout(order=locked, payment=checkout.payment, client_secret=checkout.client_secret)


def order_mark_paid(*, invoice: Invoice) -> Order | None:
    """``invoice_paid``: make the order ``invoice`` bills ``available`` (``paid_at`` now), notify
    its client (``writing_order.paid``) and the writers (``writing_order.available``). Runs in the
    payment's transaction, the invoice locked. ``None`` for an invoice that bills no order; an
    order no longer unpaid (cancelled meanwhile) is left as it is and the payment logged for a
    refund (``writing_order.paid_after_cancel``)."""
    found = Order.objects.filter(invoice_id=invoice.pk).values_list("pk", flat=True).first()
    if found is None:
        return None
    order = order_lock(found)
    if order.status != OrderStatus.UNPAID:
        if order.status == OrderStatus.CANCELLED:
            audit_record(actor=None, verb="writing_order.paid_after_cancel", target=order, changes=order_facts(order))
        return order
    _open_to_writers(order)
    return order


def _open_to_writers(order: Order, **changes: Any) -> None:
    """Make the locked, unpaid ``order`` ``available`` (``paid_at`` now), audited
    ``writing_order.paid`` with ``changes``; notify its client and the writers."""
    order.paid_at = timezone.now()
    move(order, to=OrderStatus.AVAILABLE, actor=None, verb="writing_order.paid", fields=("paid_at",), **changes)
    notify_order(order, recipient=order.client, verb="writing_order.paid")
    notify_role(order, role=WRITER, verb="writing_order.available")


def order_mark_paid_otherwise(*, order: Order, payer: Any, via: str, reference: str) -> Order:
    """Make ``order`` ``available`` as paid by other means than its invoice (a class bundle's
    units, ``writing_bundles``): the caller has locked the order (``order_with_invoice_lock``) and
    taken what pays it, in the same transaction. The order's invoice is called off
    (``invoice_call_off``: status ``cancelled``, reason "Order WO-... paid by <via> <reference>",
    audited ``invoice.cancelled``), so it can never be paid twice; then the order moves as a paid one
    (``paid_at``, audit ``writing_order.paid`` with ``via`` and ``reference``, the client and the
    writers notified). Its invoice shows 0 paid, so ``order_refund`` refunds no money for it: the
    payer of ``via`` gives back what it took (``signals.order_cancelled``).

    Raises ``PermissionDenied`` (403: ``payer`` is not the client), ``Conflict`` 409
    ``invalid_status_transition`` (not unpaid), ``invoice_has_payments`` (a payment of the invoice
    is approved or pending, e.g. a card payment under way: it settles the order instead).
    """
    from tenant_apps.payments.models import PaymentStatus

    _require_unpaid_client(order, payer)
    assert order.invoice is not None  # every order is billed when placed
    if order.invoice.payments.filter(status__in=(PaymentStatus.PENDING, PaymentStatus.APPROVED)).exists():
        raise Conflict(
            "A payment of this order's invoice is under way or made.",
            code=ErrorCode.INVOICE_HAS_PAYMENTS,
            details={"invoice": order.invoice.number},
        )
    reason = f"Order {order.number} paid by {via} {reference}."
    if not invoice_call_off(invoice=order.invoice, reason=reason, actor=payer):  # pragma: no cover - checked above
        raise Conflict("This order's invoice has payments.", code=ErrorCode.INVOICE_HAS_PAYMENTS)
    _open_to_writers(order, via=via, reference=reference)
    return order


def order_cancel(*, order: Order, actor: Any, reason: str = "") -> Order:
    """Cancel ``order`` for ``actor``: its client while it is unpaid (the invoice is called off);
    an admin until it is submitted for review (``transitions``; a disputed order is cancelled by
    ``disputes.order_resolve``). Cancelling moves no money: a paid order's payment stays with the
    site until an admin decides a refund (``refunds.order_refund``, ``POST /orders/{id}/refunds/``,
    partial or full, to the client's wallet). Cancelling an unpaid order gives back its discount
    use and its redeemed loyalty points (``discounts.services.discount_use_release``,
    ``loyalty.services.points_restore_for_order``; a paid order's are kept: an admin's refund
    decides); an order paid from a class bundle gets its units back (``signals.order_cancelled``).
    The client and the writer, if any, are notified (``writing_order.cancelled``).

    Raises ``Conflict`` 409 ``invalid_status_transition``, ``PermissionDenied`` 403.
    """
    with transaction.atomic():
        locked = order_with_invoice_lock(order.pk)
        before = locked.status
        locked.cancelled_at = timezone.now()
        text = reason.strip()[:2000]
        move(
            locked,
            to=OrderStatus.CANCELLED,
            actor=actor,
            verb="writing_order.cancelled",
            fields=("cancelled_at",),
            reason=text,
        )
        if before == OrderStatus.UNPAID and locked.invoice is not None:
            invoice_call_off(invoice=locked.invoice, reason=f"Order {locked.number} cancelled.", actor=actor)
        if before == OrderStatus.UNPAID:  # the code's use and the redeemed points come back
            discount_use_release(order=locked, actor=actor)
            points_restore_for_order(order=locked, actor=actor)
        order_cancelled.send(sender=Order, order=locked, actor=actor, before=before)
        for person in (locked.client, locked.writer):
            if person is not None and person.pk != actor.pk:
                notify_order(locked, recipient=person, verb="writing_order.cancelled", body=text)
    return locked
