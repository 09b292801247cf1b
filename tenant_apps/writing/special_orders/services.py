"""Writes on special orders, in the current writing schema.

Who may call what: ``access.py`` and ``transitions.py`` (the one table of status moves). Locks
(``locks.py``): every change of an existing special order locks its installments' invoices, then
the order; wallet payments lock the wallet last. Every function is atomic, audits each state change
(``audit_record``) and notifies the people it concerns (``notify``, e-mailed for the client's
events; both sent after commit).

* ``special_order_request`` (client), ``special_order_quote`` (admin: total and plan at once),
  ``special_order_accept`` (client: the invoices issued), ``special_order_decline`` (client),
  ``special_order_cancel`` (client before accepting; admin until completed), ``special_order_start``
  (admin, first installment paid), ``special_order_complete`` (admin, every installment paid).
* ``installment_pay_wallet``, ``installment_pay_card`` (client, in sequence order);
  ``installment_mark_paid`` (``invoice_paid``; idempotent).
* ``installments_remind`` (the beat task): before-due reminders and overdue notices, once each.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypedDict

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from saas.errors import ApplicationError, Conflict, ErrorCode, NotFound, PermissionDenied
from saas.money import check_amount
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.audit.services import audit_record
from tenant_apps.emails.services import email_send
from tenant_apps.kinds import ADMIN as ADMIN_ROLE
from tenant_apps.notifications.services import notify
from tenant_apps.payments.models import Invoice, Payment
from tenant_apps.payments.services import invoice_call_off, invoice_create, payment_stripe_start
from tenant_apps.payments.services import payment_wallet_pay as _wallet_pay
from tenant_apps.writing.kind import WRITER as WRITER_ROLE
from tenant_apps.writing.special_orders import transitions
from tenant_apps.writing.special_orders.access import can_request
from tenant_apps.writing.special_orders.locks import special_order_lock, special_order_with_invoices_lock
from tenant_apps.writing.special_orders.models import (
    MAX_INSTALLMENTS,
    PAYABLE_STATUSES,
    Installment,
    InstallmentStatus,
    SpecialOrder,
    SpecialOrderStatus,
)

logger = logging.getLogger("tenant_apps.writing.special_orders")

#: The longest title, description, admin note and reason, in characters.
MAX_TITLE = 200
MAX_DESCRIPTION = 20000
MAX_NOTE = 5000
MAX_REASON = 2000
#: Days before an installment's due date its reminder is sent (``settings.WRITING_INSTALLMENT_REMINDER_DAYS``).
DEFAULT_REMINDER_DAYS = 3

S = SpecialOrderStatus
ZERO = Decimal("0.00")


class PlanItem(TypedDict):
    """One installment of a quote's plan: ``amount`` (decimal string or ``Decimal``) due on ``due_date``."""

    amount: Decimal | str
    due_date: date


# --- Shared helpers -----------------------------------------------------------------------------


def _facts(special_order: SpecialOrder) -> dict[str, Any]:
    """What a notification or audit row says about ``special_order`` (no one's identity)."""
    return {
        "special_order": special_order.pk,
        "title": special_order.title[:120],
        "status": special_order.status,
        "total": None if special_order.total is None else str(special_order.total),
        "currency": special_order.currency,
    }


#: What the e-mail of an event says, by notification verb; the other verbs are notified only.
EMAIL_HEADLINES = {
    "special_order.quoted": "Your special order has been quoted: see the plan and accept it.",
    "special_order.accepted": "The client accepted the quote.",
    "special_order.started": "Work on your special order has started.",
    "special_order.completed": "Your special order is completed.",
    "special_order.cancelled": "This special order was cancelled.",
    "special_order.installment_paid": "Your installment payment was received.",
    "special_order.installment_reminder": "An installment of your special order is due soon.",
    "special_order.installment_overdue": "An installment of your special order is overdue.",
}


