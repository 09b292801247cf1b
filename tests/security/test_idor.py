"""IDOR: object ids of one user (or one tenant) tried by another, on every object type.

The victim is ``ann``, a student of ``alpha``. Each of her objects carries a marker string
(``SECRET``) that must never show up in an answer to anybody else. Three attackers:

* ``bob``, another student of alpha, asks for, changes, deletes and acts on ann's objects by id:
  he gets exactly the answer a nonexistent id gets (no 403/404 oracle), which is 404 ``not_found``
  for objects that are scoped to their owner, and 403 ``permission_denied`` for endpoints his role
  may not use at all (the users API, wallet adjustments, ticket assignment: refused before any
  lookup, so for every id alike). Enrolment decisions look the enrolment up first: 404 like a
  missing id. Nothing of ann's changes.
* beta's admin (who may see everything of beta) sends the same requests with alpha's ids to
  beta's host with beta's token: never alpha's data, nothing of alpha changes.
* bob and beta's admin list every collection (with filters naming ann): never ann's objects.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tests.factories import (
    AdvancedCourseEnrolmentFactory,
    AdvancedCourseFactory,
    BootcampEnrolmentFactory,
    BootcampFactory,
    InvoiceFactory,
    LedgerEntryFactory,
    NotificationFactory,
    PaymentFactory,
    StoredFileFactory,
    TicketFactory,
    WalletFactory,
    in_days,
)
from tests.fixture_types import ApiResponse, ClientFor, JsonResponse, Login, MakeUser
from tests.tenant_apps.accounts.conftest import error_code

SECRET = "alpha-secret-7f3a"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
MISSING_INT = 987_654_321
NOT_FOUND = (404, "not_found")
FORBIDDEN = (403, "permission_denied")
NOT_ALLOWED = (405, "method_not_allowed")


# --------------------------------------------------------------------------------------------
# The victim's objects: one builder per type; ``state`` reads what an attack could change
# --------------------------------------------------------------------------------------------


@dataclass
class Victim:
    """One object of ann's: its id in URLs (``ref``), a nonexistent id of the same kind, and
    ``state()``, what an attack would change (read in alpha's schema)."""

    ref: Any
    missing: Any
    state: Callable[[], Any]


def _file(user: Any, name: str = f"{SECRET}.pdf") -> Any:
    return StoredFileFactory(name=name, content=PDF, uploaded_by=user)


def _invoice(people: SimpleNamespace, total: str = "100.00") -> Any:
    return InvoiceFactory(
        customer=people.ann,
        due_date=in_days(30),
        note=SECRET,
        lines=[{"description": SECRET, "quantity": 1, "unit_price": total}],
    )


def _read(model: Any, pk: Any, *fields: str) -> Any:
    row = model.objects.filter(pk=pk).values(*fields).first()
    return None if row is None else tuple(row.values())


def build_ticket(people: SimpleNamespace) -> Victim:
    from tenant_apps.tickets.models import Ticket, TicketMessage

    ticket = TicketFactory(created_by=people.ann, subject=f"Refund {SECRET}", body=f"My card {SECRET}")
    return Victim(
        ref=ticket.pk,
        missing=MISSING_INT,
        state=lambda: (
            _read(Ticket, ticket.pk, "status", "priority", "assignee_id", "closed_at", "subject"),
            TicketMessage.objects.filter(ticket_id=ticket.pk).count(),
        ),
    )


def build_invoice(people: SimpleNamespace) -> Victim:
    from tenant_apps.payments.models import Invoice, Payment

    invoice = _invoice(people)
    return Victim(
        ref=invoice.pk,
        missing=MISSING_INT,
        state=lambda: (
            _read(Invoice, invoice.pk, "status", "amount_paid", "cancelled_at", "note"),
            Payment.objects.filter(invoice_id=invoice.pk).count(),
        ),
    )


def build_payment(people: SimpleNamespace) -> Victim:
    from tenant_apps.payments.models import Invoice, Payment

    invoice = _invoice(people)
    payment = PaymentFactory(
        invoice=invoice,
        payer=people.ann,
        amount="40.00",
        tracking_code=SECRET,
        receipt=_file(people.ann, "receipt.pdf"),
    )
    return Victim(
        ref=payment.pk,
        missing=MISSING_INT,
        state=lambda: (
            _read(Payment, payment.pk, "status", "decided_at", "decided_by_id", "reason"),
            _read(Invoice, invoice.pk, "status", "amount_paid"),
        ),
    )


def _file_victim(stored: Any) -> Victim:
    from tenant_apps.files.models import StoredFile

    return Victim(
        ref=stored.pk,
        missing=uuid.uuid4(),
        state=lambda: _read(StoredFile, stored.pk, "original_name", "uploaded_by_id"),
    )


def build_file(people: SimpleNamespace) -> Victim:
    return _file_victim(_file(people.ann))


def build_ticket_attachment(people: SimpleNamespace) -> Victim:
    stored = _file(people.ann)
    TicketFactory(created_by=people.ann, subject="Screenshot", body="attached", attachment_ids=[stored.pk])
    return _file_victim(stored)


def build_receipt(people: SimpleNamespace) -> Victim:
    stored = _file(people.ann)
    PaymentFactory(invoice=_invoice(people), payer=people.ann, amount="10.00", tracking_code="TRK-R", receipt=stored)
    return _file_victim(stored)


def build_wallet(people: SimpleNamespace) -> Victim:
    from tenant_apps.wallet.models import LedgerEntry, Wallet

    wallet = WalletFactory(user=people.ann)
    LedgerEntryFactory(wallet=wallet, amount=Decimal("4321.09"), memo=SECRET, reference=SECRET)
    return Victim(
        ref=people.ann.pk,
        missing=MISSING_INT,
        state=lambda: (
            _read(Wallet, wallet.pk, "balance", "held_balance"),
            LedgerEntry.objects.filter(wallet=wallet).count(),
        ),
    )


def build_notification(people: SimpleNamespace) -> Victim:
    from tenant_apps.notifications.models import Notification

    notification = NotificationFactory(recipient=people.ann, verb="ticket.replied", extra_data={"subject": SECRET})
    return Victim(
        ref=notification.pk,
        missing=MISSING_INT,
        state=lambda: _read(Notification, notification.pk, "read", "recipient_id"),
    )


def _enrolment(people: SimpleNamespace, program_type: Any) -> Victim:
    from tenant_apps.school.programs.models import BOOTCAMPS

    program_factory, enrolment_factory = (
        (BootcampFactory, BootcampEnrolmentFactory)
        if program_type is BOOTCAMPS
        else (AdvancedCourseFactory, AdvancedCourseEnrolmentFactory)
    )
    start = in_days(30)
    program = program_factory(
        actor=people.admin,
        title=f"Program {SECRET}",
        start_date=start,
        end_date=start + timedelta(weeks=8),
        capacity=10,
        price=Decimal("1200.00"),
        currency="USD",
        status="registration_open",
    )
    enrolment = enrolment_factory(program=program, student=people.ann)
    return Victim(
        ref=enrolment.pk,
        missing=MISSING_INT,
        state=lambda: _read(program_type.enrolments().model, enrolment.pk, "status", "decided_at", "invoice_id"),
    )


def build_bootcamp_enrolment(people: SimpleNamespace) -> Victim:
    from tenant_apps.school.programs.models import BOOTCAMPS

    return _enrolment(people, BOOTCAMPS)


def build_course_enrolment(people: SimpleNamespace) -> Victim:
    from tenant_apps.school.programs.models import COURSES

    return _enrolment(people, COURSES)


def build_user(people: SimpleNamespace) -> Victim:
    from tenant_apps.accounts.models import User

    return Victim(
        ref=people.ann.pk,
        missing=MISSING_INT,
        state=lambda: (
            _read(User, people.ann.pk, "email", "full_name", "phone", "is_active", "token_version"),
            sorted(people.ann.groups.values_list("name", flat=True)),
        ),
    )


BUILDERS: dict[str, Callable[[SimpleNamespace], Victim]] = {
    "ticket": build_ticket,
    "invoice": build_invoice,
    "payment": build_payment,
    "file": build_file,
    "ticket_attachment": build_ticket_attachment,
    "receipt": build_receipt,
    "wallet": build_wallet,
    "notification": build_notification,
    "bootcamp_enrolment": build_bootcamp_enrolment,
    "course_enrolment": build_course_enrolment,
    "user": build_user,
}


# --------------------------------------------------------------------------------------------
# The attacks: (object type, method, path with {ref}, body, what bob must get)
# --------------------------------------------------------------------------------------------

REASON = {"reason": "Because."}
ATTACKS: list[tuple[str, str, str, dict[str, Any] | None, tuple[int, str]]] = [
    ("ticket", "get", "/api/v1/tickets/{ref}/", None, NOT_FOUND),
    ("ticket", "post", "/api/v1/tickets/{ref}/messages/", {"body": "I am ann, honestly"}, NOT_FOUND),
    ("ticket", "post", "/api/v1/tickets/{ref}/close/", None, NOT_FOUND),
    ("ticket", "post", "/api/v1/tickets/{ref}/reopen/", None, NOT_FOUND),
    ("ticket", "patch", "/api/v1/tickets/{ref}/", {"subject": "mine now"}, NOT_ALLOWED),
    ("ticket", "delete", "/api/v1/tickets/{ref}/", None, NOT_ALLOWED),
    ("ticket", "post", "/api/v1/tickets/{ref}/assign/", {"assignee": None}, FORBIDDEN),
    ("ticket", "post", "/api/v1/tickets/{ref}/priority/", {"priority": "low"}, FORBIDDEN),
    ("invoice", "get", "/api/v1/invoices/{ref}/", None, NOT_FOUND),
    ("invoice", "get", "/api/v1/invoices/{ref}/pdf/", None, NOT_FOUND),
    ("invoice", "post", "/api/v1/invoices/{ref}/cancel/", REASON, NOT_FOUND),
    ("invoice", "post", "/api/v1/invoices/{ref}/stripe-payment-intent/", {"amount": "1.00"}, NOT_FOUND),
    (
        "invoice",
        "post",
        "/api/v1/invoices/{ref}/offline-payments/",
        {"amount": "1.00", "tracking_code": "BOB-1", "receipt": "{own_file}"},
        NOT_FOUND,
    ),
    ("invoice", "patch", "/api/v1/invoices/{ref}/", {"note": "paid"}, NOT_ALLOWED),
    ("invoice", "delete", "/api/v1/invoices/{ref}/", None, NOT_ALLOWED),
    ("payment", "get", "/api/v1/payments/{ref}/", None, NOT_FOUND),
    ("payment", "post", "/api/v1/payments/{ref}/approve/", None, NOT_FOUND),
    ("payment", "post", "/api/v1/payments/{ref}/reject/", REASON, NOT_FOUND),
    ("payment", "patch", "/api/v1/payments/{ref}/", {"status": "approved"}, NOT_ALLOWED),
    ("file", "get", "/api/v1/files/{ref}/", None, NOT_FOUND),
    ("file", "delete", "/api/v1/files/{ref}/", None, NOT_ALLOWED),
    ("ticket_attachment", "get", "/api/v1/files/{ref}/", None, NOT_FOUND),
    ("receipt", "get", "/api/v1/files/{ref}/", None, NOT_FOUND),
    ("wallet", "get", "/api/v1/wallets/{ref}/", None, NOT_FOUND),
    ("wallet", "get", "/api/v1/wallets/{ref}/ledger/", None, NOT_FOUND),
    ("wallet", "post", "/api/v1/wallets/{ref}/adjust/", {"amount": "-4321.09", "reason": "mine"}, FORBIDDEN),
    ("wallet", "post", "/api/v1/wallets/{ref}/top-up/", {"amount": "1.00"}, FORBIDDEN),
    ("notification", "post", "/api/v1/notifications/{ref}/read/", None, NOT_FOUND),
    ("bootcamp_enrolment", "get", "/api/v1/bootcamp-enrolments/{ref}/", None, NOT_FOUND),
    ("bootcamp_enrolment", "post", "/api/v1/bootcamp-enrolments/{ref}/withdraw/", None, NOT_FOUND),
    ("bootcamp_enrolment", "post", "/api/v1/bootcamp-enrolments/{ref}/approve/", None, NOT_FOUND),
    ("bootcamp_enrolment", "post", "/api/v1/bootcamp-enrolments/{ref}/reject/", REASON, NOT_FOUND),
    ("bootcamp_enrolment", "post", "/api/v1/bootcamp-enrolments/{ref}/cancel/", REASON, NOT_FOUND),
    ("bootcamp_enrolment", "patch", "/api/v1/bootcamp-enrolments/{ref}/", {"status": "approved"}, NOT_ALLOWED),
    ("course_enrolment", "get", "/api/v1/course-enrolments/{ref}/", None, NOT_FOUND),
    ("course_enrolment", "post", "/api/v1/course-enrolments/{ref}/withdraw/", None, NOT_FOUND),
    ("course_enrolment", "post", "/api/v1/course-enrolments/{ref}/approve/", None, NOT_FOUND),
    ("course_enrolment", "post", "/api/v1/course-enrolments/{ref}/reject/", REASON, NOT_FOUND),
    ("course_enrolment", "post", "/api/v1/course-enrolments/{ref}/cancel/", REASON, NOT_FOUND),
    ("course_enrolment", "delete", "/api/v1/course-enrolments/{ref}/", None, NOT_ALLOWED),
    ("user", "get", "/api/v1/users/{ref}/", None, FORBIDDEN),
    ("user", "patch", "/api/v1/users/{ref}/", {"full_name": "Bob was here", "is_active": False}, FORBIDDEN),
    ("user", "delete", "/api/v1/users/{ref}/", None, FORBIDDEN),
]


def _attack_id(attack: tuple[Any, ...]) -> str:
    kind, method, path, _body, _expected = attack
    tail = path.split("{ref}/")[1].strip("/") or "detail"
    return f"{kind}-{method}-{tail}"


# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------


@pytest.fixture
def people(alpha: Tenant, make_user: MakeUser) -> SimpleNamespace:
    """alpha's ``ann`` (the victim), ``bob`` (another student) and the ``admin``."""
    from tenant_apps.accounts.models import User

    ann = make_user(alpha, "ann@alpha.test", roles=["student"], full_name=f"Ann {SECRET}", phone="+447911123456")
    bob = make_user(alpha, "bob@alpha.test", roles=["student"])
    with tenant_context(alpha):
        admin = User.objects.get(email="admin@alpha.test")
    return SimpleNamespace(tenant=alpha, ann=ann, bob=bob, admin=admin)


@pytest.fixture
def victim(people: SimpleNamespace) -> Callable[[str], Victim]:
    """``victim(kind)``: a new object of ann's of that kind."""

    def make(kind: str) -> Victim:
        with tenant_context(people.tenant):
            return BUILDERS[kind](people)

    return make


@pytest.fixture
def bob(people: SimpleNamespace, client_for: ClientFor, login: Login) -> APIClient:
    return client_for(people.tenant, login(people.tenant, "bob@alpha.test")["access"])


@pytest.fixture
def beta_admin(beta: Tenant, client_for: ClientFor, login: Login) -> APIClient:
    return client_for(beta, login(beta, "admin@beta.test")["access"])


def state_of(people: SimpleNamespace, target: Victim) -> Any:
    with tenant_context(people.tenant):
        return target.state()


def send(
    client: APIClient, method: str, path: str, ref: Any, body: dict[str, Any] | None, **values: Any
) -> ApiResponse:
    url = path.format(ref=ref)
    if body is not None:
        body = {k: (v.format(**values) if isinstance(v, str) and "{" in v else v) for k, v in body.items()}
    return getattr(client, method)(url, body, format="json") if body is not None else getattr(client, method)(url)


def answer(response: JsonResponse) -> tuple[int, str]:
    """What a client notices: the status and the error code (in the one error shape)."""
    return response.status_code, error_code(response)


def assert_no_secret(response: JsonResponse) -> None:
    assert SECRET not in response.content.decode("utf-8", "replace"), response.content
    assert "ann@alpha.test" not in response.content.decode("utf-8", "replace"), response.content


# --------------------------------------------------------------------------------------------
# (a) another user of the same tenant
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "method", "path", "body", "expected"), ATTACKS, ids=[_attack_id(a) for a in ATTACKS])
def test_another_user_of_the_site_gets_the_answer_of_a_nonexistent_id(
    people: SimpleNamespace,
    victim: Callable[[str], Victim],
    bob: APIClient,
    kind: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    expected: tuple[int, str],
) -> None:
    # given: an object of ann's, and a file bob uploaded himself (for bodies that need one)
    target = victim(kind)
    with tenant_context(people.tenant):
        bob_file = str(_file(people.bob, "bob.pdf").pk)
    before = state_of(people, target)
    # when: bob tries ann's id, then an id that does not exist
    response = send(bob, method, path, target.ref, body, own_file=bob_file)
    nonexistent = send(bob, method, path, target.missing, body, own_file=bob_file)
    # then: the same answer for both, nothing of ann's in it, nothing of ann's changed
    assert answer(response) == answer(nonexistent) == expected, response.content
    assert_no_secret(response)
    assert state_of(people, target) == before


