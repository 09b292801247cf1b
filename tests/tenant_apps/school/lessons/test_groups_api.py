"""Staff see a product's groups and move students between them; students see their own seat."""

from __future__ import annotations

from types import SimpleNamespace
from typing import TypeAlias

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.school.lessons.models import Product, StudyGroup
from tests.fixture_types import ApiAsOrAnonymous, Buy, MakeProduct, PaidStudent, Pay
from tests.tenant_apps.school.lessons.conftest import GROUPS, PRODUCTS, error_code, groups_of

#: ``(product, [its groups by number], a group of another product, student a, student b)``
Seated: TypeAlias = tuple[Product, list[StudyGroup], StudyGroup, User, User]


@pytest.fixture
def seated(
    alpha: Tenant, people: SimpleNamespace, make_product: MakeProduct, buy: Buy, pay: Pay, paid_student: PaidStudent
) -> Seated:
    """A product whose groups are #1 = [student, a] (full), #2 = [b], #3 = [], and another product."""
    product = make_product(alpha)
    pay(alpha, buy(alpha, people.student, product))
    a = paid_student(alpha, product, "a@alpha.test")
    b = paid_student(alpha, product, "b@alpha.test")
    other_product = make_product(alpha, title="Other course")
    paid_student(alpha, other_product, "c@alpha.test")
    with tenant_context(alpha):
        groups = list(product.groups.order_by("number"))
        other_group = other_product.groups.order_by("number").first()
    assert other_group is not None
    return product, groups, other_group, a, b


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("admin@alpha.test", 200),
        ("teacher@alpha.test", 200),
        ("support@alpha.test", 200),
        ("financial@alpha.test", 403),
        ("student@alpha.test", 403),
    ],
)
def test_staff_see_a_products_groups_with_their_members(
    alpha: Tenant, api: ApiAsOrAnonymous, seated: Seated, email: str, status: int
) -> None:
    # given
    product, *_ = seated
    # when
    response = api(alpha, email).get(f"{PRODUCTS}{product.pk}/groups/")
    # then
    assert response.status_code == status, response.content
    if status == 200:
        rows = [
            (g["name"], g["member_count"], g["capacity"], [m["email"] for m in g["members"]])
            for g in response.json()["results"]
        ]
        assert rows == [
            ("Python from zero #1", 2, 2, ["student@alpha.test", "a@alpha.test"]),
            ("Python from zero #2", 1, 2, ["b@alpha.test"]),
            ("Python from zero #3", 0, 2, []),
        ]
    else:
        assert error_code(response) == "permission_denied"


def test_a_move_changes_the_seat_is_audited_and_the_student_is_told(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous, seated: Seated
) -> None:
    # given
    product, (first, _, third), *_ = seated
    # when
    response = api(alpha, "support@alpha.test").post(
        f"{GROUPS}{first.pk}/move/", {"student": people.student.pk, "to_group": third.pk}
    )
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["from_group"]["member_count"], body["to_group"]["member_count"]) == (1, 1)
    assert [m["email"] for m in body["to_group"]["members"]] == ["student@alpha.test"]
    assert [(count, members) for _, count, _, members in groups_of(alpha, product)] == [
        (1, ["a@alpha.test"]),
        (1, ["b@alpha.test"]),
        (1, ["student@alpha.test"]),
    ]
    from tenant_apps.audit.models import AuditLogEntry
    from tenant_apps.notifications.models import Notification

    with tenant_context(alpha):
        entry = AuditLogEntry.objects.get(verb="group.member_moved")
        note = Notification.objects.get(recipient=people.student, verb="group.member_moved")
    assert (entry.actor_id, entry.changes["group"]) == (people.support.pk, [first.pk, third.pk])
    assert (note.extra_data["from_group_name"], note.extra_data["group_name"]) == (
        "Python from zero #1",
        "Python from zero #3",
    )


def test_a_move_into_a_full_group_answers_409_group_full(alpha: Tenant, api: ApiAsOrAnonymous, seated: Seated) -> None:
    # given: #1 is full
    product, (first, second, _), _, _, b = seated
    # when
    response = api(alpha, "admin@alpha.test").post(
        f"{GROUPS}{second.pk}/move/", {"student": b.pk, "to_group": first.pk}
    )
    # then
    assert (response.status_code, error_code(response)) == (409, "group_full")
    assert [count for _, count, _, _ in groups_of(alpha, product)] == [2, 1, 0]


def test_a_move_into_a_group_of_another_product_answers_400(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous, seated: Seated
) -> None:
    # given
    product, (first, *_), other_group, *_ = seated
    # when
    response = api(alpha, "admin@alpha.test").post(
        f"{GROUPS}{first.pk}/move/", {"student": people.student.pk, "to_group": other_group.pk}
    )
    # then
    assert (response.status_code, error_code(response)) == (400, "group_product_mismatch")
    assert [count for _, count, _, _ in groups_of(alpha, product)] == [2, 1, 0]


@pytest.mark.parametrize(
    ("case", "code"),
    [("not_a_member", "not_a_member"), ("same_group", "same_group"), ("unknown_group", "validation_error")],
)
def test_a_move_of_a_non_member_to_the_same_or_an_unknown_group_answers_400(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous, seated: Seated, case: str, code: str
) -> None:
    # given
    product, (first, second, third), *_ = seated
    payload = {
        "not_a_member": {"student": people.student.pk, "to_group": third.pk, "from": second},
        "same_group": {"student": people.student.pk, "to_group": first.pk, "from": first},
        "unknown_group": {"student": people.student.pk, "to_group": 999_999, "from": first},
    }[case]
    source = payload.pop("from")
    # when
    response = api(alpha, "admin@alpha.test").post(f"{GROUPS}{source.pk}/move/", payload)
    # then
    assert (response.status_code, error_code(response)) == (400, code)
    assert [count for _, count, _, _ in groups_of(alpha, product)] == [2, 1, 0]


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("admin@alpha.test", 200),
        ("support@alpha.test", 200),
        ("teacher@alpha.test", 403),
        ("financial@alpha.test", 403),
        ("student@alpha.test", 403),
    ],
)
def test_admin_and_support_move_students_and_nobody_else(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous, seated: Seated, email: str, status: int
) -> None:
    # given
    _, (first, _, third), *_ = seated
    # when
    response = api(alpha, email).post(f"{GROUPS}{first.pk}/move/", {"student": people.student.pk, "to_group": third.pk})
    # then
    assert response.status_code == status, response.content


def test_a_move_of_an_unknown_source_group_answers_404(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous, seated: Seated
) -> None:
    # given
    _, (_, _, third), *_ = seated
    # when
    response = api(alpha, "admin@alpha.test").post(
        f"{GROUPS}999999/move/", {"student": people.student.pk, "to_group": third.pk}
    )
    # then
    assert (response.status_code, error_code(response)) == (404, "not_found")


def test_a_student_sees_their_own_groups_only(
    alpha: Tenant, people: SimpleNamespace, api: ApiAsOrAnonymous, seated: Seated
) -> None:
    # given
    product, *_ = seated
    # when
    mine = api(alpha, "student@alpha.test").get(f"{GROUPS}mine/")
    nobody = api(alpha, "other@alpha.test").get(f"{GROUPS}mine/")
    # then
    assert mine.status_code == 200
    assert [(g["name"], g["member_count"], g["capacity"], g["product"]["id"]) for g in mine.json()["results"]] == [
        ("Python from zero #1", 2, 2, product.pk)
    ]
    assert "members" not in mine.json()["results"][0]
    assert nobody.json()["count"] == 0
    assert api(alpha).get(f"{GROUPS}mine/").status_code == 401