def _notify(special_order: SpecialOrder, *, recipient: Any, verb: str, body: str = "", **extra: Any) -> None:
    """Notify ``recipient`` of ``verb`` about ``special_order`` (its facts plus ``extra``) and, for
    the verbs of ``EMAIL_HEADLINES``, e-mail them after commit (``emails/writing_special_order_update``,
    HTML and text)."""
    data = {**_facts(special_order), **extra, **({"body": body} if body else {})}
    notify(recipient=recipient, verb=verb, target=special_order, extra_data=data)
    headline = EMAIL_HEADLINES.get(verb)
    if headline and getattr(recipient, "email", ""):
        email_send(
            to=[recipient.email],
            subject=f"Special order {special_order.pk}: {headline}"[:200],
            template="writing_special_order_update",
            context={
                "number": special_order.pk,
                "title": special_order.title[:120],
                "status": special_order.get_status_display(),
                "headline": headline,
                "body": body[:2000],
            },
        )


def _notify_admins(special_order: SpecialOrder, *, verb: str, exclude: int | None = None, **extra: Any) -> None:
    """Notify every active admin (but ``exclude``) of ``verb`` about ``special_order`` (no e-mail)."""
    from tenant_apps.accounts.selectors import users_with_roles

    for admin in users_with_roles(ADMIN_ROLE, exclude=exclude):
        notify(recipient=admin, verb=verb, target=special_order, extra_data={**_facts(special_order), **extra})


def _parties(actor: Any, special_order: SpecialOrder) -> set[str]:
    found: set[str] = set()
    if actor.pk == special_order.client_id:
        found.add(transitions.CLIENT)
    if user_has_role(actor, ADMIN_ROLE):
        found.add(transitions.ADMIN)
    return found


def _move(
    special_order: SpecialOrder, *, to: str, actor: Any, verb: str, fields: tuple[str, ...] = (), **changes: Any
) -> str:
    """Move the locked ``special_order`` to ``to`` for ``actor`` (checked by ``transitions``), save
    it with ``fields`` too and audit ``verb``. Returns the status it had. Raises 409, 403."""
    before = special_order.status
    transitions.check_transition(current=before, wanted=to, parties=_parties(actor, special_order))
    special_order.status = to
    special_order.save(update_fields=["status", "updated_at", *fields])
    audit_record(actor=actor, verb=verb, target=special_order, changes={"status": [before, to], **changes})
    return before


def _invalid(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, code=ErrorCode.VALIDATION_ERROR, details={field: [message]})


def _check_writer(writer: Any) -> None:
    if writer is not None and not (writer.is_active and user_has_role(writer, WRITER_ROLE)):
        raise _invalid("writer", "Not an active writer of this site.")


def _installments(special_order: SpecialOrder) -> list[Installment]:
    return list(Installment.objects.filter(special_order=special_order).order_by("sequence"))


# --- Request, quote, accept, decline ------------------------------------------------------------


def special_order_request(
    *, client: Any, title: str, description: str = "", deadline: datetime | None = None
) -> SpecialOrder:
    """Ask for a special order as ``client``: ``requested``, no price yet; admins are notified
    (``special_order.requested``). ``deadline`` (optional, aware) must lie ahead; stored in UTC.

    Raises ``PermissionDenied`` (403: not a client), ``ApplicationError`` 400 ``validation_error``
    (``title`` blank or over 200 characters, ``description`` over 20000, ``deadline`` past).
    """
    if not can_request(client):
        raise PermissionDenied("Only clients ask for special orders.")
    title = title.strip()
    if not title or len(title) > MAX_TITLE:
        raise _invalid("title", f"A title of 1 to {MAX_TITLE} characters.")
    if len(description) > MAX_DESCRIPTION:
        raise _invalid("description", f"At most {MAX_DESCRIPTION} characters.")
    if deadline is not None and deadline <= timezone.now():
        raise _invalid("deadline", "The deadline must lie ahead.")
    with transaction.atomic():
        special_order = SpecialOrder.objects.create(
            client=client,
            title=title,
            description=description,
            deadline=None if deadline is None else deadline.astimezone(UTC),
        )
        audit_record(actor=client, verb="special_order.requested", target=special_order, changes=_facts(special_order))
        _notify_admins(special_order, verb="special_order.requested")
    return special_order


