"""The one table of special order moves: every pair outside it is a 409 whoever asks; a pair in it
is a 403 for a party not named."""

from __future__ import annotations

import itertools

import pytest

from saas.errors import Conflict, PermissionDenied
from tenant_apps.writing.special_orders.models import SpecialOrderStatus
from tenant_apps.writing.special_orders.transitions import ADMIN, CLIENT, TRANSITIONS, check_transition

PAIRS = list(itertools.product(SpecialOrderStatus.values, repeat=2))


@pytest.mark.parametrize(("current", "wanted"), PAIRS)
def test_each_pair_is_allowed_to_its_parties_only(current: str, wanted: str) -> None:
    allowed = TRANSITIONS.get((current, wanted))
    for party in (CLIENT, ADMIN):
        if allowed is None:
            with pytest.raises(Conflict) as refused:
                check_transition(current=current, wanted=wanted, parties={party})
            assert refused.value.code == "invalid_status_transition"
        elif party in allowed:
            check_transition(current=current, wanted=wanted, parties={party})
        else:
            with pytest.raises(PermissionDenied):
                check_transition(current=current, wanted=wanted, parties={party})


def test_final_statuses_have_no_way_out() -> None:
    for final in ("completed", "declined", "cancelled"):
        assert not [pair for pair in TRANSITIONS if pair[0] == final]
