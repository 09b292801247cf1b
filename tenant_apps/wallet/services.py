"""Moving money between wallets, in the current tenant schema.

Every service here is keyword-only and atomic: it locks the wallets it touches (``locks.py``,
primary-key order), checks the amounts under the lock, changes the wallets, appends one ledger
entry per wallet and one audit row, all in one transaction; a refused operation changes nothing.
Called inside an outer ``transaction.atomic()``, the locks last until that one ends.

Amounts are ``Decimal`` (``int`` and ``str`` are accepted too, never ``float``) in the wallets'
currency, with at most 2 decimal places; they are returned quantized to 2 places.

``reference`` makes an operation idempotent: an operation repeated with the reference it was done
with returns the entries it wrote then and changes nothing. References are unique per wallet, so
callers name each step (``"order:17:hold"``, ``"order:17:capture"``). Reusing a reference of a
wallet for a different operation raises ``duplicate_reference`` (409).

Errors (``ApplicationError``): ``invalid_amount`` (400), ``same_wallet`` (400),
``validation_error`` (400, no reason), ``insufficient_funds`` (409), ``insufficient_held_funds`` (409),
``currency_mismatch`` (409), ``wallet_limit_exceeded`` (409), ``duplicate_reference`` (409),
``not_found`` (404).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from saas.api.errors import ApplicationError
from saas.errors import Conflict, ErrorCode
from saas.money import check_amount
from tenant_apps.audit.services import audit_record
from tenant_apps.wallet.locks import wallets_lock
from tenant_apps.wallet.models import ZERO, LedgerEntry, LedgerEntryKind, Wallet

#: The largest balance a wallet column holds (``max_digits=14, decimal_places=2``); one movement is at
#: most ``saas.money.MAX_AMOUNT``.
MAX_BALANCE = Decimal("999999999999.99")

Amount = Decimal | int | str


def wallet_open(*, user: Any) -> Wallet:
    """The wallet of ``user``, opened (created empty, in ``settings.DEFAULT_CURRENCY``, audited) if
    it has none yet: for writes. Reads use ``selectors.wallet_of``, which never writes.

    Safe under concurrency: when two requests create it at once, both get the one row.
    """
    wallet = Wallet.objects.filter(user=user).first()
    if wallet is not None:
        return wallet
    try:
        with transaction.atomic():
            wallet = Wallet.objects.create(user=user, currency=settings.DEFAULT_CURRENCY)
            audit_record(actor=None, verb="wallet.opened", target=wallet, changes={"currency": wallet.currency})
    except IntegrityError:
        return Wallet.objects.get(user=user)  # a concurrent call created it and committed
    return wallet


def wallet_top_up(
    *, wallet: Wallet, amount: Amount, actor: Any = None, reference: str = "", memo: str = ""
) -> LedgerEntry:
    """Money in: ``balance += amount``. Returns the entry (kind ``top_up``)."""
    value = _amount(amount, wallet.currency)
    return _post(
        verb="wallet.top_up",
        kind=LedgerEntryKind.TOP_UP,
        amount=value,
        actor=actor,
        reference=reference,
        memo=memo,
        legs=[_Leg(wallet, balance=value)],
    )[0]


def wallet_payment(
    *, wallet: Wallet, amount: Amount, actor: Any = None, reference: str = "", memo: str = ""
) -> LedgerEntry:
    """A purchase paid to the site from the wallet: ``balance -= amount``; ``insufficient_funds``."""
    value = _amount(amount, wallet.currency)
    return _post(
        verb="wallet.payment",
        kind=LedgerEntryKind.PAYMENT,
        amount=value,
        actor=actor,
        reference=reference,
        memo=memo,
        legs=[_Leg(wallet, balance=-value)],
    )[0]


def escrow_hold(
    *, wallet: Wallet, amount: Amount, actor: Any = None, reference: str = "", memo: str = ""
) -> LedgerEntry:
    """Set money aside: ``balance -= amount``, ``held_balance += amount``; ``insufficient_funds``."""
    value = _amount(amount, wallet.currency)
    return _post(
        verb="wallet.escrow_hold",
        kind=LedgerEntryKind.ESCROW_HOLD,
        amount=value,
        actor=actor,
        reference=reference,
        memo=memo,
        legs=[_Leg(wallet, balance=-value, held=value)],
    )[0]


def escrow_release(
    *, wallet: Wallet, amount: Amount, actor: Any = None, reference: str = "", memo: str = ""
) -> LedgerEntry:
    """Give held money back to the same wallet: ``held_balance -= amount``, ``balance += amount``;
    ``insufficient_held_funds``."""
    value = _amount(amount, wallet.currency)
    return _post(
        verb="wallet.escrow_release",
        kind=LedgerEntryKind.ESCROW_RELEASE,
        amount=value,
        actor=actor,
        reference=reference,
        memo=memo,
        legs=[_Leg(wallet, balance=value, held=-value)],
    )[0]


def escrow_capture(
    *, payer: Wallet, payee: Wallet, amount: Amount, actor: Any = None, reference: str = "", memo: str = ""
) -> tuple[LedgerEntry, LedgerEntry]:
    """Pay held money: ``payer.held_balance -= amount``, ``payee.balance += amount``.

    Returns ``(payer_entry, payee_entry)`` (kind ``escrow_capture``); ``same_wallet``,
    ``insufficient_held_funds``.
    """
    value = _amount(amount, payer.currency)
    _different(payer, payee)
    payer_entry, payee_entry = _post(
        verb="wallet.escrow_capture",
        kind=LedgerEntryKind.ESCROW_CAPTURE,
        amount=value,
        actor=actor,
        reference=reference,
        memo=memo,
        legs=[_Leg(payer, held=-value, counterparty=payee), _Leg(payee, balance=value, counterparty=payer)],
    )
    return payer_entry, payee_entry


def escrow_capture_to_site(
    *, wallet: Wallet, amount: Amount, actor: Any = None, reference: str = "", memo: str = ""
) -> LedgerEntry:
    """Held money kept by the site (a marketplace's commission): ``held_balance -= amount``, no
    payee wallet (the entry's ``counterparty`` is ``None``; the site's income is the sum of these).

    Returns the entry (kind ``escrow_capture``); ``insufficient_held_funds``.
    """
    value = _amount(amount, wallet.currency)
    return _post(
        verb="wallet.escrow_capture_to_site",
        kind=LedgerEntryKind.ESCROW_CAPTURE,
        amount=value,
        actor=actor,
        reference=reference,
        memo=memo,
        legs=[_Leg(wallet, held=-value)],
    )[0]


def wallet_transfer(
    *, source: Wallet, destination: Wallet, amount: Amount, actor: Any = None, reference: str = "", memo: str = ""
) -> tuple[LedgerEntry, LedgerEntry]:
    """``source.balance -= amount``, ``destination.balance += amount``.

    Returns ``(source_entry, destination_entry)`` (kind ``transfer``); ``same_wallet``,
    ``insufficient_funds``.
    """
    value = _amount(amount, source.currency)
    _different(source, destination)
    source_entry, destination_entry = _post(
        verb="wallet.transfer",
        kind=LedgerEntryKind.TRANSFER,
        amount=value,
        actor=actor,
        reference=reference,
        memo=memo,
        legs=[
            _Leg(source, balance=-value, counterparty=destination),
            _Leg(destination, balance=value, counterparty=source),
        ],
    )
    return source_entry, destination_entry


def wallet_refund(
    *,
    payer: Wallet,
    amount: Amount,
    payee: Wallet | None = None,
    actor: Any = None,
    reference: str = "",
    memo: str = "",
) -> tuple[LedgerEntry, LedgerEntry | None]:
    """Give a payer money back: ``payer.balance += amount``, taken from ``payee.balance`` (the one
    who was paid) or, when ``payee`` is ``None``, from the site (money in, like a top-up).

    Returns ``(payer_entry, payee_entry or None)`` (kind ``refund``); ``same_wallet``,
    ``insufficient_funds`` (the payee's balance). Whether the refund matches an earlier payment is
    the caller's business (orders, returns).
    """
    value = _amount(amount, payer.currency)
    if payee is None:
        (payer_entry,) = _post(
            verb="wallet.refund",
            kind=LedgerEntryKind.REFUND,
            amount=value,
            actor=actor,
            reference=reference,
            memo=memo,
            legs=[_Leg(payer, balance=value)],
        )
        return payer_entry, None
    _different(payer, payee)
    payer_entry, payee_entry = _post(
        verb="wallet.refund",
        kind=LedgerEntryKind.REFUND,
        amount=value,
        actor=actor,
        reference=reference,
        memo=memo,
        legs=[_Leg(payer, balance=value, counterparty=payee), _Leg(payee, balance=-value, counterparty=payer)],
    )
    return payer_entry, payee_entry


def wallet_earning(
    *,
    wallet: Wallet,
    amount: Amount,
    currency: str,
    actor: Any = None,
    reference: str = "",
    memo: str = "",
) -> LedgerEntry:
    """Money the site pays a user for what they sold or hosted (a host's share of a stay, after the
    site's commission): ``balance += amount``, ``amount`` in ``currency``, which must be the
    wallet's (``currency_mismatch``, 409: nothing converts). Returns the entry (kind ``earning``);
    the site's side is the card payment it received, so no wallet is debited."""
    if currency != wallet.currency:
        raise Conflict(
            f"This wallet holds {wallet.currency}; the earning is in {currency}.", code=ErrorCode.CURRENCY_MISMATCH
        )
    value = _amount(amount, wallet.currency)
    return _post(
        verb="wallet.earning",
        kind=LedgerEntryKind.EARNING,
        amount=value,
        actor=actor,
        reference=reference,
        memo=memo,
        legs=[_Leg(wallet, balance=value)],
    )[0]


def wallet_payout(
    *,
    wallet: Wallet,
    amount: Amount,
    actor: Any = None,
    reference: str = "",
    memo: str = "",
    from_held: bool = False,
) -> LedgerEntry:
    """Money out (to a bank account, by the payments app): ``balance -= amount``; ``insufficient_funds``.

    ``from_held``: the money was set aside first (``escrow_hold``, a payout request waiting for an
    admin) and leaves from there: ``held_balance -= amount``, the balance unchanged;
    ``insufficient_held_funds``. Either way the entry's kind is ``payout``.
    """
    value = _amount(amount, wallet.currency)
    leg = _Leg(wallet, held=-value) if from_held else _Leg(wallet, balance=-value)
    return _post(
        verb="wallet.payout",
        kind=LedgerEntryKind.PAYOUT,
        amount=value,
        actor=actor,
        reference=reference,
        memo=memo,
        legs=[leg],
    )[0]


def wallet_adjust(*, wallet: Wallet, amount: Amount, reason: str, actor: Any, reference: str = "") -> LedgerEntry:
    """An admin's correction: ``balance += amount`` (``amount`` positive or negative, not zero).

    ``reason`` (required, kept as the entry's memo) says why. Raises ``validation_error``,
    ``invalid_amount``, ``insufficient_funds`` (the balance would go below zero).
    """
    value = _amount(amount, wallet.currency, allow_negative=True)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Say why the balance is adjusted.", details={"reason": ["This field is required."]})
    return _post(
        verb="wallet.adjustment",
        kind=LedgerEntryKind.ADJUSTMENT,
        amount=value,
        actor=actor,
        reference=reference,
        memo=reason[:255],
        legs=[_Leg(wallet, balance=value)],
    )[0]


# --------------------------------------------------------------------------------------------
# The one place that changes amounts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Leg:
    """What one operation does to one wallet: signed deltas, and the other wallet if any."""

    wallet: Wallet
    balance: Decimal = ZERO
    held: Decimal = ZERO
    counterparty: Wallet | None = None

    def matches(self, entry: LedgerEntry, kind: str) -> bool:
        return (
            entry.wallet_id == self.wallet.pk
            and entry.kind == kind
            and entry.balance_delta == self.balance
            and entry.held_delta == self.held
            and entry.counterparty_id == (self.counterparty.pk if self.counterparty else None)
        )


def _post(
    *, verb: str, kind: str, amount: Decimal, legs: list[_Leg], actor: Any, reference: str, memo: str
) -> list[LedgerEntry]:
    """Lock the legs' wallets, apply the legs, append their entries and an audit row.

    Returns the entries in the order of ``legs`` (the earlier entries when ``reference`` repeats
    this operation).
    """
    reference = (reference or "").strip()
    if len(reference) > 100:
        raise ApplicationError(
            "A reference has at most 100 characters.",
            code=ErrorCode.VALIDATION_ERROR,
            details={"reference": ["At most 100 characters."]},
        )
    with transaction.atomic():
        wallets = wallets_lock(wallet_ids=[leg.wallet.pk for leg in legs])
        if len({wallet.currency for wallet in wallets.values()}) > 1:
            raise Conflict("These wallets hold different currencies.", code=ErrorCode.CURRENCY_MISMATCH)
        if reference:
            earlier = _earlier(wallets, kind=kind, legs=legs, reference=reference)
            if earlier is not None:
                return earlier
        operation = uuid.uuid4()
        before = {pk: (wallet.balance, wallet.held_balance) for pk, wallet in wallets.items()}
        entries = [
            _apply(
                wallets[leg.wallet.pk], leg, kind=kind, operation=operation, actor=actor, reference=reference, memo=memo
            )
            for leg in legs
        ]
        primary = wallets[legs[0].wallet.pk]
        audit_record(
            actor=actor,
            verb=verb,
            target=primary,
            changes={
                "amount": str(amount),
                "currency": primary.currency,
                "operation": str(operation),
                "reference": reference,
                "entries": [entry.pk for entry in entries],
                "wallets": {
                    str(pk): {
                        "balance": [str(before[pk][0]), str(wallet.balance)],
                        "held_balance": [str(before[pk][1]), str(wallet.held_balance)],
                    }
                    for pk, wallet in wallets.items()
                },
            },
        )
    return entries


def _apply(
    wallet: Wallet, leg: _Leg, *, kind: str, operation: uuid.UUID, actor: Any, reference: str, memo: str
) -> LedgerEntry:
    """Change a locked wallet by ``leg`` and append its entry; refuses to go below zero or over the limit.

    A refusal names the short wallet by its user's id, never its amounts: the caller may be the
    other party (a buyer asking for a refund from a seller's balance).
    """
    balance = wallet.balance + leg.balance
    held = wallet.held_balance + leg.held
    if balance < 0:
        raise Conflict(
            "Not enough money in the wallet.",
            code=ErrorCode.INSUFFICIENT_FUNDS,
            details={"user_id": wallet.user_id},
        )
    if held < 0:
        raise Conflict(
            "Not enough money held in escrow.",
            code=ErrorCode.INSUFFICIENT_HELD_FUNDS,
            details={"user_id": wallet.user_id},
        )
    if balance > MAX_BALANCE or held > MAX_BALANCE:
        raise Conflict(
            "The wallet cannot hold that much.",
            code=ErrorCode.WALLET_LIMIT_EXCEEDED,
            details={"max_amount": str(MAX_BALANCE)},
        )
    wallet.balance, wallet.held_balance = balance, held
    wallet.save(update_fields=["balance", "held_balance", "updated_at"])
    return LedgerEntry.objects.create(
        wallet=wallet,
        kind=kind,
        balance_delta=leg.balance,
        held_delta=leg.held,
        balance_after=balance,
        held_after=held,
        operation=operation,
        counterparty=leg.counterparty,
        reference=reference,
        memo=memo[:255],
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _earlier(wallets: dict[int, Wallet], *, kind: str, legs: list[_Leg], reference: str) -> list[LedgerEntry] | None:
    """The entries an earlier run of this very operation wrote with ``reference``, or ``None``.

    Runs under the wallets' locks, so a concurrent retry waits and then sees the first run's
    entries. Raises ``duplicate_reference`` (409) when the reference was used for something else.
    """
    found = {
        entry.wallet_id: entry for entry in LedgerEntry.objects.filter(wallet__in=list(wallets), reference=reference)
    }
    if not found:
        return None
    same = len(found) == len(legs) and all(
        leg.wallet.pk in found and leg.matches(found[leg.wallet.pk], kind) for leg in legs
    )
    if not same or len({entry.operation for entry in found.values()}) != 1:
        raise Conflict(
            "This reference was used for a different operation.",
            code=ErrorCode.DUPLICATE_REFERENCE,
            details={"reference": reference},
        )
    for entry in found.values():
        entry.wallet = wallets[entry.wallet_id]
    return [found[leg.wallet.pk] for leg in legs]


def _amount(value: Amount, currency: str, *, allow_negative: bool = False) -> Decimal:
    """``value`` checked like every amount of the platform (``saas.money.check_amount``: exact in the
    currency's step, at most ``saas.money.MAX_AMOUNT``); raises ``invalid_amount`` (400)."""
    return check_amount(value, currency, allow_negative=allow_negative)


def _different(one: Wallet, other: Wallet) -> None:
    if one.pk == other.pk:
        raise ApplicationError("Both sides are the same wallet.", code=ErrorCode.SAME_WALLET)
