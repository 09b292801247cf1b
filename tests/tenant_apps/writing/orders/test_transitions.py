"""The one table of order moves (``transitions.py``): every pair outside it is refused with 409
``invalid_status_transition`` whoever asks, and a pair in it only by the parties it names."""

from __future__ import annotations

import itertools

import pytest

from saas.errors import ApplicationError
from tenant_apps.writing.orders import transitions
from tenant_apps.writing.orders.models import OrderStatus

ALL = [status.value for status in OrderStatus]
EVERYONE = {
    transitions.SYSTEM,
    transitions.CLIENT,
    transitions.WRITER,
    transitions.REQUESTER,
    transitions.EDITOR,
    transitions.ADMIN,
}


def test_completed_and_cancelled_are_final() -> None:
    for final, wanted in itertools.product(("completed", "cancelled"), ALL):
        assert not transitions.is_valid(final, wanted)


def test_the_lifecycle_path_is_in_the_table() -> None:
    path = ["unpaid", "available", "assigned", "in_progress", "in_review", "delivered", "completed"]
    assert all(transitions.is_valid(a, b) for a, b in itertools.pairwise(path))
    assert transitions.is_valid("delivered", "revision_requested")
    assert transitions.is_valid("revision_requested", "in_progress")
    assert transitions.is_valid("in_review", "in_progress")  # the editor returns it


@pytest.mark.parametrize(
    ("current", "wanted"), [p for p in itertools.product(ALL, ALL) if p not in transitions.TRANSITIONS]
)
def test_a_pair_outside_the_table_is_a_409_for_everyone(current: str, wanted: str) -> None:
    with pytest.raises(ApplicationError) as caught:
        transitions.check_transition(current=current, wanted=wanted, parties=EVERYONE)
    assert (caught.value.status_code, caught.value.code) == (409, "invalid_status_transition")
    assert caught.value.details == {"status": current}


@pytest.mark.parametrize(("pair", "allowed"), list(transitions.TRANSITIONS.items()))
def test_a_pair_in_the_table_is_a_403_for_the_parties_it_does_not_name(
    pair: tuple[str, str], allowed: frozenset[str]
) -> None:
    current, wanted = pair
    for party in allowed:
        transitions.check_transition(current=current, wanted=wanted, parties={party})
    for party in EVERYONE - allowed:
        with pytest.raises(ApplicationError) as caught:
            transitions.check_transition(current=current, wanted=wanted, parties={party})
        assert caught.value.status_code == 403


def test_only_the_payment_makes_an_order_available() -> None:
    assert transitions.TRANSITIONS[("unpaid", "available")] == frozenset({transitions.SYSTEM})


def test_only_the_client_approves_or_asks_for_a_revision() -> None:
    assert transitions.TRANSITIONS[("delivered", "completed")] == frozenset({transitions.CLIENT})
    assert transitions.TRANSITIONS[("delivered", "revision_requested")] == frozenset({transitions.CLIENT})
