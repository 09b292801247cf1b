"""Attacks on rental inquiries: IDOR on another person's inquiry, and mass assignment.

The site is ``echo`` with the people of ``make_rental``. The victim is guest ``gia``: her inquiry
about host ``hana``'s flat, assigned to agent ``cora``, carries a marker string (``SECRET``, in its
message and in a message of the conversation) that must never show up in an answer to anybody
else. Attackers:

* ``gus`` (another guest), ``hana`` (the host of the property it is about) and ``cole`` (another
  agent) read, answer, assign and move gia's inquiry by id: they get exactly the answer a
  nonexistent id gets (404 ``not_found``), or, where their role may not use the endpoint at all
  (assigning, for guests and hosts), 403 ``permission_denied`` for every id alike. Nothing changes.
* foxtrot's admin (the other rental site) sends the same requests with echo's ids to foxtrot's
  host: never echo's data, nothing of echo changes.

Mass assignment: fields a client may not set (status, agent, author, timestamps; a signed-in
author's address and name) are ignored by the input serializers: the request succeeds with what it
may set, and the stored row shows none of the forbidden values.
"""

from __future__ import annotations

from typing import Any

import pytest
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tenant_apps.rental.inquiries.models import Inquiry, InquiryMessage
from tests.api import error_code
from tests.factories import InquiryFactory, InquiryMessageFactory, PropertyFactory
from tests.fixture_types import ApiResponse, ClientFor, Login
from tests.tenant_apps.rental.conftest import Rental, make_rental
from tests.tenant_apps.rental.inquiries.conftest import INQUIRIES, in_rental, inquiry_url

SECRET = "echo-inquiry-secret-7d21"
MISSING = 987_654_321


@pytest.fixture
def rental(echo: Tenant, client_for: ClientFor, login: Login) -> Rental:
    """The ``echo`` rental site with its people."""
    return make_rental(echo, client_for, login)


def _victim(rental: Rental) -> Inquiry:
    prop = in_rental(rental, PropertyFactory, host=rental.hana)
    inquiry = in_rental(
        rental,
        InquiryFactory,
        author=rental.gia,
        property=prop,
        agent=rental.cora,
        status="in_progress",
        message=f"My door code is {SECRET}",
    )
    in_rental(rental, InquiryMessageFactory, inquiry=inquiry, author=rental.cora, body=f"Noted: {SECRET}")
    return inquiry


def _state(rental: Rental, inquiry: Inquiry) -> Any:
    with tenant_context(rental.tenant):
        row = Inquiry.objects.filter(pk=inquiry.pk).values("status", "assigned_to", "severity", "updated_at").get()
        return row, InquiryMessage.objects.filter(inquiry=inquiry).count()


def _requests(client: APIClient, pk: int, agent: int) -> dict[str, ApiResponse]:
    return {
        "detail": client.get(inquiry_url(pk)),
        "messages": client.get(inquiry_url(pk, "messages")),
        "message": client.post(inquiry_url(pk, "messages"), {"body": "pwned"}, format="json"),
        "status": client.post(inquiry_url(pk, "status"), {"status": "resolved"}, format="json"),
        "close": client.post(inquiry_url(pk, "status"), {"status": "closed"}, format="json"),
        "assign": client.post(inquiry_url(pk, "assign"), {"agent": agent}, format="json"),
        "put": client.put(inquiry_url(pk), {"status": "closed"}, format="json"),
        "patch": client.patch(inquiry_url(pk), {"status": "closed"}, format="json"),
        "delete": client.delete(inquiry_url(pk)),
    }


def _answer(response: ApiResponse) -> tuple[int, str]:
    return response.status_code, error_code(response)


@pytest.mark.parametrize("attacker", ["gus", "hana", "cole"])
def test_another_person_gets_what_a_missing_id_gets_and_changes_nothing(rental: Rental, attacker: str) -> None:
    # given
    inquiry = _victim(rental)
    before = _state(rental, inquiry)
    client = rental.client(attacker)
    agent = getattr(rental, attacker).pk if attacker == "cole" else rental.cole.pk
    # when
    on_victim = _requests(client, inquiry.pk, agent)
    on_missing = _requests(client, MISSING, agent)
    # then
    for name, response in on_victim.items():
        assert _answer(response) == _answer(on_missing[name]), name
        assert response.status_code in (403, 404, 405), (name, response.status_code)
        assert SECRET not in response.content.decode()
    listed = client.get(INQUIRIES)
    assert listed.status_code == 200 and SECRET not in listed.content.decode()
    assert _state(rental, inquiry) == before


def test_another_sites_admin_never_reaches_echos_inquiry(
    rental: Rental, foxtrot: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given
    inquiry = _victim(rental)
    before = _state(rental, inquiry)
    other = make_rental(foxtrot, client_for, login)
    client = other.client("admin")
    # when
    on_victim = _requests(client, inquiry.pk, other.cole.pk)
    on_missing = _requests(client, MISSING, other.cole.pk)
    # then
    for name, response in on_victim.items():
        assert _answer(response) == _answer(on_missing[name]), name
        assert SECRET not in response.content.decode()
    assert SECRET not in client.get(INQUIRIES).content.decode()
    assert _state(rental, inquiry) == before


def test_opening_ignores_status_agent_author_and_a_signed_in_authors_address(rental: Rental) -> None:
    # when gus tries to open an inquiry already closed, assigned to cora, in gia's name and address
    response = rental.client("gus").post(
        INQUIRIES,
        {
            "subject": "Hello",
            "message": "Hi",
            "status": "closed",
            "assigned_to": rental.cora.pk,
            "created_by": rental.gia.pk,
            "email": "gia@echo.test",
            "name": "Gia Guest",
            "resolved_at": "2020-01-01T00:00:00Z",
            "id": 1,
        },
        format="json",
    )
    # then
    assert response.status_code == 201, response.content
    with tenant_context(rental.tenant):
        row = Inquiry.objects.get(pk=response.json()["id"])
    assert (row.status, row.assigned_to_id, row.created_by_id) == ("new", None, rental.gus.pk)
    assert (row.email, row.name, row.resolved_at) == ("gus@echo.test", "Gus Guest", None)


def test_the_actions_ignore_fields_they_do_not_take(rental: Rental) -> None:
    # given
    inquiry = in_rental(rental, InquiryFactory, author=rental.gia)
    admin = rental.client("admin")
    # when
    assigned = admin.post(
        inquiry_url(inquiry.pk, "assign"),
        {"agent": rental.cora.pk, "status": "closed", "severity": "urgent", "created_by": rental.gus.pk},
        format="json",
    )
    moved = admin.post(
        inquiry_url(inquiry.pk, "status"), {"status": "in_progress", "assigned_to": rental.cole.pk}, format="json"
    )
    message = admin.post(
        inquiry_url(inquiry.pk, "messages"), {"body": "Hi", "author": rental.gia.pk, "inquiry": 1}, format="json"
    )
    # then
    assert assigned.status_code == moved.status_code == 200
    assert message.status_code == 201 and message.json()["author"]["id"] == rental.admin.pk
    with tenant_context(rental.tenant):
        row = Inquiry.objects.get(pk=inquiry.pk)
    assert (row.status, row.assigned_to_id, row.severity, row.created_by_id) == (
        "in_progress",
        rental.cora.pk,
        "medium",
        rental.gia.pk,
    )
