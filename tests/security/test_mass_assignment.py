"""Mass assignment: fields a client sends that its endpoint does not take are ignored (or refused),
never stored. Each attack reads the stored row afterwards, since a field that "sticks" is what an
attacker is after, whatever the answer says.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.payments.models import Invoice
from tests.conftest import PASSWORD
from tests.fixture_types import ClientFor, JsonResponse, Login, MakeUser
from tests.tenant_apps.accounts.conftest import ME, REGISTER, USERS, error_code

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
LONG_AGO = "2000-01-01T00:00:00Z"


def stored_user(tenant: Tenant, email: str) -> SimpleNamespace:
    """What is stored for ``email`` in ``tenant``: flags, version, dates, roles and permissions."""
    from tenant_apps.accounts.models import User

    with tenant_context(tenant):
        user = User.objects.get(email=email)
        return SimpleNamespace(
            pk=user.pk,
            email=user.email,
            full_name=user.full_name,
            is_staff=user.is_staff,
            is_superuser=user.is_superuser,
            is_active=user.is_active,
            token_version=user.token_version,
            date_joined=user.date_joined,
            last_login=user.last_login,
            avatar=user.avatar.name,
            roles=sorted(user.groups.values_list("name", flat=True)),
            direct_permissions=list(user.user_permissions.values_list("codename", flat=True)),
        )


def admin_group_id(tenant: Tenant) -> int:
    from django.contrib.auth.models import Group

    with tenant_context(tenant):
        return int(Group.objects.get(name="admin").pk)


def recent(moment: Any) -> bool:
    return abs(timezone.now() - moment) < timedelta(minutes=5)


# --------------------------------------------------------------------------------------------
# Registration
# --------------------------------------------------------------------------------------------


def privileged_fields(tenant: Tenant, *, victim_id: int = 1) -> dict[str, Any]:
    return {
        "is_staff": True,
        "is_superuser": True,
        "roles": ["admin"],
        "groups": [admin_group_id(tenant)],
        "group": "admin",
        "role": "admin",
        "is_active": False,
        "token_version": 99,
        "id": victim_id,
        "pk": victim_id,
        "date_joined": LONG_AGO,
        "last_login": LONG_AGO,
        "user_permissions": ["accounts.view_user"],
        "email_verified": True,
        "verified": True,
    }


def test_registration_with_privileged_fields_creates_a_plain_student(alpha: Tenant, client_for: ClientFor) -> None:
    # given: a sign-up carrying every privileged field of the user model and of the roles
    body = {
        "email": "mallory@alpha.test",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "full_name": "Mallory",
        **privileged_fields(alpha),
    }
    # when
    response = client_for(alpha).post(REGISTER, body, format="json")
    # then: a user was made, as any self-registered one: student, active, nothing else
    assert response.status_code == 201, response.content
    user = stored_user(alpha, "mallory@alpha.test")
    assert user.roles == ["student"]
    assert (user.is_staff, user.is_superuser, user.is_active, user.token_version) == (False, False, True, 0)
    assert user.pk != 1 and user.direct_permissions == []
    assert recent(user.date_joined) and (user.last_login is None or recent(user.last_login))
    # and the admin (id 1) is untouched
    admin = stored_user(alpha, "admin@alpha.test")
    assert admin.pk == 1 and admin.roles == ["admin"] and admin.is_active
    # and the token works as a student's: no users API
    assert client_for(alpha, response.json()["access"]).get(USERS).status_code == 403


def test_registration_as_a_form_is_refused_and_creates_nobody(alpha: Tenant, client_for: ClientFor) -> None:
    body = {"email": "mallory@alpha.test", "password1": PASSWORD, "password2": PASSWORD, **privileged_fields(alpha)}
    response = client_for(alpha).post(REGISTER, body, format="multipart")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    with tenant_context(alpha):
        from tenant_apps.accounts.models import User

        assert not User.objects.filter(email="mallory@alpha.test").exists()


# --------------------------------------------------------------------------------------------
# One's own profile
# --------------------------------------------------------------------------------------------


@pytest.fixture
def student(alpha: Tenant, make_user: MakeUser, client_for: ClientFor, login: Login) -> SimpleNamespace:
    user = make_user(alpha, "stu@alpha.test", roles=["student"], full_name="Stu")
    return SimpleNamespace(user=user, client=client_for(alpha, login(alpha, "stu@alpha.test")["access"]))


@pytest.mark.parametrize("method", ["patch", "put"])
def test_own_profile_update_cannot_change_email_roles_or_flags(
    alpha: Tenant, student: SimpleNamespace, method: str
) -> None:
    # given
    before = stored_user(alpha, "stu@alpha.test")
    # when: the profile update carries the fields that must not change
    response = getattr(student.client, method)(
        ME, {"full_name": "Stu Renamed", "email": "admin@alpha.test", **privileged_fields(alpha)}, format="json"
    )
    # then: the name changed; nothing else did (an error answer would do as well)
    assert response.status_code in {200, 400}, response.content
    after = stored_user(alpha, "stu@alpha.test")
    if response.status_code == 200:
        assert after.full_name == "Stu Renamed"
        assert response.json()["email"] == "stu@alpha.test" and response.json()["roles"] == ["student"]
    assert (
        after.pk,
        after.email,
        after.roles,
        after.is_staff,
        after.is_superuser,
        after.is_active,
        after.token_version,
        after.date_joined,
        after.direct_permissions,
    ) == (
        before.pk,
        before.email,
        before.roles,
        before.is_staff,
        before.is_superuser,
        before.is_active,
        before.token_version,
        before.date_joined,
        before.direct_permissions,
    )
    # and the token still works (token_version did not move)
    assert student.client.get(ME).status_code == 200


@pytest.mark.parametrize(
    "avatar", ["alpha/files/x.pdf", "../beta/avatars/a.png", "/etc/passwd", "https://evil.example.com/a.png"]
)
def test_own_avatar_cannot_be_pointed_at_an_existing_storage_key(
    alpha: Tenant, student: SimpleNamespace, avatar: str
) -> None:
    # when: the avatar is sent as a string (a storage key or a URL) instead of an upload, to the
    # profile (where it is read-only) and to the avatar endpoint (which takes a file only)
    profile = student.client.patch(ME, {"avatar": avatar}, format="json")
    upload = student.client.put(f"{ME}avatar/", {"avatar": avatar}, format="multipart")
    # then: ignored by one, refused by the other; nothing stored
    assert profile.status_code == 200, profile.content
    assert profile.json()["avatar"] is None
    assert upload.status_code == 400, upload.content
    assert "avatar" in upload.json()["error"]["details"]
    assert stored_user(alpha, "stu@alpha.test").avatar == ""


# --------------------------------------------------------------------------------------------
# The users API (as the site's admin)
# --------------------------------------------------------------------------------------------


@pytest.fixture
def admin(alpha: Tenant, client_for: ClientFor, login: Login) -> APIClient:
    return client_for(alpha, login(alpha, "admin@alpha.test")["access"])


PLATFORM_ONLY = {
    "is_staff": True,
    "is_superuser": True,
    "token_version": 99,
    "date_joined": LONG_AGO,
    "last_login": LONG_AGO,
    "user_permissions": ["accounts.view_user"],
    "groups": [1],
    "id": 1,
}


def test_an_admin_creating_a_user_cannot_set_platform_fields(alpha: Tenant, admin: APIClient) -> None:
    # when
    response = admin.post(USERS, {"email": "made@alpha.test", "roles": ["teacher"], **PLATFORM_ONLY}, format="json")
    # then: a teacher, and nothing else
    assert response.status_code == 201, response.content
    user = stored_user(alpha, "made@alpha.test")
    assert user.roles == ["teacher"] and user.pk != 1
    assert (user.is_staff, user.is_superuser, user.token_version, user.last_login) == (False, False, 0, None)
    assert recent(user.date_joined) and user.direct_permissions == []


def test_an_admin_updating_a_user_cannot_set_platform_fields(
    alpha: Tenant, admin: APIClient, make_user: MakeUser
) -> None:
    # given
    target = make_user(alpha, "target@alpha.test", roles=["student"])
    before = stored_user(alpha, "target@alpha.test")
    # when
    response = admin.patch(
        f"{USERS}{target.pk}/", {"full_name": "Renamed", "email": "admin@alpha.test", **PLATFORM_ONLY}, format="json"
    )
    # then
    assert response.status_code == 200, response.content
    after = stored_user(alpha, "target@alpha.test")
    assert after.full_name == "Renamed"
    assert (
        after.email,
        after.roles,
        after.is_staff,
        after.is_superuser,
        after.token_version,
        after.date_joined,
        after.last_login,
        after.direct_permissions,
    ) == (before.email, before.roles, False, False, before.token_version, before.date_joined, before.last_login, [])


@pytest.mark.parametrize(
    "roles",
    [["superuser"], ["staff"], ["admin", "platform"], ["customer"]],
    ids=["superuser", "staff", "admin-and-unknown", "another-kinds-role"],
)
def test_an_admin_cannot_grant_a_role_this_kind_does_not_have(
    alpha: Tenant, admin: APIClient, make_user: MakeUser, roles: list[str]
) -> None:
    target = make_user(alpha, "target@alpha.test", roles=["student"])
    response = admin.patch(f"{USERS}{target.pk}/", {"roles": roles}, format="json")
    assert response.status_code == 400 and error_code(response) == "invalid_role"
    assert stored_user(alpha, "target@alpha.test").roles == ["student"]


# --------------------------------------------------------------------------------------------
# Tickets (as a student)
# --------------------------------------------------------------------------------------------


@pytest.fixture
def support(alpha: Tenant, make_user: MakeUser) -> User:
    return make_user(alpha, "sue@alpha.test", roles=["support"])


def stored_ticket(tenant: Tenant, pk: int) -> dict[str, Any]:
    from tenant_apps.tickets.models import Ticket

    with tenant_context(tenant):
        return dict(
            Ticket.objects.filter(pk=pk)
            .values("status", "priority", "assignee_id", "created_by_id", "closed_at", "created_at")
            .get()
        )


def test_a_student_opening_a_ticket_cannot_set_staff_fields(
    alpha: Tenant, student: SimpleNamespace, support: User, make_user: MakeUser
) -> None:
    from tenant_apps.tickets.models import Ticket, TicketMessage

    other = make_user(alpha, "other@alpha.test", roles=["student"])
    with tenant_context(alpha):
        highest = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    # when: the new ticket claims an assignee, a status, another creator and more
    response = student.client.post(
        "/api/v1/tickets/",
        {
            "subject": "Help",
            "body": "Please",
            "assignee": support.pk,
            "assignee_id": support.pk,
            "status": "closed",
            "created_by": other.pk,
            "created_by_id": other.pk,
            "closed_at": LONG_AGO,
            "created_at": LONG_AGO,
            "id": highest + 1000,
            "message_count": 99,
            "author": other.pk,
        },
        format="json",
    )
    # then: an open, unassigned ticket of the student's own
    assert response.status_code == 201, response.content
    ticket = stored_ticket(alpha, response.json()["id"])
    assert response.json()["id"] != highest + 1000
    assert (ticket["status"], ticket["assignee_id"], ticket["created_by_id"], ticket["closed_at"]) == (
        "open",
        None,
        student.user.pk,
        None,
    )
    assert recent(ticket["created_at"])
    with tenant_context(alpha):
        assert list(
            TicketMessage.objects.filter(ticket_id=response.json()["id"]).values_list("author_id", flat=True)
        ) == [student.user.pk]
    # and the other student got no access to it
    from tenant_apps.tickets.access import can_view_ticket

    with tenant_context(alpha):
        assert not can_view_ticket(other, Ticket.objects.get(pk=response.json()["id"]))


def test_a_student_cannot_change_staff_fields_of_their_own_ticket(
    alpha: Tenant, student: SimpleNamespace, support: User
) -> None:
    # given: the student's own ticket
    pk = student.client.post("/api/v1/tickets/", {"subject": "Help", "body": "Please"}, format="json").json()["id"]
    before = stored_ticket(alpha, pk)
    staff_fields = {"assignee": student.user.pk, "status": "answered", "priority": "urgent", "created_by": support.pk}
    # when: every way to write them
    responses = {
        "patch": student.client.patch(f"/api/v1/tickets/{pk}/", staff_fields, format="json"),
        "put": student.client.put(f"/api/v1/tickets/{pk}/", staff_fields, format="json"),
        "assign": student.client.post(f"/api/v1/tickets/{pk}/assign/", {"assignee": student.user.pk}, format="json"),
        "priority": student.client.post(f"/api/v1/tickets/{pk}/priority/", {"priority": "urgent"}, format="json"),
        "reply": student.client.post(
            f"/api/v1/tickets/{pk}/messages/", {"body": "more", **staff_fields}, format="json"
        ),
    }
    # then: no update endpoint, staff actions refused, the reply stored as a reply only
    assert (responses["patch"].status_code, responses["put"].status_code) == (405, 405)
    assert answer_of(responses["assign"]) == answer_of(responses["priority"]) == (403, "permission_denied")
    assert responses["reply"].status_code == 201
    after = stored_ticket(alpha, pk)
    assert (after["priority"], after["assignee_id"], after["created_by_id"]) == (
        before["priority"],
        None,
        student.user.pk,
    )
    assert after["status"] == "open"  # a reply by the creator keeps it open


def answer_of(response: JsonResponse) -> tuple[int, str]:
    return response.status_code, error_code(response)


# --------------------------------------------------------------------------------------------
# Invoices and offline payments (as a student, and the finance role's own input)
# --------------------------------------------------------------------------------------------


@pytest.fixture
def invoice(alpha: Tenant, student: SimpleNamespace) -> Invoice:
    from tests.factories import InvoiceFactory, create_in, in_days

    return create_in(
        alpha,
        InvoiceFactory,
        customer=student.user,
        due_date=in_days(30),
        lines=[{"description": "Fee", "quantity": 1, "unit_price": "100.00"}],
    )


def stored_invoice(tenant: Tenant, pk: int) -> tuple[Any, ...]:
    from tenant_apps.payments.models import Invoice

    with tenant_context(tenant):
        return tuple(
            Invoice.objects.filter(pk=pk).values_list("status", "amount_paid", "total", "paid_at", "cancelled_at").get()
        )


def test_a_student_submitting_an_offline_payment_cannot_approve_it(
    alpha: Tenant, student: SimpleNamespace, invoice: Invoice, make_user: MakeUser
) -> None:
    from tenant_apps.payments.models import Payment

    other = make_user(alpha, "other@alpha.test", roles=["student"])
    receipt = student.client.post("/api/v1/files/", {"file": SimpleUploadedFile("r.pdf", PDF)}, format="multipart")
    before = stored_invoice(alpha, invoice.pk)
    # when: the submission claims to be approved, decided by the admin, paid by someone else
    response = student.client.post(
        f"/api/v1/invoices/{invoice.pk}/offline-payments/",
        {
            "amount": "100.00",
            "tracking_code": "TRK-MA-1",
            "receipt": receipt.json()["id"],
            "status": "approved",
            "approved_by": 1,
            "decided_by": 1,
            "decided_at": LONG_AGO,
            "approved": True,
            "amount_paid": "100.00",
            "method": "stripe",
            "payer": other.pk,
            "invoice": invoice.pk + 1000,
            "stripe_payment_intent_id": "pi_forged",
            "reason": "ok",
        },
        format="json",
    )
    # then: a pending offline payment of the student's, waiting for finance; the invoice unpaid
    assert response.status_code == 201, response.content
    with tenant_context(alpha):
        payment = Payment.objects.get(pk=response.json()["id"])
    assert (
        payment.status,
        payment.method,
        payment.payer_id,
        payment.invoice_id,
        payment.decided_by_id,
        payment.decided_at,
        payment.stripe_payment_intent_id or "",
        payment.amount,
    ) == ("pending", "offline", student.user.pk, invoice.pk, None, None, "", Decimal("100.00"))
    assert stored_invoice(alpha, invoice.pk) == before


def test_a_student_cannot_issue_or_mark_an_invoice_paid(
    alpha: Tenant, student: SimpleNamespace, invoice: Invoice
) -> None:
    before = stored_invoice(alpha, invoice.pk)
    # when
    issue = student.client.post(
        "/api/v1/invoices/",
        {
            "customer": student.user.pk,
            "due_date": "2099-01-01",
            "status": "paid",
            "amount_paid": "100.00",
            "lines": [{"description": "Free", "quantity": "1", "unit_price": "0"}],
        },
        format="json",
    )
    change = student.client.patch(
        f"/api/v1/invoices/{invoice.pk}/", {"status": "paid", "amount_paid": "100.00"}, format="json"
    )
    cancel = student.client.post(f"/api/v1/invoices/{invoice.pk}/cancel/", {"reason": "I say so"}, format="json")
    # then
    assert answer_of(issue) == (403, "permission_denied")
    assert change.status_code == 405
    assert cancel.status_code == 403, cancel.content
    assert stored_invoice(alpha, invoice.pk) == before


def test_an_invoice_issued_by_finance_takes_its_total_and_status_from_its_lines_only(
    alpha: Tenant, student: SimpleNamespace, client_for: ClientFor, login: Login
) -> None:
    from tenant_apps.payments.models import Invoice

    finance = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    # when: the issuer also sends the computed fields
    response = finance.post(
        "/api/v1/invoices/",
        {
            "customer": student.user.pk,
            "due_date": "2099-01-01",
            "status": "paid",
            "amount_paid": "50.00",
            "total": "1.00",
            "number": "INV-FORGED",
            "paid_at": LONG_AGO,
            "issued_at": LONG_AGO,
            "lines": [{"description": "Fee", "quantity": "2", "unit_price": "25.00", "amount": "1.00"}],
        },
        format="json",
    )
    # then
    assert response.status_code == 201, response.content
    with tenant_context(alpha):
        stored = Invoice.objects.get(pk=response.json()["id"])
    assert (stored.status, stored.amount_paid, stored.total, stored.paid_at) == (
        "unpaid",
        Decimal("0"),
        Decimal("50.00"),
        None,
    )
    assert stored.number != "INV-FORGED" and recent(stored.issued_at)


def test_a_student_asking_for_a_seat_cannot_approve_it_or_enrol_someone_else(
    alpha: Tenant, student: SimpleNamespace, make_user: MakeUser
) -> None:
    from tenant_apps.accounts.models import User
    from tenant_apps.school.programs.models import BOOTCAMPS
    from tests.factories import BootcampFactory

    other = make_user(alpha, "other@alpha.test", roles=["student"])
    start = timezone.localdate() + timedelta(days=30)
    with tenant_context(alpha):
        admin_user = User.objects.get(email="admin@alpha.test")
        program = BootcampFactory(
            actor=admin_user,
            title="Camp",
            start_date=start,
            end_date=start + timedelta(weeks=4),
            capacity=5,
            price=Decimal("10.00"),
            currency="USD",
            status="registration_open",
        )
    # when
    response = student.client.post(
        "/api/v1/bootcamp-enrolments/",
        {
            "program": program.pk,
            "status": "approved",
            "student": other.pk,
            "decided_by": 1,
            "invoice": 1,
            "decided_at": LONG_AGO,
        },
        format="json",
    )
    # then
    assert response.status_code == 201, response.content
    with tenant_context(alpha):
        enrolment = BOOTCAMPS.enrolments().get(pk=response.json()["id"])
    assert (enrolment.status, enrolment.student_id, enrolment.invoice_id, enrolment.decided_at) == (
        "requested",
        student.user.pk,
        None,
        None,
    )
