"""Group placement (seed 004): a paid student joins the fullest group that still has room; when none has
room, a batch of new groups is created; no group ever holds more than its capacity."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, NoReturn

import pytest
from django.db import IntegrityError, transaction
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.school.lessons.models import Product
from tests.fixture_types import Buy, MakeProduct, PaidStudent, Pay
from tests.tenant_apps.school.lessons.conftest import groups_of


def _counts(tenant: Tenant, product: Product) -> list[int]:
    return [count for _, count, _, _ in groups_of(tenant, product)]


def test_the_first_paid_student_creates_a_batch_of_three_groups_of_two_and_joins_the_first(
    alpha: Tenant, people: SimpleNamespace, make_product: MakeProduct, buy: Buy, pay: Pay
) -> None:
    # given: the seed's settings (3 groups at once, at most 2 each) are the defaults
    product = make_product(alpha)
    assert (product.groups_per_batch, product.max_group_size) == (3, 2)
    # when
    pay(alpha, buy(alpha, people.student, product))
    # then
    assert groups_of(alpha, product) == [
        ("Python from zero #1", 1, 2, ["student@alpha.test"]),
        ("Python from zero #2", 0, 2, []),
        ("Python from zero #3", 0, 2, []),
    ]


def test_a_pending_or_partially_paid_purchase_gets_no_group(
    alpha: Tenant, people: SimpleNamespace, make_product: MakeProduct, buy: Buy, pay: Pay
) -> None:
    # given
    product = make_product(alpha)
    # when
    pay(alpha, buy(alpha, people.student, product), "99.99")
    # then
    assert groups_of(alpha, product) == []


def test_students_fill_the_group_with_the_most_members_below_the_maximum_first(
    alpha: Tenant, make_product: MakeProduct, paid_student: PaidStudent
) -> None:
    # given / when: six payments, one after the other
    product = make_product(alpha)
    counts = []
    for n in range(6):
        paid_student(alpha, product, f"s{n}@alpha.test")
        counts.append(_counts(alpha, product))
    # then: #1 fills up, then #2 (the fullest with room, ties to the oldest), then #3
    assert counts == [[1, 0, 0], [2, 0, 0], [2, 1, 0], [2, 2, 0], [2, 2, 1], [2, 2, 2]]


def test_when_every_group_is_full_a_new_batch_is_created_with_the_next_numbers(
    alpha: Tenant, make_product: MakeProduct, paid_student: PaidStudent
) -> None:
    # given: three full groups
    product = make_product(alpha)
    for n in range(6):
        paid_student(alpha, product, f"s{n}@alpha.test")
    # when
    paid_student(alpha, product, "late@alpha.test")
    # then
    groups = groups_of(alpha, product)
    assert [name for name, *_ in groups] == [f"Python from zero #{n}" for n in range(1, 7)]
    assert [count for _, count, _, _ in groups] == [2, 2, 2, 1, 0, 0]
    assert groups[3][3] == ["late@alpha.test"]


def test_the_fullest_group_with_room_wins_even_when_it_is_not_the_oldest(
    alpha: Tenant, people: SimpleNamespace, make_product: MakeProduct, paid_student: PaidStudent
) -> None:
    # given: capacity 3; after two moves #1 has 1 member, #2 has 2, #3 none
    from tenant_apps.school.lessons.services import group_member_move

    product = make_product(alpha, max_group_size=3)
    students = [paid_student(alpha, product, f"s{n}@alpha.test") for n in range(3)]  # #1: 3 members
    with tenant_context(alpha):
        first, second = list(product.groups.order_by("number"))[:2]
        for student in students[:2]:
            group_member_move(actor=people.admin, group=first, student=student, to_group=second)
    assert _counts(alpha, product) == [1, 2, 0]
    # when
    paid_student(alpha, product, "new@alpha.test")
    # then: #2 (2 members, below 3) beats #1 (1 member) and #3 (empty)
    assert _counts(alpha, product) == [1, 3, 0]


def test_the_batch_size_and_the_maximum_are_settings_of_the_product(
    alpha: Tenant, make_product: MakeProduct, paid_student: PaidStudent
) -> None:
    # given: 2 groups at once, at most 3 each
    product = make_product(alpha, groups_per_batch=2, max_group_size=3)
    # when
    for n in range(7):
        paid_student(alpha, product, f"s{n}@alpha.test")
    # then
    groups = groups_of(alpha, product)
    assert [(count, capacity) for _, count, capacity, _ in groups] == [(3, 3), (3, 3), (1, 3), (0, 3)]


def test_a_lower_maximum_applies_to_new_groups_and_never_overfills_old_ones(
    alpha: Tenant, people: SimpleNamespace, make_product: MakeProduct, paid_student: PaidStudent
) -> None:
    # given: groups of 3, then the maximum is lowered to 1
    from tenant_apps.school.lessons.services import product_update

    product = make_product(alpha, groups_per_batch=1, max_group_size=3)
    paid_student(alpha, product, "a@alpha.test")
    with tenant_context(alpha):
        product_update(actor=people.admin, product=product, max_group_size=1)
    # when
    for n in range(3):
        paid_student(alpha, product, f"s{n}@alpha.test")
    # then: the old group keeps its capacity of 3 and fills up; the next group has capacity 1
    assert [(count, capacity) for _, count, capacity, _ in groups_of(alpha, product)] == [(3, 3), (1, 1)]


def test_placement_is_idempotent_and_one_student_holds_one_seat_per_product(
    alpha: Tenant, people: SimpleNamespace, make_product: MakeProduct, buy: Buy, pay: Pay
) -> None:
    # given
    from tenant_apps.school.lessons.models import GroupMembership
    from tenant_apps.school.lessons.services import group_assign

    product = make_product(alpha)
    pay(alpha, buy(alpha, people.student, product))
    # when
    with tenant_context(alpha):
        again = group_assign(product=product, student=people.student)
        # then
        assert GroupMembership.objects.filter(product=product, student=people.student).count() == 1
        assert again.group.number == 1
    assert _counts(alpha, product) == [1, 0, 0]


def test_a_student_who_has_not_paid_cannot_be_given_a_seat(
    alpha: Tenant, people: SimpleNamespace, make_product: MakeProduct, buy: Buy
) -> None:
    # given
    from saas.api.errors import ApplicationError
    from tenant_apps.school.lessons.services import group_assign

    product = make_product(alpha)
    buy(alpha, people.student, product)
    # when / then
    with tenant_context(alpha), pytest.raises(ApplicationError) as raised:
        group_assign(product=product, student=people.student)
    assert raised.value.code == "payment_required"
    assert groups_of(alpha, product) == []


def test_the_database_refuses_to_overfill_a_group(
    alpha: Tenant, make_product: MakeProduct, paid_student: PaidStudent
) -> None:
    # given: a full group
    from django.db.models import F

    from tenant_apps.school.lessons.models import StudyGroup

    product = make_product(alpha)
    paid_student(alpha, product, "a@alpha.test")
    paid_student(alpha, product, "b@alpha.test")
    # when / then: a write that bypasses the services cannot push it past its capacity
    with tenant_context(alpha), pytest.raises(IntegrityError, match="lessons_group_not_overfull"), transaction.atomic():
        StudyGroup.objects.filter(product=product, number=1).update(member_count=F("member_count") + 1)


def test_payment_placement_and_their_audit_rows_happen_in_the_payments_transaction(
    alpha: Tenant, people: SimpleNamespace, make_product: MakeProduct, buy: Buy, pay: Pay
) -> None:
    # given
    from tenant_apps.audit.models import AuditLogEntry
    from tenant_apps.notifications.models import Notification

    product = make_product(alpha)
    purchase = buy(alpha, people.student, product)
    # when
    pay(alpha, purchase)
    # then
    with tenant_context(alpha):
        verbs = list(AuditLogEntry.objects.order_by("id").values_list("verb", flat=True))
        joined = Notification.objects.get(recipient=people.student, verb="group.joined")
    approved = verbs.index("payment.approved")
    assert verbs[approved:] == [
        "payment.approved",
        "invoice.status_changed",
        "product.purchase_paid",
        "group.batch_created",
        "group.member_added",
    ]
    assert joined.extra_data["group_name"] == "Python from zero #1"


def test_a_failing_placement_rolls_the_payment_back(
    alpha: Tenant,
    people: SimpleNamespace,
    make_product: MakeProduct,
    buy: Buy,
    pay: Pay,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: placement breaks
    from saas.api.errors import ApplicationError
    from tenant_apps.payments.models import Invoice
    from tenant_apps.school.lessons import services

    product = make_product(alpha)
    purchase = buy(alpha, people.student, product)

    def broken(**kwargs: Any) -> NoReturn:
        raise RuntimeError("placement failed")

    monkeypatch.setattr(services.purchases, "group_assign", broken)
    # when
    with pytest.raises((RuntimeError, ApplicationError)):
        pay(alpha, purchase)
    # then: nothing of the approval stayed
    with tenant_context(alpha):
        purchase.refresh_from_db()
        assert Invoice.objects.get(pk=purchase.invoice_id).status == "unpaid"
    assert purchase.status == "pending"
