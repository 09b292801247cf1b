"""Wallet services: each operation's effect on the amounts and the ledger, refusals, idempotency, audit."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django import Settings

from saas.api.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.wallet import services
from tenant_apps.wallet.models import LedgerEntry, Wallet
from tests.factories import WalletFactory
from tests.fixture_types import Funded, MakeUser

D = Decimal


def amounts(wallet: Wallet) -> tuple[Decimal, Decimal]:
    """``(balance, held_balance)`` as stored now."""
    wallet.refresh_from_db()
    return wallet.balance, wallet.held_balance


def entries_of(wallet: Wallet) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(wallet=wallet).order_by("id"))


def audit_verbs(wallet: Wallet) -> list[str]:
    return list(
        AuditLogEntry.objects.filter(target_id=str(wallet.pk), verb__startswith="wallet.")
        .order_by("id")
        .values_list("verb", flat=True)
    )


# --------------------------------------------------------------------------------------------
# wallet_open
# --------------------------------------------------------------------------------------------


def test_wallet_for_opens_one_empty_wallet_per_user_in_the_site_currency(
    in_alpha: Tenant, make_user: MakeUser, settings: Settings
) -> None:
    # given
    user = make_user(in_alpha, "new@alpha.test")
    # when
    first = services.wallet_open(user=user)
    second = services.wallet_open(user=user)
    # then
    assert first.pk == second.pk
    assert Wallet.objects.filter(user=user).count() == 1
    assert (first.currency, first.balance, first.held_balance) == (settings.DEFAULT_CURRENCY, D("0"), D("0"))
    assert audit_verbs(first) == ["wallet.opened"]


# --------------------------------------------------------------------------------------------
# Each operation's effect
# --------------------------------------------------------------------------------------------


def test_top_up_credits_the_balance_and_appends_one_top_up_entry(
    in_alpha: Tenant, funded: Funded, make_user: MakeUser
) -> None:
    # given
    wallet = funded(in_alpha, "ann@alpha.test", balance="10.00")
    admin = make_user(in_alpha, "boss@alpha.test", roles=["admin"])
    # when
    entry = services.wallet_top_up(wallet=wallet, amount=D("2.5"), actor=admin, reference="stripe:pi_1", memo="card")
    # then
    assert amounts(wallet) == (D("12.50"), D("0"))
    assert (entry.kind, entry.balance_delta, entry.held_delta) == ("top_up", D("2.50"), D("0"))
    assert (entry.balance_after, entry.held_after) == (D("12.50"), D("0"))
    assert (entry.reference, entry.memo, entry.actor_id, entry.counterparty_id) == (
        "stripe:pi_1",
        "card",
        admin.pk,
        None,
    )
    assert entries_of(wallet)[-1].pk == entry.pk
    assert audit_verbs(wallet)[-1] == "wallet.top_up"


def test_payment_debits_the_balance(in_alpha: Tenant, funded: Funded) -> None:
    wallet = funded(in_alpha, "ann@alpha.test", balance="10.00")
    entry = services.wallet_payment(wallet=wallet, amount=D("9.99"), reference="order:1")
    assert amounts(wallet) == (D("0.01"), D("0"))
    assert (entry.kind, entry.balance_delta, entry.balance_after) == ("payment", D("-9.99"), D("0.01"))
    assert audit_verbs(wallet)[-1] == "wallet.payment"


def test_earning_credits_the_balance_once_per_reference(in_alpha: Tenant, funded: Funded) -> None:
    # given a host's wallet
    wallet = funded(in_alpha, "host@alpha.test", balance="5.00")
    # when the site pays them their share of a stay, twice with one reference
    entry = services.wallet_earning(
        wallet=wallet, amount=D("85.00"), currency=wallet.currency, reference="booking:7:payout", memo="stay"
    )
    again = services.wallet_earning(
        wallet=wallet, amount=D("85.00"), currency=wallet.currency, reference="booking:7:payout", memo="stay"
    )
    # then it is credited once, as an earning
    assert again.pk == entry.pk
    assert amounts(wallet) == (D("90.00"), D("0"))
    assert (entry.kind, entry.balance_delta, entry.counterparty_id) == ("earning", D("85.00"), None)
    assert audit_verbs(wallet)[-1] == "wallet.earning"
    # and an earning in another currency is refused, not credited as if it were the wallet's
    with pytest.raises(ApplicationError) as refused:
        services.wallet_earning(wallet=wallet, amount=D("85.00"), currency="JPY", reference="booking:8:payout")
    assert refused.value.code == "currency_mismatch"
    assert amounts(wallet) == (D("90.00"), D("0"))


def test_escrow_hold_moves_money_from_balance_to_held(in_alpha: Tenant, funded: Funded) -> None:
    wallet = funded(in_alpha, "ann@alpha.test", balance="10.00")
    entry = services.escrow_hold(wallet=wallet, amount=D("4"))
    assert amounts(wallet) == (D("6.00"), D("4.00"))
    assert (entry.kind, entry.balance_delta, entry.held_delta) == ("escrow_hold", D("-4.00"), D("4.00"))
    assert (entry.balance_after, entry.held_after) == (D("6.00"), D("4.00"))


def test_escrow_release_moves_held_money_back_to_the_same_wallets_balance(in_alpha: Tenant, funded: Funded) -> None:
    wallet = funded(in_alpha, "ann@alpha.test", balance="1.00", held="5.00")
    entry = services.escrow_release(wallet=wallet, amount=D("3"))
    assert amounts(wallet) == (D("4.00"), D("2.00"))
    assert (entry.kind, entry.balance_delta, entry.held_delta) == ("escrow_release", D("3.00"), D("-3.00"))


def test_escrow_capture_pays_the_payers_held_money_into_the_payees_balance(in_alpha: Tenant, funded: Funded) -> None:
    # given
    buyer = funded(in_alpha, "buyer@alpha.test", balance="1.00", held="20.00")
    seller = funded(in_alpha, "seller@alpha.test", balance="5.00")
    # when
    paid, received = services.escrow_capture(payer=buyer, payee=seller, amount=D("15"), reference="order:7")
    # then
    assert amounts(buyer) == (D("1.00"), D("5.00"))
    assert amounts(seller) == (D("20.00"), D("0"))
    assert (paid.kind, paid.balance_delta, paid.held_delta, paid.counterparty_id) == (
        "escrow_capture",
        D("0"),
        D("-15.00"),
        seller.pk,
    )
    assert (received.kind, received.balance_delta, received.held_delta, received.counterparty_id) == (
        "escrow_capture",
        D("15.00"),
        D("0"),
        buyer.pk,
    )
    assert paid.operation == received.operation
    assert audit_verbs(buyer)[-1] == "wallet.escrow_capture"


def test_transfer_moves_balance_from_source_to_destination(in_alpha: Tenant, funded: Funded) -> None:
    source = funded(in_alpha, "a@alpha.test", balance="30.00")
    destination = funded(in_alpha, "b@alpha.test", balance="1.00")
    sent, received = services.wallet_transfer(source=source, destination=destination, amount="12.34")
    assert amounts(source) == (D("17.66"), D("0"))
    assert amounts(destination) == (D("13.34"), D("0"))
    assert (sent.kind, sent.balance_delta, sent.counterparty_id) == ("transfer", D("-12.34"), destination.pk)
    assert (received.kind, received.balance_delta, received.counterparty_id) == ("transfer", D("12.34"), source.pk)
    assert sent.operation == received.operation


def test_refund_takes_money_from_the_payees_balance_back_to_the_payer(in_alpha: Tenant, funded: Funded) -> None:
    buyer = funded(in_alpha, "buyer@alpha.test")
    seller = funded(in_alpha, "seller@alpha.test", balance="50.00")
    back, taken = services.wallet_refund(payer=buyer, payee=seller, amount=D("20"), reference="return:3")
    assert amounts(buyer) == (D("20.00"), D("0"))
    assert amounts(seller) == (D("30.00"), D("0"))
    assert taken is not None
    assert (back.kind, back.balance_delta, back.counterparty_id) == ("refund", D("20.00"), seller.pk)
    assert (taken.kind, taken.balance_delta, taken.counterparty_id) == ("refund", D("-20.00"), buyer.pk)


def test_refund_without_a_payee_is_paid_by_the_site(in_alpha: Tenant, funded: Funded) -> None:
    buyer = funded(in_alpha, "buyer@alpha.test")
    back, taken = services.wallet_refund(payer=buyer, amount=D("7.50"))
    assert taken is None
    assert amounts(buyer) == (D("7.50"), D("0"))
    assert (back.kind, back.balance_delta, back.counterparty_id) == ("refund", D("7.50"), None)


def test_payout_debits_the_balance(in_alpha: Tenant, funded: Funded) -> None:
    wallet = funded(in_alpha, "writer@alpha.test", balance="100.00", held="10.00")
    entry = services.wallet_payout(wallet=wallet, amount=D("100"))
    assert amounts(wallet) == (D("0.00"), D("10.00"))
    assert (entry.kind, entry.balance_delta, entry.balance_after) == ("payout", D("-100.00"), D("0.00"))


def test_adjust_corrects_the_balance_up_or_down_and_keeps_the_reason(
    in_alpha: Tenant, funded: Funded, make_user: MakeUser
) -> None:
    # given
    wallet = funded(in_alpha, "ann@alpha.test", balance="10.00")
    admin = make_user(in_alpha, "boss@alpha.test", roles=["admin"])
    # when
    up = services.wallet_adjust(wallet=wallet, amount=D("5"), reason="goodwill", actor=admin)
    down = services.wallet_adjust(wallet=wallet, amount=D("-15"), reason="  double top-up  ", actor=admin)
    # then
    assert amounts(wallet) == (D("0.00"), D("0"))
    assert (up.kind, up.balance_delta, up.memo, up.actor_id) == ("adjustment", D("5.00"), "goodwill", admin.pk)
    assert (down.balance_delta, down.memo) == (D("-15.00"), "double top-up")
    assert audit_verbs(wallet)[-2:] == ["wallet.adjustment", "wallet.adjustment"]


def test_entries_form_a_running_statement_of_the_wallet(in_alpha: Tenant, funded: Funded) -> None:
    # given
    wallet = funded(in_alpha, "ann@alpha.test")
    other = funded(in_alpha, "bob@alpha.test")
    # when
    services.wallet_top_up(wallet=wallet, amount=D("100"))
    services.escrow_hold(wallet=wallet, amount=D("40"))
    services.escrow_capture(payer=wallet, payee=other, amount=D("25"))
    services.escrow_release(wallet=wallet, amount=D("15"))
    services.wallet_transfer(source=other, destination=wallet, amount=D("5"))
    services.wallet_payout(wallet=wallet, amount=D("70"))
    # then
    statement = [(e.kind, e.balance_after, e.held_after) for e in entries_of(wallet)]
    assert statement == [
        ("top_up", D("100.00"), D("0")),
        ("escrow_hold", D("60.00"), D("40.00")),
        ("escrow_capture", D("60.00"), D("15.00")),
        ("escrow_release", D("75.00"), D("0.00")),
        ("transfer", D("80.00"), D("0.00")),
        ("payout", D("10.00"), D("0.00")),
    ]
    assert amounts(wallet) == (D("10.00"), D("0.00"))
    assert amounts(other) == (D("20.00"), D("0"))


# --------------------------------------------------------------------------------------------
# Refusals: nothing changes, nothing is written
# --------------------------------------------------------------------------------------------

REFUSED_FOR_LACK_OF_MONEY = {
    "payment": lambda a, b: services.wallet_payment(wallet=a, amount=D("10.01")),
    "escrow_hold": lambda a, b: services.escrow_hold(wallet=a, amount=D("10.01")),
    "transfer": lambda a, b: services.wallet_transfer(source=a, destination=b, amount=D("10.01")),
    "payout": lambda a, b: services.wallet_payout(wallet=a, amount=D("10.01")),
    "refund_from_payee": lambda a, b: services.wallet_refund(payer=b, payee=a, amount=D("10.01")),
    "adjust_below_zero": lambda a, b: services.wallet_adjust(wallet=a, amount=D("-10.01"), reason="x", actor=None),
}


@pytest.mark.parametrize("operation", REFUSED_FOR_LACK_OF_MONEY.values(), ids=REFUSED_FOR_LACK_OF_MONEY.keys())
def test_debits_beyond_the_balance_are_refused_with_insufficient_funds_and_change_nothing(
    in_alpha: Tenant, funded: Funded, operation: Callable[[Wallet, Wallet], object]
) -> None:
    # given: 10.00 spendable, 50.00 held (held money is not spendable)
    wallet = funded(in_alpha, "ann@alpha.test", balance="10.00", held="50.00")
    other = funded(in_alpha, "bob@alpha.test", balance="1.00")
    entries_before = LedgerEntry.objects.count()
    audit_before = AuditLogEntry.objects.count()
    # when
    with pytest.raises(ApplicationError) as refused:
        operation(wallet, other)
    # then
    assert (refused.value.code, refused.value.status_code) == ("insufficient_funds", 409)
    assert refused.value.details == {"user_id": wallet.user_id}  # who, never how much (may be the other party)
    assert amounts(wallet) == (D("10.00"), D("50.00"))
    assert amounts(other) == (D("1.00"), D("0"))
    assert LedgerEntry.objects.count() == entries_before
    assert AuditLogEntry.objects.count() == audit_before


REFUSED_FOR_LACK_OF_HELD_MONEY = {
    "escrow_release": lambda a, b: services.escrow_release(wallet=a, amount=D("5.01")),
    "escrow_capture": lambda a, b: services.escrow_capture(payer=a, payee=b, amount=D("5.01")),
}


@pytest.mark.parametrize(
    "operation", REFUSED_FOR_LACK_OF_HELD_MONEY.values(), ids=REFUSED_FOR_LACK_OF_HELD_MONEY.keys()
)
def test_using_more_than_is_held_is_refused_with_insufficient_held_funds(
    in_alpha: Tenant, funded: Funded, operation: Callable[[Wallet, Wallet], object]
) -> None:
    # given: plenty of balance, but only 5.00 held
    wallet = funded(in_alpha, "ann@alpha.test", balance="100.00", held="5.00")
    other = funded(in_alpha, "bob@alpha.test")
    entries_before = LedgerEntry.objects.count()
    # when
    with pytest.raises(ApplicationError) as refused:
        operation(wallet, other)
    # then
    assert (refused.value.code, refused.value.status_code) == ("insufficient_held_funds", 409)
    assert amounts(wallet) == (D("100.00"), D("5.00"))
    assert amounts(other) == (D("0"), D("0"))
    assert LedgerEntry.objects.count() == entries_before


@pytest.mark.parametrize(
    "amount",
    [
        D("0"),
        D("-1"),
        D("0.001"),
        D("1.005"),
        "ten",
        "",
        1.5,
        True,
        None,
        D("NaN"),
        D("Infinity"),
        D("1000000000000"),
        "1e-3",
    ],
)
def test_amounts_that_are_not_positive_with_at_most_two_places_are_refused_as_invalid(
    in_alpha: Tenant, funded: Funded, amount: Any
) -> None:
    # ``amount`` is Any on purpose: strings, floats, booleans and None the type hints would refuse
    wallet = funded(in_alpha, "ann@alpha.test", balance="10.00")
    with pytest.raises(ApplicationError) as refused:
        services.wallet_top_up(wallet=wallet, amount=amount)
    assert (refused.value.code, refused.value.status_code) == ("invalid_amount", 400)
    assert amounts(wallet) == (D("10.00"), D("0"))


@pytest.mark.parametrize("amount", [D("0"), D("-0.01")])
@pytest.mark.parametrize(
    "operation", ["payment", "escrow_hold", "escrow_release", "escrow_capture", "transfer", "refund", "payout"]
)
def test_every_operation_refuses_a_zero_or_negative_amount(
    in_alpha: Tenant, funded: Funded, operation: str, amount: Decimal
) -> None:
    wallet = funded(in_alpha, "ann@alpha.test", balance="10.00", held="10.00")
    other = funded(in_alpha, "bob@alpha.test", balance="10.00")
    call = {
        "payment": lambda: services.wallet_payment(wallet=wallet, amount=amount),
        "escrow_hold": lambda: services.escrow_hold(wallet=wallet, amount=amount),
        "escrow_release": lambda: services.escrow_release(wallet=wallet, amount=amount),
        "escrow_capture": lambda: services.escrow_capture(payer=wallet, payee=other, amount=amount),
        "transfer": lambda: services.wallet_transfer(source=wallet, destination=other, amount=amount),
        "refund": lambda: services.wallet_refund(payer=wallet, payee=other, amount=amount),
        "payout": lambda: services.wallet_payout(wallet=wallet, amount=amount),
    }[operation]
    with pytest.raises(ApplicationError) as refused:
        call()
    assert refused.value.code == "invalid_amount"
    assert amounts(wallet) == (D("10.00"), D("10.00"))


def test_amounts_given_as_whole_numbers_or_strings_are_quantized_to_cents(in_alpha: Tenant, funded: Funded) -> None:
    wallet = funded(in_alpha, "ann@alpha.test")
    assert services.wallet_top_up(wallet=wallet, amount=3).balance_delta == D("3.00")
    assert str(services.wallet_top_up(wallet=wallet, amount=" 0.5 ").balance_delta) == "0.50"


@pytest.mark.parametrize(
    "operation",
    [
        lambda w: services.wallet_transfer(source=w, destination=w, amount=D("1")),
        lambda w: services.escrow_capture(payer=w, payee=w, amount=D("1")),
        lambda w: services.wallet_refund(payer=w, payee=w, amount=D("1")),
    ],
    ids=["transfer", "escrow_capture", "refund"],
)
def test_two_wallet_operations_refuse_the_same_wallet_on_both_sides(
    in_alpha: Tenant, funded: Funded, operation: Callable[[Wallet], object]
) -> None:
    wallet = funded(in_alpha, "ann@alpha.test", balance="10.00", held="10.00")
    with pytest.raises(ApplicationError) as refused:
        operation(wallet)
    assert (refused.value.code, refused.value.status_code) == ("same_wallet", 400)
    assert amounts(wallet) == (D("10.00"), D("10.00"))


@pytest.mark.parametrize("reason", ["", "   "])
def test_adjust_refuses_a_missing_reason(in_alpha: Tenant, funded: Funded, reason: str) -> None:
    wallet = funded(in_alpha, "ann@alpha.test", balance="10.00")
    with pytest.raises(ApplicationError) as refused:
        services.wallet_adjust(wallet=wallet, amount=D("1"), reason=reason, actor=None)
    assert (refused.value.code, refused.value.status_code) == ("validation_error", 400)


def test_amounts_are_exact_in_the_wallets_currency(in_alpha: Tenant, make_user: MakeUser) -> None:
    # given: a wallet in yen, a currency without minor units
    yen = WalletFactory(user=make_user(in_alpha, "yen@alpha.test"), currency="JPY")
    # when: half a yen is credited
    with pytest.raises(ApplicationError) as refused:
        services.wallet_top_up(wallet=yen, amount=D("0.50"))
    # then: refused like an invoice or a payment would be, and nothing moved
    assert refused.value.code == "invalid_amount"
    assert services.wallet_top_up(wallet=yen, amount=D("500")).balance_after == D("500")


def test_a_single_movement_is_at_most_what_an_invoice_can_hold(in_alpha: Tenant, funded: Funded) -> None:
    from saas.money import MAX_AMOUNT

    wallet = funded(in_alpha, "ann@alpha.test", balance="0.00")
    with pytest.raises(ApplicationError) as refused:
        services.wallet_top_up(wallet=wallet, amount=MAX_AMOUNT + D("0.01"))
    assert refused.value.code == "invalid_amount"


def test_adjust_refuses_a_zero_amount(in_alpha: Tenant, funded: Funded) -> None:
    wallet = funded(in_alpha, "ann@alpha.test", balance="10.00")
    with pytest.raises(ApplicationError) as refused:
        services.wallet_adjust(wallet=wallet, amount=D("0"), reason="nothing", actor=None)
    assert refused.value.code == "invalid_amount"


def test_a_credit_beyond_what_a_wallet_can_hold_is_refused(in_alpha: Tenant, funded: Funded) -> None:
    from saas.money import MAX_AMOUNT

    # given: a wallet filled to the brim, one largest movement at a time
    wallet = funded(in_alpha, "ann@alpha.test", balance="0.99")
    for _ in range(100):
        services.wallet_top_up(wallet=wallet, amount=MAX_AMOUNT)
    assert amounts(wallet)[0] == services.MAX_BALANCE
    with pytest.raises(ApplicationError) as refused:
        services.wallet_top_up(wallet=wallet, amount=D("0.01"))
    assert (refused.value.code, refused.value.status_code) == ("wallet_limit_exceeded", 409)
    assert amounts(wallet) == (services.MAX_BALANCE, D("0"))


def test_wallets_of_different_currencies_cannot_exchange_money(
    in_alpha: Tenant, funded: Funded, make_user: MakeUser
) -> None:
    # given: a wallet in another currency (say, from before the site changed its currency)
    dollars = funded(in_alpha, "usd@alpha.test", balance="10.00")
    euros = WalletFactory(user=make_user(in_alpha, "eur@alpha.test"), currency="EUR")
    # when
    with pytest.raises(ApplicationError) as refused:
        services.wallet_transfer(source=dollars, destination=euros, amount=D("1"))
    # then
    assert (refused.value.code, refused.value.status_code) == ("currency_mismatch", 409)
    assert amounts(dollars) == (D("10.00"), D("0"))


def test_an_operation_on_a_wallet_that_does_not_exist_is_refused(in_alpha: Tenant, funded: Funded) -> None:
    wallet = funded(in_alpha, "ann@alpha.test", balance="10.00")
    ghost = Wallet(pk=wallet.pk + 10_000, user_id=wallet.user_id, currency=wallet.currency)
    with pytest.raises(ApplicationError) as refused:
        services.wallet_transfer(source=wallet, destination=ghost, amount=D("1"))
    assert (refused.value.code, refused.value.status_code) == ("not_found", 404)


# --------------------------------------------------------------------------------------------
# Idempotent references
# --------------------------------------------------------------------------------------------


def test_a_top_up_repeated_with_its_reference_is_a_no_op_returning_the_first_entry(
    in_alpha: Tenant, funded: Funded
) -> None:
    # given
    wallet = funded(in_alpha, "ann@alpha.test")
    first = services.wallet_top_up(wallet=wallet, amount=D("25"), reference="stripe:pi_42")
    audit_count = len(audit_verbs(wallet))
    # when
    again = services.wallet_top_up(wallet=wallet, amount=D("25.00"), reference="stripe:pi_42")
    # then
    assert again.pk == first.pk
    assert amounts(wallet) == (D("25.00"), D("0"))
    assert len(entries_of(wallet)) == 1
    assert len(audit_verbs(wallet)) == audit_count


def test_a_transfer_repeated_with_its_reference_moves_the_money_once(in_alpha: Tenant, funded: Funded) -> None:
    source = funded(in_alpha, "a@alpha.test", balance="30.00")
    destination = funded(in_alpha, "b@alpha.test")
    first = services.wallet_transfer(source=source, destination=destination, amount=D("10"), reference="t-1")
    again = services.wallet_transfer(source=source, destination=destination, amount=D("10"), reference="t-1")
    assert [e.pk for e in again] == [e.pk for e in first]
    assert amounts(source) == (D("20.00"), D("0"))
    assert amounts(destination) == (D("10.00"), D("0"))


def test_a_refused_operation_can_be_retried_with_the_same_reference(in_alpha: Tenant, funded: Funded) -> None:
    # given: the first try fails for lack of money, so it wrote nothing under its reference
    wallet = funded(in_alpha, "ann@alpha.test", balance="5.00")
    with pytest.raises(ApplicationError):
        services.wallet_payout(wallet=wallet, amount=D("8"), reference="payout:1")
    services.wallet_top_up(wallet=wallet, amount=D("5"))
    # when
    entry = services.wallet_payout(wallet=wallet, amount=D("8"), reference="payout:1")
    # then
    assert entry.reference == "payout:1"
    assert amounts(wallet) == (D("2.00"), D("0"))


REUSES_OF_A_REFERENCE = {
    "other_amount": lambda a, b, ref: services.wallet_top_up(wallet=a, amount=D("11"), reference=ref),
    "other_kind": lambda a, b, ref: services.wallet_payment(wallet=a, amount=D("10"), reference=ref),
    "two_wallet_operation": lambda a, b, ref: services.wallet_transfer(
        source=a, destination=b, amount=D("10"), reference=ref
    ),
    "taken_on_the_other_side": lambda a, b, ref: services.wallet_transfer(
        source=b, destination=a, amount=D("10"), reference=ref
    ),
}


@pytest.mark.parametrize("reuse", REUSES_OF_A_REFERENCE.values(), ids=REUSES_OF_A_REFERENCE.keys())
def test_reusing_a_reference_for_a_different_operation_is_refused(
    in_alpha: Tenant, funded: Funded, reuse: Callable[[Wallet, Wallet, str], object]
) -> None:
    # given: a's top-up used "ref-1"
    a = funded(in_alpha, "a@alpha.test", balance="50.00")
    b = funded(in_alpha, "b@alpha.test", balance="50.00")
    services.wallet_top_up(wallet=a, amount=D("10"), reference="ref-1")
    before = (amounts(a), amounts(b))
    # when
    with pytest.raises(ApplicationError) as refused:
        reuse(a, b, "ref-1")
    # then
    assert (refused.value.code, refused.value.status_code) == ("duplicate_reference", 409)
    assert (amounts(a), amounts(b)) == before


def test_the_same_reference_may_be_used_by_different_wallets(in_alpha: Tenant, funded: Funded) -> None:
    a = funded(in_alpha, "a@alpha.test")
    b = funded(in_alpha, "b@alpha.test")
    services.wallet_top_up(wallet=a, amount=D("1"), reference="shared")
    services.wallet_top_up(wallet=b, amount=D("2"), reference="shared")
    assert (amounts(a), amounts(b)) == ((D("1.00"), D("0")), (D("2.00"), D("0")))


# --------------------------------------------------------------------------------------------
# Locking
# --------------------------------------------------------------------------------------------


def test_two_wallet_operations_lock_both_wallets_in_one_statement_in_primary_key_order(
    in_alpha: Tenant, funded: Funded
) -> None:
    # given: the destination has the lower primary key
    low = funded(in_alpha, "low@alpha.test")
    high = funded(in_alpha, "high@alpha.test", balance="10.00")
    assert low.pk < high.pk
    # when
    with CaptureQueriesContext(connection) as queries:
        services.wallet_transfer(source=high, destination=low, amount=D("1"))
    # then
    locks = [q["sql"] for q in queries.captured_queries if "FOR NO KEY UPDATE" in q["sql"]]
    assert len(locks) == 1, locks
    assert 'FOR NO KEY UPDATE OF "wallet_wallet"' in locks[0]
    assert 'ORDER BY "wallet_wallet"."id" ASC' in locks[0]
    first_write = next(i for i, q in enumerate(queries.captured_queries) if q["sql"].startswith("UPDATE"))
    lock_at = next(i for i, q in enumerate(queries.captured_queries) if "FOR NO KEY UPDATE" in q["sql"])
    assert lock_at < first_write