def _checked_plan(total: Decimal | str, plan: Sequence[PlanItem], currency: str) -> tuple[Decimal, list[PlanItem]]:
    """``(total, plan)`` checked: 1 to 12 installments, each amount exact and above zero, adding up
    to ``total`` exactly; due dates strictly ascending and not before today."""
    amount_total = check_amount(total, currency, field="total")
    if not 1 <= len(plan) <= MAX_INSTALLMENTS:
        raise _invalid("installments", f"From 1 to {MAX_INSTALLMENTS} installments.")
    checked: list[PlanItem] = []
    today = timezone.localdate()
    previous: date | None = None
    for index, item in enumerate(plan):
        amount = check_amount(item["amount"], currency, field=f"installments.{index}.amount")
        due = item["due_date"]
        if due < today:
            raise _invalid(f"installments.{index}.due_date", "A due date may not be in the past.")
        if previous is not None and due <= previous:
            raise _invalid(f"installments.{index}.due_date", "Due dates must be strictly ascending.")
        previous = due
        checked.append({"amount": amount, "due_date": due})
    added = sum((Decimal(item["amount"]) for item in checked), ZERO)
    if added != amount_total:
        raise ApplicationError(
            f"The installments add up to {added}, not the total {amount_total}.",
            code=ErrorCode.VALIDATION_ERROR,
            details={"installments": [f"The amounts add up to {added}; the total is {amount_total}."]},
        )
    return amount_total, checked


def special_order_quote(
    *,
    special_order: SpecialOrder,
    actor: Any,
    total: Decimal | str,
    installments: Sequence[PlanItem],
    admin_note: str = "",
    writer: Any = None,
) -> SpecialOrder:
    """Quote ``special_order`` (admin, while ``requested`` or ``quoted``): ``total`` in the site's
    pricing currency and the plan at once (``installments``: 1 to 12 ``{amount, due_date}``, the
    amounts adding up to the total exactly, due dates strictly ascending and not in the past). A
    new quote replaces the previous plan (nothing is billed before the client accepts).
    ``writer`` (optional) is assigned. The client is notified and e-mailed (``special_order.quoted``).

    Raises ``ApplicationError`` 400 ``validation_error`` / ``invalid_amount`` (``details`` naming
    the field), ``Conflict`` 409 ``invalid_status_transition``, ``PermissionDenied`` 403.
    """
    from tenant_apps.writing.pricing.services import pricing_currency

    currency = pricing_currency()
    amount_total, plan = _checked_plan(total, installments, currency)
    _check_writer(writer)
    with transaction.atomic():
        locked = special_order_with_invoices_lock(special_order.pk)
        locked.total, locked.currency = amount_total, currency
        locked.admin_note = admin_note.strip()[:MAX_NOTE]
        if writer is not None:
            locked.writer = writer
        locked.quoted_at = timezone.now()
        _move(
            locked,
            to=S.QUOTED,
            actor=actor,
            verb="special_order.quoted",
            fields=("total", "currency", "admin_note", "writer", "quoted_at"),
            total=str(amount_total),
            currency=currency,
            plan=[{"amount": str(item["amount"]), "due_date": item["due_date"].isoformat()} for item in plan],
        )
        Installment.objects.filter(special_order=locked).delete()  # unbilled: quoted or requested
        Installment.objects.bulk_create(
            Installment(
                special_order=locked,
                sequence=index,
                amount=item["amount"],
                currency=currency,
                due_date=item["due_date"],
            )
            for index, item in enumerate(plan, start=1)
        )
        _notify(locked, recipient=locked.client, verb="special_order.quoted", body=locked.admin_note)
    return locked