# --------------------------------------------------------------------------------------------
# (b) the same id on another tenant, with that tenant's admin token
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "method", "path", "body", "expected"), ATTACKS, ids=[_attack_id(a) for a in ATTACKS])
def test_alphas_id_on_another_tenant_never_reaches_alphas_object(
    people: SimpleNamespace,
    victim: Callable[[str], Victim],
    beta: Tenant,
    beta_admin: APIClient,
    kind: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    expected: tuple[int, str],
) -> None:
    # given: an object of ann's in alpha, and a file beta's admin uploaded on beta
    target = victim(kind)
    with tenant_context(beta):
        from tenant_apps.accounts.models import User

        beta_file = str(_file(User.objects.get(email="admin@beta.test"), "beta.pdf").pk)
    before = state_of(people, target)
    # when: beta's admin (who sees all of beta) sends the same request with alpha's id to beta
    response = send(beta_admin, method, path, target.ref, body, own_file=beta_file)
    # then: beta's own answer (an unknown id there, usually), never alpha's data; alpha unchanged
    assert_no_secret(response)
    if response.status_code >= 400:
        nonexistent = send(beta_admin, method, path, target.missing, body, own_file=beta_file)
        assert answer(response) == answer(nonexistent), response.content
    assert state_of(people, target) == before


