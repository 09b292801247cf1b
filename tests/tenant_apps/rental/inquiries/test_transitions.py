"""The status transitions of an inquiry: every pair of statuses, valid or not, and who may make
each valid one (``transitions.py``); then the table as the API applies it."""

from __future__ import annotations

from itertools import product

import pytest

from saas.errors import Conflict, ErrorCode, PermissionDenied
from tenant_apps.rental.inquiries.models import InquiryStatus
from tenant_apps.rental.inquiries.transitions import (
    ADMIN,
    AGENT,
    AUTHOR,
    QUEUE_AGENT,
    TRANSITIONS,
    check_transition,
    is_valid,
)
from tests.api import error_code
from tests.factories import InquiryFactory
from tests.tenant_apps.rental.conftest import Rental
from tests.tenant_apps.rental.inquiries.conftest import in_rental, inquiry_url

NEW, ASSIGNED, IN_PROGRESS, RESOLVED, CLOSED = "new", "assigned", "in_progress", "resolved", "closed"
PARTIES = (ADMIN, AGENT, QUEUE_AGENT, AUTHOR)

#: The specification, written out: who may make each valid move. Every other pair is invalid.
EXPECTED: dict[tuple[str, str], set[str]] = {
    (NEW, ASSIGNED): {ADMIN, QUEUE_AGENT},
    (ASSIGNED, ASSIGNED): {ADMIN},
    (IN_PROGRESS, ASSIGNED): {ADMIN},
    (ASSIGNED, IN_PROGRESS): {ADMIN, AGENT},
    (IN_PROGRESS, RESOLVED): {ADMIN, AGENT},
    (RESOLVED, IN_PROGRESS): {ADMIN, AGENT, AUTHOR},
    (RESOLVED, CLOSED): {ADMIN, AGENT, AUTHOR},
    (NEW, CLOSED): {ADMIN},
    (ASSIGNED, CLOSED): {ADMIN},
    (IN_PROGRESS, CLOSED): {ADMIN},
}
PAIRS = list(product(InquiryStatus.values, repeat=2))


def test_the_table_is_the_specification() -> None:
    assert {pair: set(parties) for pair, parties in TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize(("current", "wanted"), PAIRS)
def test_each_pair_of_statuses_is_valid_only_when_listed(current: str, wanted: str) -> None:
    assert is_valid(current, wanted) == ((current, wanted) in EXPECTED)


@pytest.mark.parametrize(("current", "wanted"), [pair for pair in PAIRS if pair not in EXPECTED])
def test_an_invalid_pair_is_refused_with_409_whoever_asks(current: str, wanted: str) -> None:
    # when, then: even all parties at once cannot make it
    with pytest.raises(Conflict) as refused:
        check_transition(current=current, wanted=wanted, parties=set(PARTIES))
    assert refused.value.code == ErrorCode.INVALID_STATUS_TRANSITION
    assert refused.value.details == {"status": current}


@pytest.mark.parametrize(("current", "wanted", "party"), [(c, w, p) for (c, w) in EXPECTED for p in PARTIES], ids=str)
def test_a_valid_pair_is_made_only_by_its_parties(current: str, wanted: str, party: str) -> None:
    if party in EXPECTED[(current, wanted)]:
        check_transition(current=current, wanted=wanted, parties={party})
    else:
        with pytest.raises(PermissionDenied):
            check_transition(current=current, wanted=wanted, parties={party})


def test_nothing_goes_back_to_new_and_closed_is_final() -> None:
    assert not any(wanted == NEW for _, wanted in TRANSITIONS)
    assert not any(current == CLOSED for current, _ in TRANSITIONS)


# --- Through the API ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [NEW, ASSIGNED, IN_PROGRESS, RESOLVED, CLOSED])
@pytest.mark.parametrize("wanted", [NEW, ASSIGNED, IN_PROGRESS, RESOLVED, CLOSED])
def test_the_status_endpoint_applies_the_table_for_an_admin(rental: Rental, status: str, wanted: str) -> None:
    # given an inquiry in ``status``, assigned to cora unless new
    inquiry = in_rental(rental, InquiryFactory, author=rental.gia, agent=rental.cora, status=status)
    # when the admin asks for ``wanted``
    response = rental.client("admin").post(inquiry_url(inquiry.pk, "status"), {"status": wanted}, format="json")
    # then: made when the admin may make it (assigned only comes from assigning), 409 otherwise
    if wanted != ASSIGNED and ADMIN in EXPECTED.get((status, wanted), set()):
        assert response.status_code == 200, response.content
        assert response.json()["status"] == wanted
    else:
        assert response.status_code == 409, response.content
        assert error_code(response) == "invalid_status_transition"
        assert response.json()["error"]["details"] == {"status": status}


def test_the_agent_starts_and_resolves_and_the_author_reopens_then_closes(rental: Rental) -> None:
    # given
    inquiry = in_rental(rental, InquiryFactory, author=rental.gia, agent=rental.cora, status=ASSIGNED)
    cora, gia = rental.client("cora"), rental.client("gia")
    url = inquiry_url(inquiry.pk, "status")
    # when, then
    assert gia.post(url, {"status": IN_PROGRESS}, format="json").status_code == 403  # not the author's move
    assert cora.post(url, {"status": IN_PROGRESS}, format="json").json()["status"] == IN_PROGRESS
    resolved = cora.post(url, {"status": RESOLVED}, format="json").json()
    assert resolved["status"] == RESOLVED and resolved["resolved_at"] is not None
    reopened = gia.post(url, {"status": IN_PROGRESS}, format="json").json()
    assert reopened["status"] == IN_PROGRESS and reopened["resolved_at"] is None
    assert cora.post(url, {"status": RESOLVED}, format="json").status_code == 200
    closed = gia.post(url, {"status": CLOSED}, format="json").json()
    assert closed["status"] == CLOSED and closed["closed_at"] is not None


def test_an_agent_may_not_close_what_is_not_resolved(rental: Rental) -> None:
    inquiry = in_rental(rental, InquiryFactory, author=rental.gia, agent=rental.cora, status=IN_PROGRESS)
    response = rental.client("cora").post(inquiry_url(inquiry.pk, "status"), {"status": CLOSED}, format="json")
    assert response.status_code == 403
    assert error_code(response) == "permission_denied"


def test_an_unknown_status_is_a_validation_error(rental: Rental) -> None:
    inquiry = in_rental(rental, InquiryFactory, author=rental.gia)
    response = rental.client("admin").post(inquiry_url(inquiry.pk, "status"), {"status": "done"}, format="json")
    assert response.status_code == 400
    assert error_code(response) == "validation_error"