def special_order_accept(*, special_order: SpecialOrder, actor: Any) -> SpecialOrder:
    """Accept the quote of ``special_order`` (its client, while ``quoted``): ``accepted``, and every
    installment billed at once by its own invoice (``invoice_create``, due on the installment's
    date, not e-mailed: the paid invoice is). Admins are notified (``special_order.accepted``).

    Raises ``Conflict`` 409 ``invalid_status_transition`` (not quoted: cancelled meanwhile, say),
    ``quote_expired`` (the first due date has passed: an admin must quote again),
    ``PermissionDenied`` 403 (not its client).
    """
    with transaction.atomic():
        locked = special_order_with_invoices_lock(special_order.pk)
        transitions.check_transition(current=locked.status, wanted=S.ACCEPTED, parties=_parties(actor, locked))
        plan = _installments(locked)
        today = timezone.localdate()
        if not plan or plan[0].due_date < today:
            raise Conflict(
                "This quote has expired (an installment's due date has passed): ask for a new one.",
                code=ErrorCode.QUOTE_EXPIRED,
            )
        for installment in plan:
            installment.invoice = invoice_create(
                customer=locked.client,
                currency=installment.currency,
                due_date=installment.due_date,
                lines=[
                    {
                        "description": (
                            f"Special order {locked.pk}: {locked.title[:120]}, installment "
                            f"{installment.sequence} of {len(plan)}"
                        )[:300],
                        "quantity": 1,
                        "unit_price": installment.amount,
                    }
                ],
                note=f"Special order {locked.pk}, installment {installment.sequence} of {len(plan)}",
                send_email=False,
            )
            installment.save(update_fields=["invoice"])
        locked.accepted_at = timezone.now()
        _move(locked, to=S.ACCEPTED, actor=actor, verb="special_order.accepted", fields=("accepted_at",))
        _notify_admins(locked, verb="special_order.accepted")
    return locked


def special_order_decline(*, special_order: SpecialOrder, actor: Any, reason: str = "") -> SpecialOrder:
    """Decline the quote of ``special_order`` (its client, while ``quoted``): ``declined`` (final;
    nothing was billed). Admins are notified. Raises 409 ``invalid_status_transition``, 403."""
    with transaction.atomic():
        locked = special_order_with_invoices_lock(special_order.pk)
        locked.reason = reason.strip()[:MAX_REASON]
        locked.closed_at = timezone.now()
        _move(
            locked,
            to=S.DECLINED,
            actor=actor,
            verb="special_order.declined",
            fields=("reason", "closed_at"),
            reason=locked.reason,
        )
        _notify_admins(locked, verb="special_order.declined", body=locked.reason)
    return locked


def special_order_cancel(*, special_order: SpecialOrder, actor: Any, reason: str = "") -> SpecialOrder:
    """Cancel ``special_order``: its client while ``requested`` or ``quoted``; an admin until it is
    completed (``transitions``). Every pending installment is cancelled and its invoice, if issued,
    called off (``invoice_call_off``). Paid installments stay paid: the money stays with the site
    until an admin refunds it (a wallet adjustment; nothing here moves money). The client (when an
    admin cancels) or the admins (when the client does) and the writer are notified.

    Raises ``Conflict`` 409 ``invalid_status_transition``, ``PermissionDenied`` 403.
    """
    with transaction.atomic():
        locked = special_order_with_invoices_lock(special_order.pk)
        locked.reason = reason.strip()[:MAX_REASON]
        locked.closed_at = timezone.now()
        _move(
            locked,
            to=S.CANCELLED,
            actor=actor,
            verb="special_order.cancelled",
            fields=("reason", "closed_at"),
            reason=locked.reason,
        )
        for installment in _installments(locked):
            if installment.status != InstallmentStatus.PENDING:
                continue
            if installment.invoice_id is not None:
                assert installment.invoice is not None
                invoice_call_off(
                    invoice=installment.invoice, reason=f"Special order {locked.pk} cancelled.", actor=actor
                )
            installment.status = InstallmentStatus.CANCELLED
            installment.save(update_fields=["status"])
        if actor.pk != locked.client_id:
            _notify(locked, recipient=locked.client, verb="special_order.cancelled", body=locked.reason)
        else:
            _notify_admins(locked, verb="special_order.cancelled", body=locked.reason)
        if locked.writer is not None:
            _notify(locked, recipient=locked.writer, verb="special_order.cancelled")
    return locked