def download_link(tenant: Tenant, file_id: Any) -> str:
    """The local download path of a file of ``tenant`` (as its detail endpoint would give it)."""
    from django.conf import settings
    from django.urls import set_urlconf

    from tenant_apps.files.models import StoredFile
    from tenant_apps.files.services import file_download_url

    set_urlconf(settings.TENANT_TYPES[tenant.kind]["URLCONF"])
    try:
        with tenant_context(tenant):
            return file_download_url(StoredFile.objects.get(pk=file_id))
    finally:
        set_urlconf(None)


def test_alphas_download_link_on_another_tenant_is_refused(
    people: SimpleNamespace, victim: Callable[[str], Victim], beta: Tenant, client_for: ClientFor
) -> None:
    target = victim("file")
    url = download_link(people.tenant, target.ref)
    # when
    response = client_for(beta).get(url)
    # then
    assert answer(response) == (403, "invalid_signature")
    assert_no_secret(response)


# --------------------------------------------------------------------------------------------
# Download links: the signature is the permission, and nobody gets one for ann's file
# --------------------------------------------------------------------------------------------


def test_a_download_without_ann_s_signature_answers_as_for_a_nonexistent_file(
    people: SimpleNamespace, victim: Callable[[str], Victim], bob: APIClient, client_for: ClientFor
) -> None:
    # given: ann's file, and a valid link of bob's own file
    target = victim("file")
    with tenant_context(people.tenant):
        bob_file = _file(people.bob, "bob.pdf")
    bob_url, ann_url = download_link(people.tenant, bob_file.pk), download_link(people.tenant, target.ref)
    bob_signature = bob_url.split("?signature=", 1)[1]
    anonymous = client_for(people.tenant)
    # when: bob asks for ann's bytes with no signature, a junk one, his own file's signature
    attempts = [
        bob.get(f"/api/v1/files/{target.ref}/download/"),
        anonymous.get(f"/api/v1/files/{target.ref}/download/?signature=junk"),
        anonymous.get(f"/api/v1/files/{target.ref}/download/?signature={bob_signature}"),
    ]
    nonexistent = anonymous.get(f"/api/v1/files/{uuid.uuid4()}/download/?signature={bob_signature}")
    # then: all refused like a file that does not exist; ann's own link still works
    for response in attempts:
        assert answer(response) == answer(nonexistent) == (403, "invalid_signature")
    assert anonymous.get(ann_url).status_code == 200
    # and bob's detail request for ann's file (the only way to get a link) is a 404
    assert answer(bob.get(f"/api/v1/files/{target.ref}/")) == NOT_FOUND


