"""Helpers of the tickets tests: the people of a school site, API clients, tickets and uploads."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.files.models import StoredFile
from tests.api import error_code  # noqa: F401 (re-exported to the tests of this folder)
from tests.fixture_types import ApiResponse, ClientFor, Login, MakePerson, MakeUser

TICKETS = "/api/v1/tickets/"
FILES = "/api/v1/files/"


def ticket_url(pk: Any, action: str | None = None) -> str:
    """``/api/v1/tickets/{pk}/`` or ``/api/v1/tickets/{pk}/{action}/``."""
    return f"{TICKETS}{pk}/" + (f"{action}/" if action else "")


def ids(response: ApiResponse) -> set[int]:
    """The ticket ids of a list response."""
    assert response.status_code == 200, response.content
    return {ticket["id"] for ticket in response.json()["results"]}


class Person(SimpleNamespace):
    """A user of a test site: ``user`` (the model instance), ``email`` and an API ``client``."""

    user: User
    email: str
    client: APIClient


class School(SimpleNamespace):
    """The people of the ``alpha`` school site (see the ``school`` fixture)."""

    tenant: Tenant
    ann: Person
    bob: Person
    sue: Person
    tom: Person
    tia: Person
    admin: Person


@pytest.fixture
def person(client_for: ClientFor, login: Login, make_user: MakeUser) -> MakePerson:
    """``person(tenant, email, roles)``: a new user of ``tenant`` with a logged-in API client."""

    def make(tenant: Tenant, email: str, roles: list[str] | None = None, **fields: Any) -> Person:
        user = make_user(tenant, email, roles=roles, **fields)
        return Person(user=user, email=email, client=client_for(tenant, login(tenant, email)["access"]))

    return make


@pytest.fixture
def school(
    alpha: Tenant,
    person: MakePerson,
    client_for: ClientFor,
    login: Login,
) -> School:
    """The people of the ``alpha`` school site.

    ``ann`` (student, opens tickets), ``bob`` (another student), ``sue`` (support),
    ``tom`` and ``tia`` (teachers, assignable), ``admin`` (the site's owner).
    """
    admin_user = _user(alpha, "admin@alpha.test")
    return School(
        tenant=alpha,
        ann=person(alpha, "ann@alpha.test", ["student"], full_name="Ann Student"),
        bob=person(alpha, "bob@alpha.test", ["student"]),
        sue=person(alpha, "sue@alpha.test", ["support"], full_name="Sue Support"),
        tom=person(alpha, "tom@alpha.test", ["teacher"]),
        tia=person(alpha, "tia@alpha.test", ["teacher"]),
        admin=Person(
            user=admin_user,
            email="admin@alpha.test",
            client=client_for(alpha, login(alpha, "admin@alpha.test")["access"]),
        ),
    )


def _user(tenant: Tenant, email: str) -> User:
    from django_tenants.utils import tenant_context

    from tenant_apps.accounts.models import User

    with tenant_context(tenant):
        return User.objects.get(email=email)


def open_ticket(client: APIClient, **fields: Any) -> dict[str, Any]:
    """Open a ticket through the API (subject and body filled in) and return its JSON."""
    body = {"subject": "Cannot open lesson 3", "body": "The video does not load.", **fields}
    response = client.post(TICKETS, body)
    assert response.status_code == 201, response.content
    return dict(response.json())


def upload(client: APIClient, name: str = "note.txt", content: bytes = b"a plain text note\n") -> str:
    """Upload a text file through ``POST /api/v1/files/``; returns its id."""
    response = client.post(FILES, {"file": SimpleUploadedFile(name, content, "text/plain")}, format="multipart")
    assert response.status_code == 201, response.content
    return str(response.json()["id"])


@pytest.fixture
def stored_file_target() -> Iterator[type[StoredFile]]:
    """``files.StoredFile`` registered as a linkable ticket target for one test."""
    from tenant_apps.files.models import StoredFile
    from tenant_apps.tickets.targets import register_ticket_target, unregister_ticket_target

    register_ticket_target(StoredFile)
    yield StoredFile
    unregister_ticket_target(StoredFile)