# --- Work ---------------------------------------------------------------------------------------


def special_order_start(*, special_order: SpecialOrder, actor: Any, writer: Any = None) -> SpecialOrder:
    """Start the work on ``special_order`` (admin, while ``accepted``): ``in_progress``, allowed
    only once the first installment is paid (the plan says when work proceeds). ``writer``
    (optional, an active writer) is assigned; they and the client are notified.

    Raises ``Conflict`` 409 ``invalid_status_transition``, ``installments_unpaid`` (the first
    installment is not paid); ``ApplicationError`` 400 (``writer``); ``PermissionDenied`` 403.
    """
    _check_writer(writer)
    with transaction.atomic():
        locked = special_order_with_invoices_lock(special_order.pk)
        transitions.check_transition(current=locked.status, wanted=S.IN_PROGRESS, parties=_parties(actor, locked))
        first = Installment.objects.filter(special_order=locked).order_by("sequence").first()
        if first is None or first.status != InstallmentStatus.PAID:
            raise Conflict(
                "The work starts once the first installment is paid.",
                code=ErrorCode.INSTALLMENTS_UNPAID,
                details={"unpaid": [1]},
            )
        if writer is not None:
            locked.writer = writer
        locked.started_at = timezone.now()
        _move(locked, to=S.IN_PROGRESS, actor=actor, verb="special_order.started", fields=("writer", "started_at"))
        _notify(locked, recipient=locked.client, verb="special_order.started")
        if locked.writer is not None:
            notify(
                recipient=locked.writer,
                verb="special_order.assigned",
                target=locked,
                extra_data={"special_order": locked.pk, "title": locked.title[:120]},
            )
    return locked


def special_order_complete(*, special_order: SpecialOrder, actor: Any) -> SpecialOrder:
    """Complete ``special_order`` (admin, while ``in_progress``), allowed only once every
    installment is paid. The client is notified and e-mailed.

    Raises ``Conflict`` 409 ``invalid_status_transition``, ``installments_unpaid`` (``details.unpaid``:
    the sequences still pending), ``PermissionDenied`` 403.
    """
    with transaction.atomic():
        locked = special_order_with_invoices_lock(special_order.pk)
        transitions.check_transition(current=locked.status, wanted=S.COMPLETED, parties=_parties(actor, locked))
        unpaid = [i.sequence for i in _installments(locked) if i.status != InstallmentStatus.PAID]
        if unpaid:
            raise Conflict(
                "A special order is completed once every installment is paid.",
                code=ErrorCode.INSTALLMENTS_UNPAID,
                details={"unpaid": unpaid},
            )
        locked.completed_at = timezone.now()
        _move(locked, to=S.COMPLETED, actor=actor, verb="special_order.completed", fields=("completed_at",))
        _notify(locked, recipient=locked.client, verb="special_order.completed")
    return locked


# --- Paying installments ------------------------------------------------------------------------


def _payable(special_order: SpecialOrder, sequence: int, payer: Any) -> Installment:
    """The installment ``sequence`` of the locked ``special_order`` that ``payer`` may pay now."""
    if payer.pk != special_order.client_id:
        raise PermissionDenied("Only the special order's client pays its installments.")
    plan = _installments(special_order)
    found = next((i for i in plan if i.sequence == sequence), None)
    if found is None:
        raise NotFound("No such installment.")
    if special_order.status not in PAYABLE_STATUSES or found.status != InstallmentStatus.PENDING:
        raise Conflict(
            f"Installment {sequence} is {found.status} on a special order that is {special_order.status}: "
            "nothing to pay.",
            code=ErrorCode.INVALID_STATUS_TRANSITION,
            details={"status": special_order.status, "installment_status": found.status},
        )
    earlier = [i.sequence for i in plan if i.sequence < sequence and i.status != InstallmentStatus.PAID]
    if earlier:
        raise Conflict(
            "Pay the installments in order: an earlier one is unpaid.",
            code=ErrorCode.INSTALLMENT_OUT_OF_ORDER,
            details={"unpaid": earlier},
        )
    return found