# --------------------------------------------------------------------------------------------
# (c) lists never include other users' or tenants' objects
# --------------------------------------------------------------------------------------------


@pytest.fixture
def everything(people: SimpleNamespace, victim: Callable[[str], Victim]) -> dict[str, Victim]:
    """One object of ann's of every type."""
    return {kind: victim(kind) for kind in BUILDERS}


LISTS = [
    ("/api/v1/tickets/", {}),
    ("/api/v1/tickets/", {"created_by": "{ann}"}),
    ("/api/v1/tickets/", {"search": SECRET}),
    ("/api/v1/invoices/", {}),
    ("/api/v1/invoices/", {"customer": "{ann}"}),
    ("/api/v1/payments/", {}),
    ("/api/v1/payments/", {"search": SECRET}),
    ("/api/v1/notifications/", {}),
    ("/api/v1/notifications/", {"read": "false"}),
    ("/api/v1/wallet/", {}),
    ("/api/v1/wallet/ledger/", {}),
    ("/api/v1/bootcamp-enrolments/", {}),
    ("/api/v1/bootcamp-enrolments/", {"student": "{ann}"}),
    ("/api/v1/course-enrolments/", {"search": SECRET}),
    ("/api/v1/bootcamps/mine/", {}),
    ("/api/v1/courses/mine/", {}),
    ("/api/v1/audit-log/", {}),
]
#: The object type whose ids a list holds.
LISTED_KIND = {
    "/api/v1/tickets/": "ticket",
    "/api/v1/invoices/": "invoice",
    "/api/v1/payments/": "payment",
    "/api/v1/notifications/": "notification",
    "/api/v1/bootcamp-enrolments/": "bootcamp_enrolment",
    "/api/v1/course-enrolments/": "course_enrolment",
}
#: Lists bob's role may not read at all: refused whatever the filter.
REFUSED_LISTS = [("/api/v1/users/", {"search": "ann"}), ("/api/v1/wallets/", {"search": "ann"})]


