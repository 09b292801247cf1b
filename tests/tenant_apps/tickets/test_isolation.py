"""A ticket of one site is invisible from every other: through the API, the ORM and its files."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.tickets.models import Ticket, TicketUserObjectPermission
from tests.fixture_types import ClientFor, Login, MakePerson
from tests.tenant_apps.tickets.conftest import FILES, TICKETS, School, ids, open_ticket, ticket_url, upload


def test_a_ticket_of_one_school_is_invisible_to_another_schools_support_through_the_api(
    school: School, beta: Tenant, person: MakePerson
) -> None:
    # given
    ticket = open_ticket(school.ann.client, subject="Alpha only")
    beta_support = person(beta, "sue@beta.test", ["support"])
    # when
    listed = beta_support.client.get(TICKETS)
    detail = beta_support.client.get(ticket_url(ticket["id"]))
    reply = beta_support.client.post(ticket_url(ticket["id"], "messages"), {"body": "hi"})
    # then
    assert ids(listed) == set()
    assert detail.status_code == reply.status_code == 404


def test_the_same_email_on_another_site_is_another_user_without_the_ticket(
    school: School, beta: Tenant, person: MakePerson
) -> None:
    # given
    ticket = open_ticket(school.ann.client, subject="Alpha only")
    twin = person(beta, "ann@alpha.test", ["student"])
    # when
    listed = twin.client.get(TICKETS)
    detail = twin.client.get(ticket_url(ticket["id"]))
    # then
    assert ids(listed) == set()
    assert detail.status_code == 404


def test_a_ticket_of_one_site_is_absent_from_another_schema_through_the_orm(school: School, beta: Tenant) -> None:
    # given
    open_ticket(school.ann.client, subject="Alpha only")
    # when
    with tenant_context(school.tenant):
        in_alpha = Ticket.objects.filter(subject="Alpha only").count()
        grants_in_alpha = TicketUserObjectPermission.objects.count()
    with tenant_context(beta):
        in_beta = Ticket.objects.filter(subject="Alpha only").count()
        grants_in_beta = TicketUserObjectPermission.objects.count()
    # then
    assert (in_alpha, in_beta) == (1, 0)
    assert grants_in_alpha == 2  # the creator's view and change
    assert grants_in_beta == 0


def test_an_attachment_of_one_site_cannot_be_read_from_another(
    school: School, beta: Tenant, person: MakePerson, client_for: ClientFor, login: Login
) -> None:
    # given
    file_id = upload(school.ann.client)
    open_ticket(school.ann.client, attachments=[file_id])
    beta_admin = client_for(beta, login(beta, "admin@beta.test")["access"])
    # when
    at_home = school.sue.client.get(f"{FILES}{file_id}/")
    elsewhere = beta_admin.get(f"{FILES}{file_id}/")
    # then
    assert at_home.status_code == 200
    assert elsewhere.status_code == 404