def installment_pay_wallet(*, special_order: SpecialOrder, sequence: int, payer: Any) -> Installment:
    """Pay installment ``sequence`` of ``special_order`` from its client ``payer``'s wallet
    (``payments.services.payment_wallet_pay``, ledger reference
    ``special_order:<id>:installment:<sequence>``); the invoice becomes paid and ``invoice_paid``
    marks the installment paid (``installment_mark_paid``) in the same transaction.

    Raises ``PermissionDenied`` 403 (not the client), ``NotFound`` 404 (no such installment),
    ``Conflict`` 409 ``invalid_status_transition`` (not payable: paid, cancelled, order not accepted
    or in progress), ``installment_out_of_order``, ``overpayment`` (a card payment is pending),
    ``currency_mismatch``; ``ApplicationError`` 402 ``insufficient_funds``.
    """
    with transaction.atomic():
        locked = special_order_with_invoices_lock(special_order.pk)
        installment = _payable(locked, sequence, payer)
        assert installment.invoice is not None  # accepted orders are billed
        _wallet_pay(
            invoice=installment.invoice,
            payer=payer,
            reference=f"special_order:{locked.pk}:installment:{sequence}",
            memo=f"Special order {locked.pk}, installment {sequence}",
        )
        return Installment.objects.get(pk=installment.pk)


@dataclass(frozen=True)
class InstallmentCheckout:
    """A started card payment of an installment: confirm ``client_secret`` with Stripe.js."""

    installment: Installment
    payment: Payment
    client_secret: str


def installment_pay_card(*, special_order: SpecialOrder, sequence: int, payer: Any) -> InstallmentCheckout:
    """Start (or resume) the card payment of installment ``sequence`` of ``special_order`` by its
    client (``payment_stripe_start``); Stripe's webhook sends ``invoice_paid`` and
    ``installment_mark_paid`` marks it paid.

    Raises what ``installment_pay_wallet`` raises for the installment, and what
    ``payment_stripe_start`` raises (503 ``payments_unavailable``, 502, 409).
    """
    with transaction.atomic():
        locked = special_order_with_invoices_lock(special_order.pk)
        installment = _payable(locked, sequence, payer)
        assert installment.invoice is not None
        checkout = payment_stripe_start(invoice=installment.invoice, payer=payer)
    return InstallmentCheckout(installment=installment, payment=checkout.payment, client_secret=checkout.client_secret)


def installment_mark_paid(*, invoice: Invoice) -> Installment | None:
    """``invoice_paid``: mark the installment ``invoice`` bills ``paid`` (``paid_at`` now), notify
    and e-mail the client (``special_order.installment_paid``) and notify the admins (and, when it
    was the last, ``special_order.fully_paid``). Runs in the payment's transaction, the invoice
    locked; locks the order. Idempotent: an installment no longer pending is left as it is (a
    second signal marks nothing and notifies nobody). ``None`` for an invoice of something else."""
    found = Installment.objects.filter(invoice_id=invoice.pk).values_list("pk", "special_order_id").first()
    if found is None:
        return None
    installment_id, order_id = found
    special_order = special_order_lock(order_id)
    installment = Installment.objects.get(pk=installment_id)
    if installment.status != InstallmentStatus.PENDING:
        return installment
    installment.status = InstallmentStatus.PAID
    installment.paid_at = timezone.now()
    installment.save(update_fields=["status", "paid_at"])
    audit_record(
        actor=None,
        verb="special_order.installment_paid",
        target=special_order,
        changes={"installment": installment.sequence, "amount": str(installment.amount), "invoice": invoice.number},
    )
    extra: dict[str, Any] = {"installment": installment.sequence, "amount": str(installment.amount)}
    _notify(special_order, recipient=special_order.client, verb="special_order.installment_paid", **extra)
    _notify_admins(special_order, verb="special_order.installment_paid", **extra)
    if not Installment.objects.filter(special_order=special_order).exclude(status=InstallmentStatus.PAID).exists():
        _notify_admins(special_order, verb="special_order.fully_paid")
    return installment


