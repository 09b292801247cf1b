"""Helpers of the programs tests: the people of the ``alpha`` school, API clients, programs.

Programs are made through the services (as the site's admin, by the factories of
``tests/factories/``) and walked to the wanted status along the allowed transitions; enrolments
through the services too, unless a test is about the API call itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.payments.models import Invoice
from tenant_apps.school.programs.models import BOOTCAMPS, COURSES, Enrolment, Program, ProgramType, program_type_of
from tests.api import error_code  # noqa: F401 (re-exported to the tests of this folder)
from tests.factories import (
    AdvancedCourseEnrolmentFactory,
    AdvancedCourseFactory,
    BootcampEnrolmentFactory,
    BootcampFactory,
)
from tests.fixture_types import ApiResponse, ClientFor, Enrol, Login, MakeProgram, MakeUser, ModelT

TYPES = {"bootcamps": BOOTCAMPS, "courses": COURSES}
ENROLMENTS = {"bootcamps": "/api/v1/bootcamp-enrolments/", "courses": "/api/v1/course-enrolments/"}
PROGRAM_FACTORIES: dict[str, type[BootcampFactory] | type[AdvancedCourseFactory]] = {
    BOOTCAMPS.key: BootcampFactory,
    COURSES.key: AdvancedCourseFactory,
}
ENROLMENT_FACTORIES: dict[str, type[BootcampEnrolmentFactory] | type[AdvancedCourseEnrolmentFactory]] = {
    BOOTCAMPS.key: BootcampEnrolmentFactory,
    COURSES.key: AdvancedCourseEnrolmentFactory,
}


def programs_url(path: str = "bootcamps", ref: Any = None, action: str | None = None) -> str:
    """``/api/v1/<path>/``, ``/api/v1/<path>/<ref>/`` or ``/api/v1/<path>/<ref>/<action>/``."""
    url = f"/api/v1/{path}/"
    if ref is not None:
        url += f"{ref}/"
    if action:
        url += f"{action}/"
    return url


def enrolments_url(path: str = "bootcamps", pk: Any = None, action: str | None = None) -> str:
    url = ENROLMENTS[path]
    if pk is not None:
        url += f"{pk}/"
    if action:
        url += f"{action}/"
    return url


def results(response: ApiResponse) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return list(response.json()["results"])


def slugs(response: ApiResponse) -> list[str]:
    return [item["slug"] for item in results(response)]


class Site(SimpleNamespace):
    """The people of ``alpha`` (users) and ``client(name)`` for a logged-in API client."""

    tenant: Tenant
    client: Callable[[str | None], APIClient]
    admin: User
    sue: User
    fay: User
    tom: User
    tia: User
    ann: User
    bob: User
    cat: User
    dan: User


@pytest.fixture
def site(
    alpha: Tenant,
    make_user: MakeUser,
    client_for: ClientFor,
    login: Login,
) -> Site:
    """``alpha`` with: ``admin``, ``sue`` (support), ``fay`` (financial), ``tom`` and ``tia``
    (teachers), ``ann``, ``bob``, ``cat``, ``dan`` (students). ``site.client("ann")`` is ann's API
    client; ``site.client(None)`` is anonymous."""
    from tenant_apps.accounts.models import User

    with tenant_context(alpha):
        admin = User.objects.get(email="admin@alpha.test")
    people = {
        "sue": ("support", "Sue Support"),
        "fay": ("financial", "Fay Finance"),
        "tom": ("teacher", "Tom Teacher"),
        "tia": ("teacher", "Tia Teacher"),
        "ann": ("student", "Ann Student"),
        "bob": ("student", "Bob Student"),
        "cat": ("student", "Cat Student"),
        "dan": ("student", "Dan Student"),
    }
    users = {
        name: make_user(alpha, f"{name}@alpha.test", roles=[role], full_name=full)
        for name, (role, full) in people.items()
    }
    users["admin"] = admin
    clients: dict[str | None, APIClient] = {}

    def client(name: str | None) -> APIClient:
        if name not in clients:
            token = login(alpha, users[name].email)["access"] if name else None
            clients[name] = client_for(alpha, token)
        return clients[name]

    return Site(tenant=alpha, client=client, **users)


def _type(path_or_type: str | ProgramType) -> ProgramType:
    return TYPES[path_or_type] if isinstance(path_or_type, str) else path_or_type


@pytest.fixture
def make_program(site: Site) -> MakeProgram:
    """``make_program(status="registration_open", type="bootcamps", **fields)``: a program made by
    the admin through the services, walked to ``status`` (``BootcampFactory``,
    ``AdvancedCourseFactory``). Defaults: starts in 30 days for 8 weeks, 10 seats, 1200.00 USD,
    taught by tom."""
    counter = iter(range(1, 10_000))

    def make(status: str = "registration_open", type: str = "bootcamps", **fields: Any) -> Program:
        start = fields.pop("start_date", timezone.localdate() + timedelta(days=30))
        values: dict[str, Any] = {
            "title": f"Program {next(counter)}",
            "start_date": start,
            "end_date": start + timedelta(weeks=8),
            "capacity": 10,
            "price": Decimal("1200.00"),
            "currency": "USD",
            "teachers": [site.tom.pk],
            **fields,
        }
        factory = PROGRAM_FACTORIES[_type(type).key]
        with tenant_context(site.tenant):
            return factory.create(actor=site.admin, status=status, **values)

    return make


@pytest.fixture
def enrol() -> Enrol:
    """``enrol(site, program, student, approve=False)``: a request (``BootcampEnrolmentFactory``,
    ``AdvancedCourseEnrolmentFactory``) and its approval by the admin through the service, which
    approves it or puts it on the waitlist; returns the enrolment."""
    from tenant_apps.school.programs import services

    def make(site: Site, program: Program, student: User, *, approve: bool = False) -> Enrolment:
        factory = ENROLMENT_FACTORIES[program_type_of(program).key]
        with tenant_context(site.tenant):
            enrolment = factory(program=program, student=student)
            if approve:
                enrolment = services.enrolment_approve(enrolment=enrolment, actor=site.admin)
        return enrolment

    return make


def reload(site: Site, obj: ModelT, *related: str) -> ModelT:
    """``obj`` read again from the site's schema, with the ``related`` objects loaded."""
    with tenant_context(site.tenant):
        return type(obj)._default_manager.select_related(*related).get(pk=obj.pk)


def invoice_of(site: Site, enrolment: Enrolment) -> Invoice:
    """The invoice of an approved ``enrolment``, read again from the site's schema."""
    invoice = reload(site, enrolment, "invoice").invoice
    assert invoice is not None, f"enrolment {enrolment.pk} has no invoice"
    return invoice


def in_days(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)
