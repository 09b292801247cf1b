"""Writers' payouts: a writer asks for part or all of their balance (held at once), an admin
approves it and marks it paid with the transfer's reference (the held money leaves as a
``payout`` ledger row) or rejects it with a note (the money is released). Every step is audited
and the people it concerns are notified; the wallet always equals its ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django_tenants.utils import tenant_context
from pytest_django import Settings

from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.notifications.models import Notification
from tenant_apps.writing.wallets.services import payout_approve
from tests.factories import OrderFactory, UserFactory
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.wallets.conftest import (
    PAYOUTS,
    amounts,
    books_balance,
    earn,
    error_code,
    ledger_kinds,
    make_payout,
    payout_url,
)

D = Decimal


def _verbs(writing: Writing, pk: int) -> list[str]:
    with tenant_context(writing.tenant):
        return list(
            AuditLogEntry.objects.filter(target_id=str(pk), verb__startswith="writing_payout.")
            .order_by("id")
            .values_list("verb", flat=True)
        )


def _told(writing: Writing, verb: str) -> set[int]:
    with tenant_context(writing.tenant):
        return set(Notification.objects.filter(verb=verb).values_list("recipient_id", flat=True))


def test_a_writer_asks_for_part_of_the_balance_and_it_is_held_at_once(writing: Writing) -> None:
    # given: wren earned 100.00
    earn(writing, "wren", "100.00")
    # when: she asks for 60.00
    response = writing.client("wren").post(PAYOUTS, {"amount": "60.00"}, format="json")
    # then: requested, 60.00 held, 40.00 spendable, the admins told
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["amount"], body["currency"]) == ("requested", "60.00", "USD")
    assert body["writer"] == {"id": writing.wren.pk, "full_name": "Wren Writer"}
    assert amounts(writing, "wren") == (D("40.00"), D("60.00"))
    assert ledger_kinds(writing, "wren")[-1] == ("escrow_hold", D("-60.00"), D("60.00"))
    assert writing.admin.pk in _told(writing, "writing_payout.requested")
    assert _verbs(writing, body["id"]) == ["writing_payout.requested"]


def test_the_held_money_cannot_be_asked_for_twice(writing: Writing) -> None:
    # given: 100.00 earned, 60.00 asked for
    earn(writing, "wren", "100.00")
    assert writing.client("wren").post(PAYOUTS, {"amount": "60.00"}, format="json").status_code == 201
    # when: she asks for 60.00 again
    response = writing.client("wren").post(PAYOUTS, {"amount": "60.00"}, format="json")
    # then: 409, nothing changed
    assert response.status_code == 409
    assert error_code(response) == "insufficient_funds"
    assert response.json()["error"]["details"] == {"requested": "60.00", "available": "40.00", "currency": "USD"}
    assert amounts(writing, "wren") == (D("40.00"), D("60.00"))
    assert len(writing.client("wren").get(PAYOUTS).json()["results"]) == 1


def test_a_writer_without_a_wallet_asking_for_a_payout_gets_409(writing: Writing) -> None:
    response = writing.client("will").post(PAYOUTS, {"amount": "20.00"}, format="json")
    assert response.status_code == 409
    assert error_code(response) == "insufficient_funds"


def test_a_writer_asks_for_all_of_the_balance(writing: Writing) -> None:
    earn(writing, "wren", "37.50")
    assert writing.client("wren").post(PAYOUTS, {"amount": "37.50"}, format="json").status_code == 201
    assert amounts(writing, "wren") == (D("0.00"), D("37.50"))


@pytest.mark.parametrize("amount", ["9.99", "0", "-5.00", "10.001"])
def test_a_payout_below_the_minimum_or_not_an_amount_is_refused(writing: Writing, amount: str) -> None:
    earn(writing, "wren", "100.00")
    response = writing.client("wren").post(PAYOUTS, {"amount": amount}, format="json")
    assert response.status_code == 400
    assert error_code(response) in {"invalid_amount", "validation_error"}
    assert amounts(writing, "wren") == (D("100.00"), D("0.00"))


def test_the_minimum_payout_is_a_setting(writing: Writing, settings: Settings) -> None:
    settings.WRITING_PAYOUT_MIN = "50.00"
    earn(writing, "wren", "100.00")
    response = writing.client("wren").post(PAYOUTS, {"amount": "40.00"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"amount": ["At least 50.00."]}


@pytest.mark.parametrize("who", ["cleo", "eddie", "sue", "admin"])
def test_only_writers_ask_for_payouts(writing: Writing, who: str) -> None:
    earn(writing, who, "100.00")
    response = writing.client(who).post(PAYOUTS, {"amount": "20.00"}, format="json")
    assert response.status_code == 403
    assert amounts(writing, who) == (D("100.00"), D("0.00"))


def test_an_admin_approves_and_marks_paid_and_the_money_leaves_the_wallet(writing: Writing) -> None:
    # given: wren earned 100.00 and asked for 60.00
    earn(writing, "wren", "100.00")
    pk = writing.client("wren").post(PAYOUTS, {"amount": "60.00"}, format="json").json()["id"]
    admin = writing.client("admin")
    # when: the admin approves it
    approved = admin.post(payout_url(pk, "approve/"), {}, format="json")
    # then: approved, still held
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    assert approved.json()["decided_by"]["id"] == writing.admin.pk
    assert amounts(writing, "wren") == (D("40.00"), D("60.00"))
    # when: the admin marks it paid with the transfer's reference
    paid = admin.post(payout_url(pk, "mark-paid/"), {"reference": "SEPA-2026-0042"}, format="json")
    # then: paid; the held money left as a payout row; 40.00 remains
    assert paid.status_code == 200, paid.content
    assert (paid.json()["status"], paid.json()["reference"]) == ("paid", "SEPA-2026-0042")
    assert paid.json()["paid_at"] is not None
    assert amounts(writing, "wren") == (D("40.00"), D("0.00"))
    assert ledger_kinds(writing, "wren") == [
        ("earning", D("100.00"), D("0.00")),
        ("escrow_hold", D("-60.00"), D("60.00")),
        ("payout", D("0.00"), D("-60.00")),
    ]
    assert books_balance(writing)
    assert _verbs(writing, pk) == ["writing_payout.requested", "writing_payout.approved", "writing_payout.paid"]
    assert {writing.wren.pk} == _told(writing, "writing_payout.approved") == _told(writing, "writing_payout.paid")
    # and the writer sees it paid
    assert writing.client("wren").get(payout_url(pk)).json()["status"] == "paid"


@pytest.mark.parametrize("status", ["requested", "approved"])
def test_a_rejection_with_a_note_releases_the_held_money(writing: Writing, status: str) -> None:
    # given
    payout = make_payout(writing, status, amount="30.00")
    # when
    response = writing.client("admin").post(
        payout_url(payout.pk, "reject/"), {"note": "Your bank details are missing."}, format="json"
    )
    # then: rejected with the note, 30.00 spendable again, wren told why
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["note"]) == ("rejected", "Your bank details are missing.")
    assert amounts(writing, "wren") == (D("30.00"), D("0.00"))
    assert ledger_kinds(writing, "wren")[-1] == ("escrow_release", D("30.00"), D("-30.00"))
    assert books_balance(writing)
    with tenant_context(writing.tenant):
        told = Notification.objects.get(recipient=writing.wren, verb="writing_payout.rejected")
        assert told.extra_data["note"] == "Your bank details are missing."


def test_a_rejection_needs_a_note(writing: Writing) -> None:
    payout = make_payout(writing)
    for body in ({}, {"note": ""}, {"note": "   "}):
        response = writing.client("admin").post(payout_url(payout.pk, "reject/"), body, format="json")
        assert response.status_code == 400
        assert error_code(response) == "validation_error"
    assert amounts(writing, "wren") == (D("0.00"), D("40.00"))


def test_marking_paid_needs_a_reference(writing: Writing) -> None:
    payout = make_payout(writing, "approved")
    for body in ({}, {"reference": ""}, {"reference": "   "}, {"reference": "x" * 101}, {"reference": 7}):
        response = writing.client("admin").post(payout_url(payout.pk, "mark-paid/"), body, format="json")
        assert response.status_code == 400, body
    assert writing.client("wren").get(payout_url(payout.pk)).json()["status"] == "approved"


@pytest.mark.parametrize(
    ("status", "action", "body"),
    [
        ("requested", "mark-paid/", {"reference": "T-1"}),
        ("approved", "approve/", {}),
        ("paid", "approve/", {}),
        ("paid", "reject/", {"note": "Too late."}),
        ("paid", "mark-paid/", {"reference": "T-2"}),
        ("rejected", "approve/", {}),
        ("rejected", "reject/", {"note": "Again."}),
        ("rejected", "mark-paid/", {"reference": "T-3"}),
    ],
)
def test_a_move_the_status_does_not_allow_answers_409_and_moves_no_money(
    writing: Writing, status: str, action: str, body: dict[str, str]
) -> None:
    # given
    payout = make_payout(writing, status)
    before = amounts(writing, "wren"), ledger_kinds(writing, "wren")
    # when
    response = writing.client("admin").post(payout_url(payout.pk, action), body, format="json")
    # then
    assert response.status_code == 409
    assert error_code(response) == "invalid_status_transition"
    assert response.json()["error"]["details"] == {"status": status}
    assert (amounts(writing, "wren"), ledger_kinds(writing, "wren")) == before


def test_writers_see_their_own_requests_and_everyone_else_404(writing: Writing) -> None:
    # given: one request of wren's, one of will's
    mine = make_payout(writing)
    theirs = make_payout(writing, who="will")
    # then: each writer lists and reads their own only
    assert [p["id"] for p in writing.client("wren").get(PAYOUTS).json()["results"]] == [mine.pk]
    assert writing.client("wren").get(payout_url(mine.pk)).status_code == 200
    assert writing.client("wren").get(payout_url(theirs.pk)).status_code == 404
    # and clients, editors and support see none
    for who in ("cleo", "eddie", "sue"):
        assert writing.client(who).get(PAYOUTS).json()["results"] == []
        assert writing.client(who).get(payout_url(mine.pk)).status_code == 404
    assert writing.client(None).get(PAYOUTS).status_code == 401


@pytest.mark.parametrize("who", ["wren", "will", "cleo", "eddie", "sue"])
@pytest.mark.parametrize(
    ("action", "body"), [("approve/", {}), ("reject/", {"note": "No."}), ("mark-paid/", {"reference": "T"})]
)
def test_only_admins_decide_payouts(writing: Writing, who: str, action: str, body: dict[str, str]) -> None:
    payout = make_payout(writing, "approved" if action == "mark-paid/" else "requested")
    response = writing.client(who).post(payout_url(payout.pk, action), body, format="json")
    assert response.status_code == 403
    assert amounts(writing, "wren") == (D("0.00"), D("40.00"))


def test_an_admin_lists_every_request_and_filters_by_status(writing: Writing) -> None:
    # given
    requested = make_payout(writing)
    paid = make_payout(writing, "paid", who="will")
    admin = writing.client("admin")
    # then
    assert [p["id"] for p in admin.get(PAYOUTS).json()["results"]] == [paid.pk, requested.pk]
    assert [p["id"] for p in admin.get(PAYOUTS, {"status": "requested"}).json()["results"]] == [requested.pk]
    both = admin.get(f"{PAYOUTS}?status=paid&status=rejected").json()["results"]
    assert [p["id"] for p in both] == [paid.pk]
    bad = admin.get(PAYOUTS, {"status": "lost"})
    assert bad.status_code == 400 and error_code(bad) == "validation_error"


def test_a_missing_request_is_404(writing: Writing) -> None:
    assert writing.client("admin").post(payout_url(999999, "approve/"), {}, format="json").status_code == 404
    assert writing.client("admin").get(payout_url(999999)).status_code == 404


def test_the_ledger_adds_up_over_many_requests(writing: Writing) -> None:
    # given: wren earned 200.00; four requests end paid, rejected, approved and requested
    earn(writing, "wren", "200.00")
    wren, admin = writing.client("wren"), writing.client("admin")
    ids = [wren.post(PAYOUTS, {"amount": a}, format="json").json()["id"] for a in ("50.00", "30.00", "20.00", "10.00")]
    admin.post(payout_url(ids[0], "approve/"), {}, format="json")
    admin.post(payout_url(ids[0], "mark-paid/"), {"reference": "T-1"}, format="json")
    admin.post(payout_url(ids[1], "reject/"), {"note": "Duplicate."}, format="json")
    admin.post(payout_url(ids[2], "approve/"), {}, format="json")
    # then: 50.00 left the site, 30.00 is back, 30.00 still held
    assert amounts(writing, "wren") == (D("120.00"), D("30.00"))
    assert sum(d for _, d, _ in ledger_kinds(writing, "wren")) == D("120.00")
    assert books_balance(writing)


def test_a_writer_is_paid_out_what_an_approved_order_earned(writing: Writing) -> None:
    # given: an order wren wrote, approved by its client (her earning: the writer's share)
    with tenant_context(writing.tenant):
        order = OrderFactory(client=writing.cleo, writer=writing.wren, completed=True)
    earned = order.earning
    assert earned > 0 and amounts(writing, "wren") == (earned, D("0.00"))
    # when: she asks for all of it and the admin pays it
    pk = writing.client("wren").post(PAYOUTS, {"amount": str(earned)}, format="json").json()["id"]
    writing.client("admin").post(payout_url(pk, "approve/"), {}, format="json")
    paid = writing.client("admin").post(payout_url(pk, "mark-paid/"), {"reference": "T-9"}, format="json")
    # then: nothing left, every cent accounted for
    assert paid.json()["status"] == "paid"
    assert amounts(writing, "wren") == (D("0.00"), D("0.00"))
    assert [kind for kind, _, _ in ledger_kinds(writing, "wren")] == ["earning", "escrow_hold", "payout"]
    assert books_balance(writing)


@pytest.mark.parametrize(
    ("action", "body"), [("approve/", {}), ("reject/", {"note": "No."}), ("mark-paid/", {"reference": "T"})]
)
def test_an_admin_who_writes_never_decides_their_own_request(
    writing: Writing, action: str, body: dict[str, str]
) -> None:
    # given: an admin who is also a writer asked for a payout (approved by a colleague, for mark-paid)
    with tenant_context(writing.tenant):
        writing.admin.groups.add(Group.objects.get(name="writer"))
    payout = make_payout(writing, who="admin")
    if action == "mark-paid/":
        with tenant_context(writing.tenant):
            colleague = UserFactory(email="colleague@golf.test", roles=["admin"])
            payout_approve(payout=payout, actor=colleague)
    # when: they decide it themselves
    response = writing.client("admin").post(payout_url(payout.pk, action), body, format="json")
    # then: four eyes
    assert response.status_code == 403
    assert error_code(response) == "self_approval_forbidden"
