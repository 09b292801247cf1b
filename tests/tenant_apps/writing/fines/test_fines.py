"""Fines by rule and by an admin, their deduction from the writer's earnings, and appeals, through
the API as the people of the golf site use it (amounts: see ``conftest``)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.notifications.models import Notification
from tenant_apps.wallet.models import LedgerEntry
from tenant_apps.wallet.services import wallet_open, wallet_top_up
from tenant_apps.writing.fines.models import WorkClock
from tenant_apps.writing.fines.services import fine_issue, fines_for_missed_revisions, hours_late
from tenant_apps.writing.orders.models import Order
from tenant_apps.writing.orders.services import order_cancel, order_request_revision, order_start, order_submit
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.fines.conftest import (
    FINES,
    SETTINGS,
    approve,
    balance,
    error_code,
    fine_url,
    fines_of,
    late_order,
    set_rules,
)
from tests.tenant_apps.writing.orders.conftest import fund, make_order

H = timedelta(hours=1)


def _verbs(writing: Writing, who: str) -> list[str]:
    with tenant_context(writing.tenant):
        return list(
            Notification.objects.filter(recipient=getattr(writing, who), verb__startswith="writing_fine.")
            .order_by("id")
            .values_list("verb", flat=True)
        )


def _ledger(writing: Writing, who: str) -> list[tuple[str, Decimal, str]]:
    with tenant_context(writing.tenant):
        return list(
            LedgerEntry.objects.filter(wallet__user=getattr(writing, who))
            .order_by("id")
            .values_list("kind", "balance_delta", "reference")
        )


# ------------------------------------------------------------------------------------------
# The walk-through: a writer fined for lateness and the appeal accepted
# ------------------------------------------------------------------------------------------


def test_a_writer_fined_for_lateness_appeals_and_gets_the_money_back(writing: Writing) -> None:
    # given: wren submits 2.5 hours late; eddie delivers
    order = late_order(writing, 2.5 * H)
    # then: fined 3 started hours x 2 % of 24.00 = 1.44, outstanding until the order completes
    (fine,) = writing.client("wren").get(FINES).json()["results"]
    assert (fine["kind"], fine["hours_late"], fine["amount"], fine["status"]) == (
        "late_delivery",
        3,
        "1.44",
        "outstanding",
    )
    assert (fine["deducted"], fine["outstanding"], fine["order"]["number"]) == ("0.00", "1.44", order.number)
    assert "writing_fine.issued" in _verbs(writing, "wren")
    # when: cleo approves: wren earns 12.00 and the fine is deducted from it
    approve(writing, order)
    assert balance(writing, "wren") == Decimal("10.56")
    assert [(k, d) for k, d, _ in _ledger(writing, "wren")] == [
        ("earning", Decimal("12.00")),
        ("payment", Decimal("-1.44")),
    ]
    assert _ledger(writing, "wren")[1][2].startswith(f"fine:{fine['id']}:deduction:")
    assert writing.client("wren").get(fine_url(fine["id"])).json()["status"] == "settled"
    # when: wren appeals; the admins hear of it
    response = writing.client("wren").post(
        fine_url(fine["id"], "appeal/"), {"explanation": "The client changed the brief."}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["appeal"]["status"] == "pending"
    assert _verbs(writing, "admin") == ["writing_fine.appealed"]
    # and: the admin accepts
    response = writing.client("admin").post(fine_url(fine["id"], "accept/"), {"note": "Confirmed."}, format="json")
    # then: the fine is reversed and the 1.44 given back as one refund row; wren is told
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["appeal"]["status"], body["outstanding"]) == ("reversed", "accepted", "0.00")
    assert body["appeal"]["decided_by"]["id"] == writing.admin.pk
    assert balance(writing, "wren") == Decimal("12.00")
    assert _ledger(writing, "wren")[-1] == ("refund", Decimal("1.44"), f"fine:{fine['id']}:reversal")
    assert _verbs(writing, "wren")[-1] == "writing_fine.appeal_accepted"
    # and: accepting again changes nothing
    again = writing.client("admin").post(fine_url(fine["id"], "accept/"), {}, format="json")
    assert (again.status_code, error_code(again)) == (409, "invalid_status_transition")
    assert balance(writing, "wren") == Decimal("12.00")


# ------------------------------------------------------------------------------------------
# The late-delivery rule
# ------------------------------------------------------------------------------------------


def test_hours_late_count_started_hours_from_the_deadline_after_the_grace() -> None:
    deadline = timezone.now()
    assert hours_late(deadline=deadline, at=deadline - H, grace_minutes=60) == 0
    assert hours_late(deadline=deadline, at=deadline + 60 * timedelta(minutes=1), grace_minutes=60) == 0
    assert hours_late(deadline=deadline, at=deadline + 61 * timedelta(minutes=1), grace_minutes=60) == 2
    assert hours_late(deadline=deadline, at=deadline + 10 * timedelta(minutes=1), grace_minutes=0) == 1


def test_lateness_within_the_grace_is_not_fined(writing: Writing) -> None:
    late_order(writing, timedelta(minutes=30))
    assert fines_of(writing, "wren") == []


def test_the_editors_delay_is_not_the_writers_lateness(writing: Writing) -> None:
    # given: wren submits an hour before the deadline; eddie delivers 4 hours after it
    order = late_order(writing, -H, delivered_later=5 * H)
    # then: delivered late, but no fine
    assert order.delivered_at is not None and order.delivered_at > order.deadline
    assert fines_of(writing, "wren") == []


def test_a_late_fine_is_capped(writing: Writing) -> None:
    late_order(writing, 99.5 * H)
    (fine,) = fines_of(writing, "wren")
    assert (fine.amount, fine.hours_late) == (Decimal("7.20"), 100)


def test_rules_switched_off_fine_nobody(writing: Writing) -> None:
    set_rules(writing, enabled=False)
    late_order(writing, 10 * H)
    assert fines_of(writing, "wren") == []


def test_the_late_fine_is_made_once_per_order_even_after_a_revision(writing: Writing) -> None:
    # given: a late first delivery, then a revision redelivered
    order = late_order(writing, 3 * H)
    with tenant_context(writing.tenant):
        from tenant_apps.writing.orders.services import order_deliver

        order = order_request_revision(order=order, actor=writing.cleo, instructions="More sources.")
        order = order_submit(order=order, actor=writing.wren)
        order_deliver(order=order, actor=writing.eddie)
    # then: one fine
    assert [f.kind for f in fines_of(writing, "wren")] == ["late_delivery"]


# ------------------------------------------------------------------------------------------
# The missed-revision rule
# ------------------------------------------------------------------------------------------


def _revision_requested(writing: Writing) -> Order:
    order = make_order(writing, "delivered")
    with tenant_context(writing.tenant):
        return order_request_revision(order=order, actor=writing.cleo, instructions="Fix the references.")


def test_a_revision_submitted_after_it_was_due_is_fined(writing: Writing) -> None:
    # given: a revision requested; its 48 hours run out
    order = _revision_requested(writing)
    with tenant_context(writing.tenant):
        clock = WorkClock.objects.get(order=order)
        assert clock.revision_round == 1 and clock.revision_due_at is not None
        assert clock.revision_due_at - timezone.now() > 47 * H
        WorkClock.objects.filter(order=order).update(revision_due_at=timezone.now() - H)
        # when: wren submits
        order_start(order=order, actor=writing.wren)
        order_submit(order=order, actor=writing.wren)
    # then: 10 % of 24.00
    (fine,) = fines_of(writing, "wren")
    assert (fine.kind, fine.amount, fine.rule_key) == ("missed_revision", Decimal("2.40"), f"revision:{order.pk}:1")


def test_a_dispute_resolved_with_a_revision_starts_its_clock(writing: Writing) -> None:
    from tenant_apps.writing.orders.services import order_resolve

    order = make_order(writing, "disputed")
    with tenant_context(writing.tenant):
        order_resolve(order=order, actor=writing.admin, outcome="revision_requested", note="Redo section 2.")
        clock = WorkClock.objects.get(order=order)
        assert clock.revision_round == 1 and clock.revision_due_at is not None


def test_a_revision_submitted_in_time_is_not_fined(writing: Writing) -> None:
    order = _revision_requested(writing)
    with tenant_context(writing.tenant):
        order_submit(order=order, actor=writing.wren)
    assert fines_of(writing, "wren") == []


def test_the_sweep_fines_a_revision_past_due_once(writing: Writing) -> None:
    # given: a revision past due, not submitted; another not due yet
    order = _revision_requested(writing)
    _revision_requested(writing)
    with tenant_context(writing.tenant):
        WorkClock.objects.filter(order=order).update(revision_due_at=timezone.now() - H)
        # when: the beat task runs twice, then wren submits
        first, second = fines_for_missed_revisions(), fines_for_missed_revisions()
        order_submit(order=order, actor=writing.wren)
    # then: one fine
    assert len(first) == 1 and second == []
    assert [f.order_id for f in fines_of(writing, "wren")] == [order.pk]


# ------------------------------------------------------------------------------------------
# An admin's fine, and deduction never below zero
# ------------------------------------------------------------------------------------------


def test_an_admins_fine_takes_what_the_balance_holds_and_the_rest_from_the_next_earning(writing: Writing) -> None:
    # given: wren holds 5.00
    fund(writing, "wren", "5.00")
    # when: the admin fines her 8.00 for plagiarism
    response = writing.client("admin").post(
        FINES, {"writer": writing.wren.pk, "amount": "8.00", "reason": "Plagiarism in WO-1."}, format="json"
    )
    # then: 5.00 deducted at once, 3.00 outstanding; the balance is empty, not negative
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["deducted"], body["outstanding"], body["status"]) == (
        "manual",
        "5.00",
        "3.00",
        "outstanding",
    )
    assert body["issued_by"]["id"] == writing.admin.pk and body["order"] is None
    assert balance(writing, "wren") == Decimal("0.00")
    # when: an order of hers completes (12.00 earned)
    approve(writing, make_order(writing, "delivered"))
    # then: the 3.00 is taken from it
    assert balance(writing, "wren") == Decimal("9.00")
    assert writing.client("wren").get(fine_url(body["id"])).json()["status"] == "settled"


def test_an_order_fine_waits_for_the_order_to_close(writing: Writing) -> None:
    # given: wren holds 50.00 and is fined for a late order still delivered
    fund(writing, "wren", "50.00")
    late_order(writing, 3 * H)
    # when: another order of hers completes
    approve(writing, make_order(writing, "delivered"))
    # then: the late order's fine is not taken yet
    assert balance(writing, "wren") == Decimal("62.00")
    assert fines_of(writing, "wren")[0].deducted == Decimal("0.00")


def test_an_admin_fines_only_writers_and_about_their_own_orders(writing: Writing) -> None:
    admin = writing.client("admin")
    not_a_writer = admin.post(FINES, {"writer": writing.cleo.pk, "amount": "1.00", "reason": "x"}, format="json")
    missing = admin.post(FINES, {"writer": 999999, "amount": "1.00", "reason": "x"}, format="json")
    order = make_order(writing, "in_progress", writer=writing.will)
    not_hers = admin.post(
        FINES, {"writer": writing.wren.pk, "amount": "1.00", "reason": "x", "order": order.pk}, format="json"
    )
    negative = admin.post(FINES, {"writer": writing.wren.pk, "amount": "-1.00", "reason": "x"}, format="json")
    for response in (not_a_writer, missing, not_hers):
        assert (response.status_code, error_code(response)) == (400, "validation_error")
    assert negative.status_code == 400
    assert fines_of(writing, "wren") == []


def test_an_admins_fine_about_an_order_is_in_its_currency_and_waits_for_it(writing: Writing) -> None:
    fund(writing, "wren", "20.00")
    order = make_order(writing, "in_progress")
    response = writing.client("admin").post(
        FINES,
        {"writer": writing.wren.pk, "amount": "4.00", "reason": "Copied sources.", "order": order.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert (response.json()["order"]["id"], response.json()["deducted"]) == (order.pk, "0.00")
    assert balance(writing, "wren") == Decimal("20.00")


# ------------------------------------------------------------------------------------------
# Appeals
# ------------------------------------------------------------------------------------------


def _manual_fine(writing: Writing, amount: str = "6.00") -> int:
    response = writing.client("admin").post(
        FINES, {"writer": writing.wren.pk, "amount": amount, "reason": "Plagiarism."}, format="json"
    )
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def test_a_rejected_appeal_leaves_the_fine_and_tells_the_writer_why(writing: Writing) -> None:
    fund(writing, "wren", "10.00")
    fine = _manual_fine(writing)
    writing.client("wren").post(fine_url(fine, "appeal/"), {"explanation": "I cited it."}, format="json")
    # when: rejected without a reason, then with one
    bare = writing.client("admin").post(fine_url(fine, "reject/"), {}, format="json")
    response = writing.client("admin").post(
        fine_url(fine, "reject/"), {"note": "The passages match verbatim."}, format="json"
    )
    # then
    assert bare.status_code == 400
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["appeal"]["status"], body["appeal"]["note"]) == (
        "settled",
        "rejected",
        "The passages match verbatim.",
    )
    assert balance(writing, "wren") == Decimal("4.00")
    assert _verbs(writing, "wren")[-1] == "writing_fine.appeal_rejected"
    # and it is decided for good
    late = writing.client("admin").post(fine_url(fine, "accept/"), {}, format="json")
    assert (late.status_code, error_code(late)) == (409, "invalid_status_transition")


def test_a_fine_is_appealed_once_by_its_writer_only(writing: Writing) -> None:
    fine = _manual_fine(writing)
    first = writing.client("wren").post(fine_url(fine, "appeal/"), {"explanation": "Not me."}, format="json")
    second = writing.client("wren").post(fine_url(fine, "appeal/"), {"explanation": "Really."}, format="json")
    will = writing.client("will").post(fine_url(fine, "appeal/"), {"explanation": "Hm."}, format="json")
    admin = writing.client("admin").post(fine_url(fine, "appeal/"), {"explanation": "Hm."}, format="json")
    empty = writing.client("wren").post(fine_url(_manual_fine(writing), "appeal/"), {"explanation": " "}, format="json")
    assert first.status_code == 201
    assert (second.status_code, error_code(second)) == (409, "conflict")
    assert will.status_code == 404
    assert admin.status_code == 403
    assert empty.status_code == 400


def test_a_fine_without_an_appeal_is_not_decided(writing: Writing) -> None:
    fine = _manual_fine(writing)
    response = writing.client("admin").post(fine_url(fine, "accept/"), {}, format="json")
    assert response.status_code == 404


def test_an_accepted_appeal_stops_later_deductions(writing: Writing) -> None:
    # given: an 8.00 fine on an empty wallet, appealed and accepted
    fine = _manual_fine(writing, "8.00")
    writing.client("wren").post(fine_url(fine, "appeal/"), {"explanation": "Not me."}, format="json")
    writing.client("admin").post(fine_url(fine, "accept/"), {}, format="json")
    # when: she earns 12.00
    approve(writing, make_order(writing, "delivered"))
    # then: nothing is taken, nothing was given back (nothing had been deducted)
    assert balance(writing, "wren") == Decimal("12.00")
    assert [k for k, _, _ in _ledger(writing, "wren")] == ["earning"]


# ------------------------------------------------------------------------------------------
# The rules' settings and the list
# ------------------------------------------------------------------------------------------


def test_the_admin_changes_the_rules_within_bounds(writing: Writing) -> None:
    admin = writing.client("admin")
    assert admin.get(SETTINGS).json()["late_percent_per_hour"] == "2.00"
    too_much = admin.patch(SETTINGS, {"late_cap_percent": "101"}, format="json")
    response = admin.patch(SETTINGS, {"late_percent_per_hour": "5.00", "grace_minutes": 0}, format="json")
    assert too_much.status_code == 400
    assert response.status_code == 200
    late_order(writing, 0.5 * H)
    (fine,) = fines_of(writing, "wren")
    assert fine.amount == Decimal("1.20")  # 1 started hour x 5 % of 24.00


def test_the_list_filters_by_status_kind_writer_and_appeal(writing: Writing) -> None:
    late_order(writing, 3 * H)
    fine = _manual_fine(writing)
    writing.client("wren").post(fine_url(fine, "appeal/"), {"explanation": "Not me."}, format="json")
    admin = writing.client("admin")

    def ids(query: str) -> list[int]:
        response = admin.get(FINES + query)
        assert response.status_code == 200, response.content
        return [f["id"] for f in response.json()["results"]]

    assert ids("?appeal=pending") == [fine]
    assert len(ids("?kind=late_delivery")) == 1
    assert len(ids(f"?writer={writing.wren.pk}")) == 2
    assert ids(f"?writer={writing.will.pk}") == []
    assert admin.get(FINES + "?status=nonsense").status_code == 400


@pytest.mark.parametrize("who", ["cleo", "eddie", "will"])
def test_others_see_no_fine_of_wrens(writing: Writing, who: str) -> None:
    fine = _manual_fine(writing)
    assert writing.client(who).get(FINES).json()["results"] == []
    assert writing.client(who).get(fine_url(fine)).status_code == 404


def test_top_up_then_fine_deducts_from_the_balance(writing: Writing) -> None:
    with tenant_context(writing.tenant):
        wallet_top_up(wallet=wallet_open(user=writing.wren), amount="2.00", memo="test")
    _manual_fine(writing, "1.00")
    assert balance(writing, "wren") == Decimal("1.00")


def test_a_fine_on_an_order_is_collected_when_an_admin_cancels_the_order(writing: Writing) -> None:
    # given: wren holds 20.00 and is fined 7.50 about her order in progress (not collectable yet)
    fund(writing, "wren", "20.00")
    order = make_order(writing, "in_progress")
    with tenant_context(writing.tenant):
        fine = fine_issue(
            writer=writing.wren, amount="7.50", reason="Copied sources.", actor=writing.admin, order=order
        )
    assert (fine.deducted, balance(writing, "wren")) == (Decimal("0.00"), Decimal("20.00"))
    # when: an admin cancels the order
    with tenant_context(writing.tenant):
        order_cancel(order=order, actor=writing.admin, reason="Plagiarised.")
    # then: the fine is collected at once, not at her next completion
    [collected] = fines_of(writing, "wren")
    assert (collected.status, collected.deducted) == ("settled", Decimal("7.50"))
    assert balance(writing, "wren") == Decimal("12.50")