# --- Reminders and overdue (beat task) ----------------------------------------------------------


def reminder_days() -> int:
    """How many days before its due date an installment's reminder goes out
    (``settings.WRITING_INSTALLMENT_REMINDER_DAYS``, default 3; at least 0)."""
    return max(0, int(getattr(settings, "WRITING_INSTALLMENT_REMINDER_DAYS", DEFAULT_REMINDER_DAYS)))


def _claim(installment_id: int, field: str, now: datetime) -> bool:
    """Set ``field`` of installment ``installment_id`` to ``now`` if it is still empty: ``True``
    for the one caller that set it (a conditional ``UPDATE``; concurrent runs cannot both win)."""
    return bool(Installment.objects.filter(pk=installment_id, **{f"{field}__isnull": True}).update(**{field: now}))


def installments_remind(*, today: date | None = None) -> dict[str, list[int]]:
    """Remind and flag the site's billed, pending installments of accepted and in-progress special
    orders, each notice once (``_claim``):

    * ``reminded``: due within ``reminder_days()`` (today included) and not reminded yet: the client
      is notified and e-mailed (``special_order.installment_reminder``).
    * ``overdue``: due before ``today`` and not flagged yet: ``overdue_at`` set, the client notified
      and e-mailed (``special_order.installment_overdue``) and the admins notified.

    ``today`` defaults to the site's date. Returns the installment ids of each list.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    pending = Installment.objects.filter(
        status=InstallmentStatus.PENDING,
        invoice__isnull=False,
        special_order__status__in=PAYABLE_STATUSES,
    ).select_related("special_order", "special_order__client")
    done: dict[str, list[int]] = {"reminded": [], "overdue": []}
    horizon = today + timedelta(days=reminder_days())
    for installment in pending.filter(reminder_sent_at__isnull=True, due_date__gte=today, due_date__lte=horizon):
        with transaction.atomic():
            if not _claim(installment.pk, "reminder_sent_at", now):
                continue
            special_order = installment.special_order
            _notify(
                special_order,
                recipient=special_order.client,
                verb="special_order.installment_reminder",
                body=f"Installment {installment.sequence}: {installment.amount} {installment.currency} "
                f"due on {installment.due_date.isoformat()}.",
                installment=installment.sequence,
                amount=str(installment.amount),
                due_date=installment.due_date.isoformat(),
            )
            done["reminded"].append(installment.pk)
    for installment in pending.filter(overdue_at__isnull=True, due_date__lt=today):
        with transaction.atomic():
            if not _claim(installment.pk, "overdue_at", now):
                continue
            special_order = installment.special_order
            extra: dict[str, Any] = {
                "installment": installment.sequence,
                "amount": str(installment.amount),
                "due_date": installment.due_date.isoformat(),
            }
            audit_record(actor=None, verb="special_order.installment_overdue", target=special_order, changes=extra)
            _notify(
                special_order,
                recipient=special_order.client,
                verb="special_order.installment_overdue",
                body=f"Installment {installment.sequence}: {installment.amount} {installment.currency} "
                f"was due on {installment.due_date.isoformat()}.",
                **extra,
            )
            _notify_admins(special_order, verb="special_order.installment_overdue", **extra)
            done["overdue"].append(installment.pk)
    return done
