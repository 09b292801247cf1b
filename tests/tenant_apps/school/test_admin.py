"""The school's admin pages: programs, enrolments, the online courses' catalog, purchases and groups.

Every page answers the site's admin and sends anyone else to the login page; every action does
what the API's service does (state, audit row, notification, invoice) and shows a refusal as a
message without changing anything; a list costs as many queries for 10 rows as for 2; one
school's admin never sees another's rows, nor the models of another kind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from saas.admin import tenant_admin_site
from shared_apps.tenancy.models import Tenant
from tenant_apps.notifications.models import Notification
from tenant_apps.school.lessons.models import (
    Author,
    GroupMembership,
    Product,
    ProductPurchase,
    StudyGroup,
)
from tenant_apps.school.programs.models import (
    AdvancedCourse,
    AdvancedCourseEnrolment,
    Bootcamp,
    BootcampEnrolment,
    EnrolmentStatus,
    ProgramStatus,
)
from tests.admin import (
    admin_client,
    admin_url,
    assert_admin_pages,
    assert_list_queries_fixed,
    audit_entries,
    messages_of,
    reload,
    run_action,
)
from tests.factories import UserFactory
from tests.factories.lessons import (
    AuthorFactory,
    GroupMembershipFactory,
    ProductFactory,
    ProductPurchaseFactory,
)
from tests.factories.programs import (
    AdvancedCourseEnrolmentFactory,
    AdvancedCourseFactory,
    BootcampEnrolmentFactory,
    BootcampFactory,
)

pytestmark = pytest.mark.django_db


# -- every page: the admin sees it, anyone else is sent to log in -----------------------------
def _bootcamp(tenant: Tenant) -> Bootcamp:
    return BootcampFactory(title="Data Bootcamp")


def _course(tenant: Tenant) -> AdvancedCourse:
    return AdvancedCourseFactory(title="Advanced Rust")


def _bootcamp_enrolment(tenant: Tenant) -> BootcampEnrolment:
    return BootcampEnrolmentFactory(program=BootcampFactory(title="Data Bootcamp", open=True))


def _course_enrolment(tenant: Tenant) -> AdvancedCourseEnrolment:
    return AdvancedCourseEnrolmentFactory(program=AdvancedCourseFactory(title="Advanced Rust", open=True))


def _author(tenant: Tenant) -> Author:
    return AuthorFactory(name="Data Author")


def _product(tenant: Tenant) -> Product:
    return ProductFactory(title="Data Product", lessons=2)


def _purchase(tenant: Tenant) -> ProductPurchase:
    return ProductPurchaseFactory(product=ProductFactory(title="Data Product", published=True))


def _group(tenant: Tenant) -> StudyGroup:
    return GroupMembershipFactory(product=ProductFactory(title="Data Product", published=True)).group


def _membership(tenant: Tenant) -> GroupMembership:
    return GroupMembershipFactory(product=ProductFactory(title="Data Product", published=True))


PAGES: list[tuple[Callable[[Tenant], Any], str, str]] = [
    # (row maker, a filter, a search)
    (_bootcamp, "status__exact=draft", "Data"),
    (_course, "status__exact=draft", "Rust"),
    (_bootcamp_enrolment, "status__exact=requested", "Data"),
    (_course_enrolment, "status__exact=requested", "Rust"),
    (_author, "created_at__gte=2000-01-01%2000:00:00%2B00:00", "Data"),
    (_product, "is_published__exact=0", "Data"),
    (_purchase, "status__exact=pending", "Data"),
    (_group, "product__id__exact={product}", "Data"),
    (_membership, "product__id__exact={product}", "Data"),
]


@pytest.mark.parametrize(("make", "query", "search"), PAGES, ids=[make.__name__.strip("_") for make, _, _ in PAGES])
def test_each_page_answers_the_admin_and_sends_others_to_log_in(
    alpha: Tenant, make: Callable[[Tenant], Any], query: str, search: str
) -> None:
    # given a row, and a second one the filter and search leave out
    with tenant_context(alpha):
        obj = make(alpha)
        model = type(obj)
        query = query.format(product=getattr(obj, "product_id", ""))
        UserFactory(email="student@alpha.test", roles=["student"])

    # then the admin's list (filtered, searched) shows the row's link, its page its history link;
    # a student (who cannot sign in here) is sent to the login page
    assert_admin_pages(
        alpha,
        model,
        obj.pk,
        query=f"?{query}&q={search}",
        shows=admin_url(model, "change", obj.pk),
        page_shows=admin_url(model, "history", obj.pk),
        non_admin="student@alpha.test",
    )


def test_a_search_that_matches_nothing_shows_no_row(alpha: Tenant) -> None:
    with tenant_context(alpha):
        BootcampFactory(title="Data Bootcamp")

    listing = admin_client(alpha).get(f"{admin_url(Bootcamp)}?q=nothing-like-it")

    assert listing.status_code == 200
    assert "Data Bootcamp" not in listing.content.decode()


# -- programs -------------------------------------------------------------------------------
def test_opening_registration_moves_drafts_and_audits_it(alpha: Tenant) -> None:
    with tenant_context(alpha):
        draft = BootcampFactory()
    admin = admin_client(alpha)

    response = run_action(admin, Bootcamp, "open_registration", [draft])

    assert response.redirect_chain == [(admin_url(Bootcamp), 302)]  # back to the list
    assert messages_of(response) == ["1 opened."]
    assert reload(alpha, draft).status == ProgramStatus.REGISTRATION_OPEN
    [entry] = audit_entries(alpha, draft, "program.status_changed")
    assert entry.actor_repr == "admin@alpha.test" and entry.changes["status"] == ["draft", "registration_open"]


def test_a_move_the_transitions_refuse_shows_the_service_message_and_changes_nothing(alpha: Tenant) -> None:
    with tenant_context(alpha):
        draft = BootcampFactory(title="Still a draft")
        opened = BootcampFactory(title="Open one", open=True)
    admin = admin_client(alpha)

    moves_before = len(audit_entries(alpha, opened, "program.status_changed"))

    response = run_action(admin, Bootcamp, "complete", [draft, opened])

    assert sorted(messages_of(response)) == [
        "Open one: A bootcamp cannot go from registration_open to completed.",
        "Still a draft: A bootcamp cannot go from draft to completed.",
    ]
    assert reload(alpha, draft).status == ProgramStatus.DRAFT
    assert reload(alpha, opened).status == ProgramStatus.REGISTRATION_OPEN
    assert len(audit_entries(alpha, opened, "program.status_changed")) == moves_before
    assert not audit_entries(alpha, draft, "program.status_changed")


def test_cancelling_a_course_cancels_its_live_enrolments(alpha: Tenant) -> None:
    with tenant_context(alpha):
        course = AdvancedCourseFactory(open=True)
        enrolment = AdvancedCourseEnrolmentFactory(program=course)
    admin = admin_client(alpha)

    response = run_action(admin, AdvancedCourse, "cancel", [course])

    assert messages_of(response) == ["1 cancelled."]
    assert reload(alpha, course).status == ProgramStatus.CANCELLED
    assert reload(alpha, enrolment).status == EnrolmentStatus.CANCELLED
    assert audit_entries(alpha, enrolment, "enrolment.cancelled")


def test_only_drafts_are_deleted(alpha: Tenant) -> None:
    with tenant_context(alpha):
        draft = BootcampFactory(title="Draft")
        opened = BootcampFactory(title="Opened", open=True)
    admin = admin_client(alpha)

    response = run_action(admin, Bootcamp, "delete_drafts", [draft, opened])

    assert "1 deleted." in messages_of(response)
    assert "Opened: Only a draft bootcamp can be deleted; cancel this one instead." in messages_of(response)
    with tenant_context(alpha):
        assert list(Bootcamp.objects.filter(pk__in=[draft.pk, opened.pk])) == [opened]
    assert audit_entries(alpha, draft, "program.deleted")


# -- enrolments ------------------------------------------------------------------------------
def test_approving_a_request_gives_a_seat_an_invoice_and_tells_the_student(alpha: Tenant) -> None:
    with tenant_context(alpha):
        enrolment = BootcampEnrolmentFactory(program=BootcampFactory(open=True, price="900.00"))
    admin = admin_client(alpha)

    response = run_action(admin, BootcampEnrolment, "approve", [enrolment])

    assert messages_of(response) == ["1 decided."]
    approved = reload(alpha, enrolment)
    assert approved.status == EnrolmentStatus.APPROVED
    with tenant_context(alpha):
        assert approved.invoice is not None and str(approved.invoice.total) == "900.00"
        assert Notification.objects.filter(recipient=enrolment.student, verb="enrolment.approved").exists()
    [entry] = audit_entries(alpha, enrolment, "enrolment.approved")
    assert entry.actor_repr == "admin@alpha.test"


def test_approving_twice_shows_the_refusal_and_issues_no_second_invoice(alpha: Tenant) -> None:
    with tenant_context(alpha):
        enrolment = BootcampEnrolmentFactory(approved=True)
        invoice_id = enrolment.invoice_id
    admin = admin_client(alpha)

    response = run_action(admin, BootcampEnrolment, "approve", [enrolment])

    assert messages_of(response) == [f"{enrolment}: An enrolment that is approved cannot be approved."]
    assert reload(alpha, enrolment).invoice_id == invoice_id
    assert len(audit_entries(alpha, enrolment, "enrolment.approved")) == 1


def test_rejecting_asks_for_a_reason_first_then_rejects_with_it(alpha: Tenant) -> None:
    with tenant_context(alpha):
        enrolment = AdvancedCourseEnrolmentFactory()
    admin = admin_client(alpha)

    # when the admin picks the action: the intermediate page, nothing changed yet
    page = run_action(admin, AdvancedCourseEnrolment, "reject", [enrolment])
    assert page.status_code == 200
    assert 'name="reason"' in page.content.decode()
    assert reload(alpha, enrolment).status == EnrolmentStatus.REQUESTED
    # an empty reason: the page again, with the error; still nothing changed
    empty = run_action(admin, AdvancedCourseEnrolment, "reject", [enrolment], reason="")
    assert empty.status_code == 200 and "This field is required." in empty.content.decode()
    assert reload(alpha, enrolment).status == EnrolmentStatus.REQUESTED

    # when the form is filled in
    done = run_action(admin, AdvancedCourseEnrolment, "reject", [enrolment], reason="The course is for graduates.")

    assert done.redirect_chain == [(admin_url(AdvancedCourseEnrolment), 302)]
    assert messages_of(done) == ["1 rejected."]
    rejected = reload(alpha, enrolment)
    assert rejected.status == EnrolmentStatus.REJECTED and rejected.reason == "The course is for graduates."
    [entry] = audit_entries(alpha, enrolment, "enrolment.rejected")
    assert entry.changes["reason"] == "The course is for graduates."
    with tenant_context(alpha):
        assert Notification.objects.filter(recipient=enrolment.student, verb="enrolment.rejected").exists()


def test_cancelling_a_seat_gives_it_to_the_waitlist(alpha: Tenant) -> None:
    with tenant_context(alpha):
        bootcamp = BootcampFactory(open=True, capacity=1)
        seated = BootcampEnrolmentFactory(program=bootcamp, approved=True)
        waiting = BootcampEnrolmentFactory(program=bootcamp, waitlisted=True)
        rejected = BootcampEnrolmentFactory(program=bootcamp, rejected=True)
    admin = admin_client(alpha)

    response = run_action(admin, BootcampEnrolment, "cancel", [seated, rejected], reason="Did not attend.")

    assert "1 cancelled." in messages_of(response)
    assert f"{rejected}: An enrolment that is rejected cannot be cancelled." in messages_of(response)
    assert reload(alpha, seated).status == EnrolmentStatus.CANCELLED
    assert reload(alpha, waiting).status == EnrolmentStatus.APPROVED
    assert reload(alpha, rejected).status == EnrolmentStatus.REJECTED


# -- online courses -----------------------------------------------------------------------------
def test_publishing_a_product_puts_it_on_sale_and_audits_it(alpha: Tenant) -> None:
    with tenant_context(alpha):
        product = ProductFactory()
    admin = admin_client(alpha)

    response = run_action(admin, Product, "publish", [product])

    assert messages_of(response) == ["1 published."]
    assert reload(alpha, product).is_published is True
    [entry] = audit_entries(alpha, product, "product.updated")
    assert entry.changes["is_published"] == [False, True]


def test_a_product_page_shows_its_lessons_and_groups(alpha: Tenant) -> None:
    with tenant_context(alpha):
        product = ProductFactory(published=True, lessons=2)
        membership = GroupMembershipFactory(product=product)

    page = admin_client(alpha).get(admin_url(Product, "change", product.pk)).content.decode()

    assert "Lesson 1" in page and "Lesson 2" in page
    assert membership.group.name in page


def test_moving_a_student_asks_for_the_group_then_moves_them(alpha: Tenant) -> None:
    with tenant_context(alpha):
        product = ProductFactory(title="Pottery", published=True, groups_per_batch=2, max_group_size=2)
        membership = GroupMembershipFactory(product=product)
        other = StudyGroup.objects.filter(product=product).exclude(pk=membership.group_id).get()
        elsewhere = GroupMembershipFactory(product=ProductFactory(title="Weaving", published=True)).group
    admin = admin_client(alpha)

    page = run_action(admin, GroupMembership, "move", [membership])
    assert page.status_code == 200
    assert other.name in page.content.decode() and elsewhere.name not in page.content.decode()

    done = run_action(admin, GroupMembership, "move", [membership], to_group=other.pk)

    assert messages_of(done) == ["1 moved."]
    assert reload(alpha, membership).group_id == other.pk
    with tenant_context(alpha):
        assert StudyGroup.objects.get(pk=other.pk).member_count == 1
        assert Notification.objects.filter(recipient=membership.student, verb="group.member_moved").exists()


def test_moving_into_a_full_group_is_refused_and_moves_nobody(alpha: Tenant) -> None:
    with tenant_context(alpha):
        product = ProductFactory(published=True, groups_per_batch=2, max_group_size=1)
        first = GroupMembershipFactory(product=product)
        second = GroupMembershipFactory(product=product)
        first_shown = str(GroupMembership.objects.select_related("student", "group").get(pk=first.pk))
        second_group = second.group.name
    assert first.group_id != second.group_id
    admin = admin_client(alpha)

    done = run_action(admin, GroupMembership, "move", [first], to_group=second.group_id)

    [message] = messages_of(done)
    assert message == f"{first_shown}: {second_group} is full (1 of 1)."
    assert reload(alpha, first).group_id == first.group_id


# -- what a change costs, what the site shows, who sees what -------------------------------------
@pytest.mark.parametrize(
    ("model", "make"),
    [
        (BootcampEnrolment, lambda: BootcampEnrolmentFactory()),
        (Bootcamp, lambda: BootcampFactory(teachers=[UserFactory(roles=["teacher"])])),
        (ProductPurchase, lambda: ProductPurchaseFactory()),
        (Product, lambda: ProductFactory(lessons=1)),
    ],
    ids=["enrolments", "programs", "purchases", "products"],
)
def test_a_list_costs_the_same_queries_for_10_rows_as_for_2(
    alpha: Tenant, model: type[Any], make: Callable[[], Any]
) -> None:
    assert_list_queries_fixed(alpha, model, make)


def test_the_school_site_shows_no_model_of_another_kind() -> None:
    registry = tenant_admin_site("school")._registry
    labels = {model._meta.app_label for model in registry}

    assert {"programs", "lessons"} <= labels
    assert not labels & {"bookings", "properties", "inquiries", "rental_site", "rental_reports"}
    assert not any(
        model.__module__.startswith(("tenant_apps.store", "tenant_apps.writing", "tenant_apps.rental"))
        for model in registry
    )


def test_one_schools_admin_never_sees_anothers_rows(alpha: Tenant, beta: Tenant) -> None:
    with tenant_context(beta):
        theirs = BootcampEnrolmentFactory(program=BootcampFactory(title="Beta Only Bootcamp", open=True))
    admin = admin_client(alpha)

    listing = admin.get(admin_url(Bootcamp))
    page = admin.get(admin_url(Bootcamp, "change", theirs.program_id))
    approve = run_action(admin, BootcampEnrolment, "approve", [theirs])

    assert "Beta Only Bootcamp" not in listing.content.decode()
    assert page.status_code in (302, 404) and "Beta Only Bootcamp" not in page.content.decode()
    assert approve.status_code in (200, 302) and not any("decided" in m for m in messages_of(approve))
    assert reload(beta, theirs).status == EnrolmentStatus.REQUESTED


def test_the_index_lists_the_school_pages(alpha: Tenant) -> None:
    index = admin_client(alpha).get("/admin/")

    assert index.status_code == 200
    for name in ("Bootcamps", "Advanced courses", "Bootcamp enrolments", "Products", "Study groups"):
        assert f">{name}<" in index.content.decode()