def _query(params: dict[str, str], ann: Any) -> dict[str, str]:
    return {key: value.format(ann=ann.pk) for key, value in params.items()}


def _ids(body: Any) -> list[Any]:
    items = body.get("results", []) if isinstance(body, dict) else body
    return [item.get("id") for item in items if isinstance(item, dict)]


@pytest.mark.parametrize(("path", "params"), LISTS, ids=[f"{p}{'?' + ','.join(q) if q else ''}" for p, q in LISTS])
def test_lists_show_another_user_nothing_of_anns(
    people: SimpleNamespace, everything: dict[str, Victim], bob: APIClient, path: str, params: dict[str, str]
) -> None:
    # when: bob lists, filtering on ann where the list allows it
    response = bob.get(path, _query(params, people.ann))
    # then: his own (empty) view; nothing of ann's objects, by content or by id
    assert response.status_code in {200, 403}, response.content
    assert_no_secret(response)
    kind = LISTED_KIND.get(path)
    if response.status_code == 200 and kind:
        assert str(everything[kind].ref) not in {str(i) for i in _ids(response.json())}


@pytest.mark.parametrize(("path", "params"), REFUSED_LISTS, ids=[p for p, _ in REFUSED_LISTS])
def test_admin_only_lists_are_refused_to_another_user(
    people: SimpleNamespace, everything: dict[str, Victim], bob: APIClient, path: str, params: dict[str, str]
) -> None:
    response = bob.get(path, _query(params, people.ann))
    assert answer(response) == FORBIDDEN
    assert_no_secret(response)


@pytest.mark.parametrize(
    ("path", "params"),
    [*LISTS, *REFUSED_LISTS],
    ids=[f"{p}{'?' + ','.join(q) if q else ''}" for p, q in [*LISTS, *REFUSED_LISTS]],
)
def test_lists_on_another_tenant_show_nothing_of_alphas(
    people: SimpleNamespace, everything: dict[str, Victim], beta_admin: APIClient, path: str, params: dict[str, str]
) -> None:
    # when: beta's admin lists everything on beta (same filters, alpha's ids)
    response = beta_admin.get(path, _query(params, people.ann))
    # then
    assert response.status_code == 200, response.content
    assert_no_secret(response)


def test_unread_count_and_read_all_touch_only_ones_own_notifications(
    people: SimpleNamespace, everything: dict[str, Victim], bob: APIClient
) -> None:
    from tenant_apps.notifications.models import Notification

    # when
    count = bob.get("/api/v1/notifications/unread-count/")
    read_all = bob.post("/api/v1/notifications/read-all/")
    # then: bob had nothing; ann's notification is still unread
    assert count.json() == {"count": 0}
    assert read_all.json() == {"count": 0}
    with tenant_context(people.tenant):
        assert Notification.objects.get(pk=everything["notification"].ref).read is False


def test_the_owner_does_see_her_objects(
    people: SimpleNamespace, everything: dict[str, Victim], client_for: ClientFor, login: Login
) -> None:
    """Control: the attacks above fail because of who asks, not because the objects are unreachable."""
    ann = client_for(people.tenant, login(people.tenant, "ann@alpha.test")["access"])
    for path in (
        "/api/v1/tickets/{ref}/",
        "/api/v1/invoices/{ref}/",
        "/api/v1/payments/{ref}/",
        "/api/v1/files/{ref}/",
        "/api/v1/bootcamp-enrolments/{ref}/",
        "/api/v1/course-enrolments/{ref}/",
        "/api/v1/wallets/{ref}/ledger/",
    ):
        kind = {
            "tickets": "ticket",
            "invoices": "invoice",
            "payments": "payment",
            "files": "file",
            "bootcamp-enrolments": "bootcamp_enrolment",
            "course-enrolments": "course_enrolment",
            "wallets": "wallet",
        }[path.split("/")[3]]
        response = ann.get(path.format(ref=everything[kind].ref))
        assert response.status_code == 200, (path, response.content)
        assert SECRET in response.content.decode(), (path, response.content)
    assert ann.post(f"/api/v1/notifications/{everything['notification'].ref}/read/").json()["read"] is True
